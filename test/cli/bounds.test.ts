import assert from 'node:assert/strict';
import { faultline, tempFiles } from '../support/cli.js';

/**
 * `faultline run` and `check` refuse what they cannot run before anything starts: one line, exit 254 (each of
 * these once aborted V8, ran for minutes, never ended, or crashed with 255). The messages themselves are the
 * config tests'; here, what a CI job sees: the exit code, one line on stderr, nothing on stdout, no store entry.
 */
describe('CLI: bounds checked before a run starts', () => {
  const file = tempFiles('faultline-bounds-');
  const store = file('.keep', '').replace(/\.keep$/, 'store');

  const refused = (args: string[], re: RegExp) => {
    const r = faultline(['run', ...args, '--store', store, '--quiet']);
    assert.equal(r.code, 254, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], re);
  };

  for (const [args, re] of [
    [['--nodes', '3abc'], /^faultline: --nodes: expected a node count or a comma-separated list .*got '3abc'$/],
    [['--nodes', '1000'], /^faultline: --nodes: expected at most 64 nodes/],
    [['--concurrency', '1e9'], /^faultline: --concurrency: expected at most 10000 client processes/],
    [['--time-limit', '1e20'], /^faultline: --time-limit: expected at most 86400 seconds/],
    [['--nemesis-interval', '1e-9'], /^faultline: --nemesis-interval: expected at least 0\.1 seconds/],
    [['--rate', '1e20'], /^faultline: --rate: expected at most 1000000 ops per second/],
  ] as [string[], RegExp][]) {
    it(`refuses ${args.join(' ')} with exit 254`, () => refused(args, re));
  }

  it('refuses a config nested 5,000 deep and one with 101 aliases with exit 254, not 255', () => {
    refused(['--config', file('deep.json', `{"options": {"a": ${'['.repeat(5000)}${']'.repeat(5000)}}}`)], /deep\.json:1: nested more than 100 levels deep/);
    refused(['--config', file('deep.yaml', `options:\n  a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`)], /deep\.yaml:2: nested more than 100 levels deep/);
    const aliases = `options:\n  base: &a [1]\n  x: [${Array.from({ length: 101 }, () => '*a').join(', ')}]\n`;
    refused(['--config', file('aliases.yaml', aliases)], /aliases\.yaml: invalid YAML: too many aliases/);
  });

  it('warns on stderr when the nemesis interval leaves no time for a fault, and runs', () => {
    const r = faultline(['run', '--time-limit', '0.5', '--nemesis', 'partition', '--nemesis-interval', '2', '--seed', '1', '--store', store, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^faultline: warning: no fault will begin: the nemesis waits half an interval \(1 s\) before its first fault, and the time limit is 0\.5 s/m);
  });

  it('check --workers is capped at the keys and says so', () => {
    const lines: string[] = [];
    for (const k of [1, 2]) lines.push(`{"process":${k},"type":"invoke","f":"write","value":[${k},1]}`, `{"process":${k},"type":"ok","f":"write","value":[${k},1]}`);
    const history = file('two-keys.jsonl', lines.join('\n') + '\n');
    const r = faultline(['check', '--model', 'register', '--independent', '--workers', '64', '--json', history]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /two-keys\.jsonl: workers: 64 asked, at most [12] used \((2 keys|[12] cores?)\)/);
    const out = JSON.parse(r.stdout.trim().split('\n')[0]) as { result?: { stats?: { threads: number } } };
    assert.ok((out.result?.stats?.threads ?? 0) <= 2, r.stdout);
  });

  it('refuses --workers that is not a whole number', () => {
    const r = faultline(['check', '--model', 'register', '--workers', '1.5', '-']);
    assert.equal(r.code, 254);
    assert.match(r.stderr, /^faultline: --workers must be a positive integer, got 1\.5$/m);
  });
});
