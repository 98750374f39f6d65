import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { faultline, root } from '../support/cli.js';

/**
 * examples/github-actions/: the nightly workflow a user copies. It must run only on a schedule (or by hand), keep
 * the store whatever happened, let faultline's exit code fail the job, and name only faultline commands and flags
 * that exist: each is run with --help against the real CLI.
 */
const dir = join(root, 'examples/github-actions');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  'continue-on-error'?: unknown;
}

const workflow = parse(readFileSync(join(dir, 'nightly.yml'), 'utf8')) as { on: Record<string, unknown>; jobs: Record<string, { steps: Step[] }> };
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);

/** Every faultline command line the workflow runs (`npx faultline …` or `faultline …`), as words. */
const commands: string[][] = steps
  .flatMap((s) => (s.run ?? '').split('\n'))
  .map((l) => l.trim().split(/\s+/))
  .map((w) => (w[0] === 'npx' ? w.slice(1) : w))
  .filter((w) => w[0] === 'faultline')
  .map((w) => w.slice(1));

describe('examples/github-actions', () => {
  it('runs on a schedule (or by hand), never on a push or a pull request', () => {
    assert.deepEqual(Object.keys(workflow.on).sort(), ['schedule', 'workflow_dispatch']);
    const schedule = workflow.on.schedule as { cron: string }[];
    assert.ok(schedule.length > 0 && schedule.every((s) => s.cron.trim().split(/\s+/).length === 5), JSON.stringify(schedule));
  });

  it('sets up Node 20, installs, runs the suite with --junit and lets its exit code fail the job', () => {
    const node = steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    assert.equal(String(node?.with?.['node-version']), '20');
    assert.ok(steps.some((s) => s.run?.trim() === 'npm ci'));
    const suite = steps.find((s) => /faultline suite /.test(s.run ?? ''));
    assert.ok(suite, 'no faultline suite step');
    assert.equal(suite['continue-on-error'], undefined);
    assert.equal(suite.if, undefined);
    // No `|| true`, no `; exit 0`: the step's status is faultline's exit code.
    assert.doesNotMatch(suite.run ?? '', /\|\||;|&&/);
    assert.match(suite.run ?? '', /--junit junit\.xml/);
  });

  it('uploads the store and junit.xml whatever the suite did', () => {
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    assert.equal(upload?.uses, 'actions/upload-artifact@v4');
    assert.equal(upload?.if, 'always()');
    const paths = String(upload?.with?.path).split('\n').map((p) => p.trim());
    assert.ok(paths.includes('store/') && paths.includes('junit.xml'), paths.join(' '));
  });

  it("names a suite file that exists, shares the store the workflow uploads, and the suite's fields only", () => {
    const suiteArgs = commands.find((c) => c[0] === 'suite');
    assert.ok(suiteArgs);
    const path = join(root, suiteArgs[1]);
    assert.ok(existsSync(path), path);
    const suite = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    assert.equal(suite.store, 'store');
    const known = ['name', 'targets', 'workloads', 'nemeses', 'seeds', 'runtimes', 'timeLimit', 'store', 'include', 'exclude'];
    for (const k of Object.keys(suite)) assert.ok(known.includes(k), `unexpected suite field ${k}`);
    const include = suite.include as Record<string, unknown>[];
    assert.equal(include.filter((t) => t.runtime === 'docker').length, 2);
  });

  it('contains faultline commands', () => {
    assert.ok(commands.length >= 2, JSON.stringify(commands));
  });

  // Each command exactly as the workflow writes it, with --help. Commander answers an unknown command followed by
  // --help with the help of the level above, exit 0: so the help shown must be the named (sub)command's own,
  // whose words are those before the first argument (a path, a flag).
  for (const args of commands) {
    it(`faultline ${args.join(' ')} --help exits 0 with that command's help`, () => {
      const r = faultline([...args, '--help']);
      assert.equal(r.code, 0, r.stderr);
      const words = args.slice(0, args.findIndex((a) => !/^[a-z][a-z-]*$/.test(a)) >>> 0);
      const usage = /^Usage: faultline ((?:[a-z][a-z-]* )*)\[options\]/.exec(r.stdout);
      assert.ok(usage, r.stdout.split('\n')[0]);
      assert.deepEqual(usage[1].trim().split(' '), words, r.stdout.split('\n')[0]);
    });
  }
});
