import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinCheckers } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import { stoppedRunOf } from '../../harness/api.js';
import { Registry } from '../../harness/registry.js';
import { runTest } from '../../harness/run.js';
import { processGenerator } from '../../workloads/workload.js';
import { builtinTargets } from '../../targets/index.js';
import { builtinWorkloads } from '../../workloads/index.js';
import { register } from '../../workloads/register.js';
import { faultline, root, startFaultline } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-honest-'));

interface Record {
  dir: string;
  results: { valid: unknown; status?: string; reason?: string; stats?: { ops: { invoke: number } } };
  log: string[];
  index: string;
}

/** The run `latest` points at: its results.json, its run.log's lines, and the store's index.html. */
function latest(store: string): Record {
  const dir = realpathSync(join(store, 'latest'));
  return {
    dir,
    results: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record['results'],
    log: readFileSync(join(dir, 'run.log'), 'utf8').trimEnd().split('\n'),
    index: readFileSync(join(store, 'index.html'), 'utf8'),
  };
}

/** The index's row of the one run in the store: its badge and reason. */
function indexRow(index: string): string {
  const rows = index.match(/<tr class="run [^"]*">.*?<\/tr>/g) ?? [];
  assert.equal(rows.length, 1, index);
  return rows[0];
}

/** The history the run left, checked as any history is: a verdict (0, 1 or 2), not bad input. */
function checkHistory(dir: string, ...flags: string[]): number | null {
  const r = faultline(['check', '--model', 'cas-register', ...flags, join(dir, 'history.jsonl')]);
  assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `check exited ${r.code}: ${r.stderr}`);
  return r.code;
}

