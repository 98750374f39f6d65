import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { nemesisPairs } from '../../checkers/history/nemesis-pairs.js';
import { faultlineAsync } from '../support/cli.js';
import { removeDir, tempDir } from '../support/host-process.js';
import { startPostgres, startRaftNodes, startRedis } from '../support/host-servers.js';
import { startStaleReadRedis } from '../support/stale-router.js';

/**
 * `faultline run --runtime external` end to end, as a user runs it: the real CLI against servers started on
 * loopback as the user's own (redis-server, PostgreSQL, three `faultline node raft-kv` processes), under the fault
 * proxy's client faults. Each claim is one short seeded run.
 */

const CLIENT_FAULTS = 'client-partition,client-latency,client-loss,client-slow';

interface Stored {
  dir: string;
  results: { valid: boolean | 'unknown'; status?: string; reason?: string; test: Record<string, unknown>; replay: string; checker: { valid: unknown } };
  history: { process: number | string; type: string; f: string; error?: string }[];
}

/** The run `latest` points at in a store. */
function latestRun(store: string): Stored {
  const dir = realpathSync(join(store, 'latest'));
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Stored['results'];
  const history = readFileSync(join(dir, 'history.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Stored['history'][number]);
  return { dir, results, history };
}

/** The nemesis's records of one fault kind: its starts' completions, each without an error (the fault was in force). */
function inForce(history: Stored['history'], kind: string): number {
  const starts = nemesisPairs(history).flatMap((p) => (p.complete?.f === `start-${kind}` ? [p.complete] : []));
  for (const s of starts) assert.equal(s.error, undefined, `start-${kind} failed: ${s.error}`);
  return starts.length;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('external runtime: faultline run against servers the user started', function () {
  this.timeout(180_000);
  let store: string;
  beforeEach(() => {
    store = tempDir('external-store');
  });
  afterEach(() => removeDir(store));

  it('redis on loopback, --nodes 127.0.0.1:PORT, is valid under the proxy faults, each in force in turn', async () => {
    const redis = await startRedis({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    try {
      const r = await faultlineAsync(['run', '--runtime', 'external', '--target', 'redis', '--nodes', redis.address, '--nemesis', CLIENT_FAULTS, '--nemesis-interval', '2', '--time-limit', '8', '--seed', '1', '--store', store, '--quiet']);
      assert.equal(r.code, 0, r.stderr);
      const run = latestRun(store);
      assert.equal(run.results.valid, true);
      for (const kind of CLIENT_FAULTS.split(',')) assert.ok(inForce(run.history, kind) >= 1, `${kind} never started`);
      // The faults bit: some client ops failed or timed out while their connections were cut or stalled.
      assert.ok(run.history.some((o) => typeof o.process === 'number' && (o.type === 'fail' || o.type === 'info')), 'no op met a fault');
      assert.ok(run.history.filter((o) => o.type === 'ok').length > 50, 'too few ops succeeded to mean anything');
    } finally {
      await redis.stop();
    }
  });

  it('a Redis that answers reads from an asynchronously replicated replica is caught serving stale reads', async () => {
    const stale = await startStaleReadRedis({ lagMs: 50 });
    try {
      const r = await faultlineAsync(['run', '--runtime', 'external', '--target', 'redis', '--nodes', stale.address, '--nemesis', 'client-latency', '--time-limit', '6', '--seed', '2', '--store', store, '--quiet']);
      assert.equal(r.code, 1, r.stderr);
      const run = latestRun(store);
      assert.equal(run.results.valid, false);
    } finally {
      await stale.stop();
    }
  });

  it('postgres with its password from the environment is valid under the proxy faults, and no file of the run holds the password', async () => {
    const secret = `s3cr3t-${process.pid}-Zq`;
    const pg = await startPostgres({ password: secret });
    try {
      const nodes = JSON.stringify([{ name: 'db1', host: pg.host, port: pg.port, user: pg.user, database: pg.database, password: { env: 'FAULTLINE_TEST_PG_PASSWORD' } }]);
      const r = await faultlineAsync(
        ['run', '--runtime', 'external', '--target', 'postgres', '--nodes', nodes, '--nemesis', 'client-partition,client-latency', '--nemesis-interval', '2', '--time-limit', '6', '--seed', '3', '--store', store],
        { FAULTLINE_TEST_PG_PASSWORD: secret },
      );
      assert.equal(r.code, 0, r.stderr);
      const run = latestRun(store);
      assert.equal(run.results.valid, true);
      assert.ok(inForce(run.history, 'client-partition') >= 1);
      // The secret search: every file of the store (history, results, run.log, report, index), and what was printed.
      const files = filesUnder(store);
      assert.ok(files.some((f) => f.endsWith('report.html')) && files.some((f) => f.endsWith('run.log')), 'the run stored no report or log');
      for (const f of files) assert.ok(!readFileSync(f, 'latin1').includes(secret), `${f} holds the password`);
      assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'the password was printed');
      assert.match(run.results.replay, /FAULTLINE_TEST_PG_PASSWORD/);
    } finally {
      await pg.stop();
    }
  });

  it('raft-kv on three faultline node processes the user runs is valid under the proxy faults', async () => {
    const raft = await startRaftNodes(3);
    try {
      const nodes = raft.nodes.map((n) => `${n.id}=${n.host}:${n.port}`).join(',');
      const r = await faultlineAsync(['run', '--runtime', 'external', '--target', 'raft-kv', '--nodes', nodes, '--nemesis', 'client-partition:primary,client-latency', '--nemesis-interval', '2', '--time-limit', '8', '--seed', '4', '--store', store, '--quiet']);
      assert.equal(r.code, 0, r.stderr);
      const run = latestRun(store);
      assert.equal(run.results.valid, true);
      assert.ok(inForce(run.history, 'client-partition') >= 1);
    } finally {
      await raft.stop();
    }
  });

  it('an unreachable node is one line naming it, exit 254, and the run is recorded as an error with that reason', async () => {
    const redis = await startRedis();
    const port = redis.port;
    await redis.stop();
    const r = await faultlineAsync(['run', '--runtime', 'external', '--target', 'redis', '--nodes', `127.0.0.1:${port}`, '--store', store, '--quiet']);
    assert.equal(r.code, 254);
    // After the line saying what runs, the one error line, and no stack trace.
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines[lines.length - 1], `faultline: cannot reach n1's redis at 127.0.0.1:${port}: connection refused`);
    assert.ok(lines.length <= 2 && !/\n\s+at /.test(r.stderr), r.stderr);
    // The definition was accepted: the run that could not start is in the store, with its reason.
    const run = latestRun(store);
    assert.deepEqual([run.results.valid, run.results.status, run.results.reason], ['unknown', 'error', `cannot reach n1's redis at 127.0.0.1:${port}: connection refused`]);
    assert.deepEqual(run.history, []);
    const log = readFileSync(join(run.dir, 'run.log'), 'utf8').trimEnd().split('\n');
    assert.match(log[log.length - 1], /ERROR the run could not go on: cannot reach n1's redis/);
    assert.match(readFileSync(join(store, 'index.html'), 'utf8'), /Could not run<\/span> <span class="reason">cannot reach n1&#39;s redis at /);
  });
});