describe('every accepted run leaves an honest record', () => {
  it('Docker unreachable: exit 254, results.json says error and why, run.log ends with it, the index shows it, latest points at it', () => {
    const store = join(tmp, 'unreachable');
    const r = faultline(['run', '--runtime', 'docker', '--target', 'redis', '--seed', '1', '--store', store, '--quiet'], undefined, {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    assert.equal(r.code, 254, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, r.stderr); // the run's header, then the one error line
    assert.match(lines[1], /^faultline: cannot reach Docker \(unix:\/\/\/nonexistent\/docker\.sock/);
    const run = latest(store);
    assert.equal(run.results.status, 'error');
    assert.equal(run.results.valid, 'unknown');
    assert.equal(`faultline: ${run.results.reason}`, lines[1], 'the reason is the error the CLI printed');
    assert.equal(run.results.stats?.ops.invoke, 0);
    assert.match(run.log[run.log.length - 1], /ERROR the run could not go on: cannot reach Docker/);
    const row = indexRow(run.index);
    assert.match(row, /<span class="badge v-error">Could not run<\/span> <span class="reason">cannot reach Docker \(unix:\/\/\/nonexistent\/docker\.sock/);
    assert.ok(!run.index.includes('No results'), 'not "No results"');
    assert.match(run.index, /1 could not run/);
    // The run never started: its history is empty, and still a history.
    assert.equal(readFileSync(join(run.dir, 'history.jsonl'), 'utf8'), '');
    assert.equal(checkHistory(run.dir, '--allow-empty'), 0);
  });

  it('a refusal from the declarations alone (a plugin target the local image lacks packages for) still stores nothing', () => {
    const plugin = join(tmp, 'etcd.js');
    writeFileSync(
      plugin,
      `const never = () => { throw new Error('no container may be made'); };
export default { name: 'etcd', dockerTargets: [{
  name: 'etcd-kv', description: 'etcd', bugs: [], defaultNodes: 3, operations: ['read', 'write', 'cas'],
  images: { etcd: { official: 'quay.io/coreos/etcd:v3.5.17', packages: ['etcd-server'] } },
  nodeIds: (n) => Array.from({ length: n }, (_, i) => 'n' + (i + 1)), containers: never, ready: never, open: never }] };
`,
    );
    const store = join(tmp, 'refused');
    const r = faultline(['run', '--plugin', plugin, '--runtime', 'docker', '--images', 'local', '--target', 'etcd-kv', '--seed', '1', '--store', store, '--quiet'], undefined, {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    assert.equal(r.code, 254, r.stderr);
    assert.match(r.stderr, /needs the Debian package etcd-server/);
    assert.equal(existsSync(store), false, 'nothing stored');
  });

  it('SIGINT during a run: exit 130, results.json says interrupted by SIGINT, with the ops so far; the partial history checks', async () => {
    const store = join(tmp, 'interrupted');
    // A simulated hour: far longer in wall time than it takes to see the first ops and stop it.
    const run = startFaultline(['run', '--target', 'kv-single', '--workload', 'register', '--time-limit', '3600', '--nemesis', 'none', '--seed', '5', '--store', store, '--quiet']);
    const history = () => {
      const test = existsSync(store) ? readdirSync(store).find((n) => n !== 'latest' && !n.endsWith('.html')) : undefined;
      const runs = test === undefined ? [] : readdirSync(join(store, test));
      return runs.length === 1 ? join(store, test!, runs[0], 'history.jsonl') : undefined;
    };
    for (;;) {
      const h = history();
      if (h !== undefined && existsSync(h) && statSync(h).size > 10_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(run.pid, 'SIGINT');
    const done = await run.done;
    assert.equal(done.code, 130, done.stderr);
    const rec = latest(store);
    assert.equal(rec.results.status, 'interrupted');
    assert.equal(rec.results.reason, 'SIGINT');
    assert.equal(rec.results.valid, 'unknown');
    assert.ok((rec.results.stats?.ops.invoke ?? 0) > 0, 'the ops so far are counted');
    assert.match(rec.log[rec.log.length - 1], /ERROR the run was interrupted: SIGINT$/);
    assert.match(indexRow(rec.index), /<span class="badge v-interrupted">Interrupted<\/span> <span class="reason">SIGINT<\/span>/);
    // Every op the history holds was counted; the history is whole lines, and checks.
    const lines = readFileSync(join(rec.dir, 'history.jsonl'), 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the history ends with a whole line');
    assert.equal(lines.filter((l) => (JSON.parse(l) as { type: string }).type === 'invoke').length, rec.results.stats?.ops.invoke);
    checkHistory(rec.dir);
  });

  it('a crash in the run (a plugin workload whose generator throws): exit 255, results.json says crashed and why, the partial history checks', () => {
    const plugin = join(tmp, 'exploding.js');
    const register = pathToFileURL(join(root, 'dist/workloads/register.js')).href;
    writeFileSync(
      plugin,
      `import { register } from ${JSON.stringify(register)};
// The first generator is preflight's sample; the run's own is the second, and it throws at its 200th op.
let made = 0;
const exploding = { ...register, name: 'exploding-register', generator(seed) {
  const next = register.generator(seed);
  const run = ++made > 1;
  let n = 0;
  return () => { if (run && ++n > 200) throw new Error('the generator exploded'); return next(); };
} };
export default { name: 'exploding', workloads: [exploding] };
`,
    );
    const store = join(tmp, 'crashed');
    const r = faultline(['run', '--plugin', plugin, '--target', 'kv-single', '--workload', 'exploding-register', '--seed', '2', '--time-limit', '5', '--store', store, '--quiet']);
    assert.equal(r.code, 255, r.stderr);
    assert.match(r.stderr.trim().split('\n').pop()!, /^faultline: internal error: the generator exploded$/);
    const rec = latest(store);
    assert.equal(rec.results.status, 'crashed');
    assert.equal(rec.results.reason, 'the generator exploded');
    assert.ok((rec.results.stats?.ops.invoke ?? 0) >= 200);
    assert.match(rec.log[rec.log.length - 1], /ERROR faultline crashed: the generator exploded$/);
    assert.ok(rec.log.some((l) => /ERROR +at /.test(l)), 'the stack is in the log');
    assert.match(indexRow(rec.index), /<span class="badge v-crashed">Crashed<\/span> <span class="reason">the generator exploded<\/span>/);
    checkHistory(rec.dir);
  });

  it('in process, the error runTest throws names the run it stopped and how (a refusal names none)', async () => {
    let made = 0;
    const exploding = { ...register, name: 'exploding', generator: (seed: number) => {
      const next = processGenerator(register.generator(seed));
      const run = ++made > 1; // the first generator is preflight's sample
      return () => {
        if (run) throw new TypeError('not a function, as it happens');
        return next.next(0).op;
      };
    } };
    const registry = new Registry([builtinCheckers, builtinTargets, builtinWorkloads, { name: 'mine', workloads: [exploding] }]);
    const store = join(tmp, 'in-process');
    const def = parseDefinition({ target: 'kv-single', workload: 'exploding', seed: 1, timeLimit: 1, store }, registry.definitions());
    const e = await runTest(def, { registry }).then(
      () => assert.fail('the run should have crashed'),
      (err: unknown) => err,
    );
    assert.match(String(e), /^TypeError: not a function, as it happens$/);
    const stopped = stoppedRunOf(e);
    assert.deepEqual({ ...stopped, runDir: realpathSync(stopped?.runDir ?? '') }, { runDir: realpathSync(join(store, 'latest')), status: 'crashed' });
    const refused = await runTest(parseDefinition({ target: 'kv-single', workload: 'bank', store: join(tmp, 'never') }), { registry }).catch((err: unknown) => err);
    assert.equal(stoppedRunOf(refused), undefined);
    assert.equal(existsSync(join(tmp, 'never')), false);
  });

  it('a run that ends normally says status ok next to its verdict', () => {
    const store = join(tmp, 'ok');
    const r = faultline(['run', '--target', 'kv-single', '--workload', 'register', '--time-limit', '2', '--seed', '1', '--store', store, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const rec = latest(store);
    assert.deepEqual([rec.results.valid, rec.results.status, rec.results.reason], [true, 'ok', undefined]);
    assert.match(indexRow(rec.index), /<span class="badge v-valid">Valid<\/span><\/td>/);
  });
});
