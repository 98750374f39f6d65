import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { explainLock, type LockResult } from '../../checkers/lock/index.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import { runTest } from '../../harness/api.js';
import { UsageError } from '../../harness/errors.js';
import type { RunOutcome } from '../../harness/run.js';
import type { Client } from '../../harness/runtime.js';
import { removeLeftovers } from '../../harness/runtimes/docker/cleanup.js';
import { DockerCluster } from '../../harness/runtimes/docker/cluster.js';
import { lockName } from '../../targets/lock/client.js';
import { REDIS_PORT } from '../../targets/redis/server.js';
import { redlock } from '../../targets/redlock/docker.js';
import { quorumOf, Redlock, validityOf } from '../../targets/redlock/redlock.js';
import { ServerLink } from '../../targets/redlock/server-link.js';
import { invoke, sleep } from '../support/client-ops.js';
import { untilCaught } from '../support/detect.js';
import { docker, runResources, testImages } from '../support/docker.js';

const SERVERS = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('redlock target: its layout and arithmetic', () => {
  it('is n1 … nN Redis servers and pg; N must be odd and at least 3, refused in one line', () => {
    assert.deepEqual(redlock.nodeIds(0), [...SERVERS, 'pg']);
    assert.deepEqual(redlock.nodeIds(3), ['n1', 'n2', 'n3', 'pg']);
    assert.deepEqual(redlock.bystanders, ['pg'], 'faults spare the protected resource');
    for (const n of [1, 2, 4, 6]) assert.throws(() => redlock.nodeIds(n), (e: unknown) => e instanceof UsageError && /odd number of Redis servers, at least 3 \(--nodes \d\)$/.test(e.message));
  });

  it("grants on N/2 + 1 servers within ttl − elapsed − (1% of ttl + 2 ms)", () => {
    assert.deepEqual([3, 5, 7].map(quorumOf), [2, 3, 4]);
    assert.equal(validityOf(1000, 30), 958);
    assert.ok(validityOf(1000, 988) <= 0, 'an acquisition that took the lease less the drift is no grant');
  });
});

describe('redlock target (docker): the algorithm against five real servers', function () {
  this.timeout(120_000);
  let cluster: DockerCluster | undefined;
  const opened: { close(): void }[] = [];
  let admins: Map<string, Redis>;

  /** A Redlock of one process of its own (its own connections), with a lease of `ttl` ms. */
  const service = (ttl = 1000) => {
    const links = SERVERS.map((n) => new ServerLink(n, cluster!.view.endpoint(n, REDIS_PORT)));
    const s = new Redlock(links, ttl);
    opened.push(s);
    return s;
  };
  /** What each server holds under `key` now, asked by the test's own connections. */
  const values = async (key: string) => Object.fromEntries(await Promise.all(SERVERS.map(async (n) => [n, await admins.get(n)!.get(key)] as const)));
  const client = (process: number): Client => {
    const c = cluster!.client(process);
    opened.push(c);
    return c;
  };

  before(async () => {
    cluster = await DockerCluster.start(docker, redlock, { nodes: 5, options: {}, images: await testImages(redlock) });
    admins = new Map(SERVERS.map((n) => [n, new Redis({ ...cluster!.view.endpoint(n, REDIS_PORT), lazyConnect: false, maxRetriesPerRequest: 1 })]));
  });

  after(async () => {
    for (const o of opened) o.close();
    for (const a of admins?.values() ?? []) a.disconnect();
    if (cluster) {
      await cluster.stop().catch(() => undefined);
      await removeLeftovers(docker, { runId: cluster.runId }).catch(() => undefined);
    }
  });

  it('a majority grants the lock, a second holder gets nothing until it is released, and release removes it from every server', async () => {
    const a = service();
    const b = service();
    const g = await a.acquire('t:basic', Date.now() + 1000);
    assert.ok(g);
    assert.deepEqual(g.nodes, SERVERS);
    assert.deepEqual(await values('t:basic'), Object.fromEntries(SERVERS.map((n) => [n, g.lease])));
    assert.equal(await b.acquire('t:basic', Date.now() + 300), undefined, 'held: the second acquire runs out of time');
    assert.equal(await a.release(g), true);
    assert.deepEqual(Object.values(await values('t:basic')), [null, null, null, null, null]);
    assert.equal(await a.release(g), false, 'released twice: nothing of ours is left');
    const h = await b.acquire('t:basic', Date.now() + 1000);
    assert.ok(h && h.lease !== g.lease);
    assert.equal(await b.release(h), true);
  });

  it('a lease that ran out is no longer the holder’s: its release resolves false', async () => {
    const a = service(200);
    const g = await a.acquire('t:expired', Date.now() + 1000);
    assert.ok(g);
    await sleep(400);
    assert.equal(await a.release(g), false);
  });

  it('two servers paused: the other three grant it; three paused: the acquire rejects (it cannot tell), and once resumed nothing of it is left', async () => {
    await cluster!.faults.pause('n1');
    await cluster!.faults.pause('n2');
    try {
      const a = service();
      const g = await a.acquire('t:paused', Date.now() + 1000);
      assert.ok(g);
      assert.deepEqual(g.nodes, ['n3', 'n4', 'n5']);
      assert.equal(await a.release(g), true, 'deleted on three of five: a majority');
      await cluster!.faults.pause('n3');
      const b = service();
      // Its SETs reach the paused servers and go unanswered: they may land on a majority when the servers resume.
      await assert.rejects(b.acquire('t:paused-3', Date.now() + 300), /may be on a majority \(n1, n2, n3\)/);
    } finally {
      for (const n of ['n1', 'n2', 'n3']) await cluster!.faults.resume(n);
    }
    // Every SET went out on the connection that then sent its compare-and-delete: the servers ran both, in order.
    await sleep(200);
    assert.deepEqual(Object.values(await values('t:paused-3')), [null, null, null, null, null]);
  });

  it("the target's client: acquire with a fencing token and the granting servers, read and write under it, release", async () => {
    const c = client(0);
    const a = await invoke(c, { f: 'acquire', key: 0, value: null });
    assert.equal(a.type, 'ok', JSON.stringify(a));
    const grant = a.value as { token: number; lease: string; redisKey: string; nodes: string[] };
    assert.ok(Number.isInteger(grant.token) && grant.token > 0);
    assert.equal(grant.redisKey, lockName(0));
    assert.deepEqual(grant.nodes, SERVERS);
    const r = await invoke(c, { f: 'read', key: 0, value: null });
    assert.equal(r.type, 'ok', JSON.stringify(r));
    const before = (r.value as { value: number }).value;
    assert.deepEqual(await invoke(c, { f: 'write', key: 0, value: null }), { type: 'ok', value: { value: before + 1, token: grant.token, fenced: true } });
    assert.deepEqual(await invoke(c, { f: 'release', key: 0, value: null }), { type: 'ok', value: { lease: grant.lease } });
    // A later holder's token is higher: the resource now refuses the first one's.
    const d = client(1);
    const b = await invoke(d, { f: 'acquire', key: 0, value: null });
    assert.equal(b.type, 'ok');
    assert.ok((b.value as { token: number }).token > grant.token);
    assert.equal((await invoke(d, { f: 'release', key: 0, value: null })).type, 'ok');
  });
});

// ---- the acceptance runs ---------------------------------------------------------------------------------------

const store = mkdtempSync(join(tmpdir(), 'faultline-redlock-'));

/** One `faultline run` of the lock workload on redlock, in process; it must leave nothing behind. */
async function run(fields: Record<string, unknown>): Promise<RunOutcome> {
  const def = parseDefinition({ runtime: 'docker', target: 'redlock', workload: 'lock', store, timeLimit: 10, ...fields }, builtinRegistry().definitions());
  const outcome = await runTest(def);
  assert.deepEqual(await runResources(process.pid), { containers: [], networks: [] }, 'the run removed its containers and network');
  return outcome;
}

const lockOf = (r: RunOutcome): LockResult => {
  assert.equal(r.check.checker, 'lock');
  return r.check as LockResult;
};
const summary = (l: LockResult) =>
  `valid ${String(l.valid)}; holds ${l.keys[0]?.acquired}, writes ${l.keys[0]?.okWrites}, refused ${l.keys[0]?.refused}; ${l.overlaps.length} overlaps, ${l.lostUpdates.length} lost updates`;

describe('redlock target (docker): faultline run --workload lock', function () {
  this.timeout(180_000);

  it('without fencing, a holder paused past its lease writes back a stale value: increments lost (invalid)', async () => {
    // Found in 4 of 5 seeds of 10 s (bench/detect-locks.ts): successive seeds until found, within 20 s of test time.
    const r = await untilCaught((seed, timeLimit) => run({ bug: 'no-fencing', nemesis: 'pause-client', seed, timeLimit }), {
      perRun: 10,
      budget: 20,
      describe: (o) => summary(lockOf(o)),
    });
    const l = lockOf(r);
    assert.equal(l.fencing, 'none');
    assert.ok(l.lostUpdates.length + l.overwritten.length > 0, summary(l));
    assert.equal(l.mutualExclusion, false, 'two clients held the lock at once');
    // The two writers of a lost increment were two holders at once (not only the holds the run's end left open).
    const lost = l.lostUpdates[0];
    if (lost) {
      const writers = new Set(lost.writes.map((w) => w.process));
      assert.ok(l.overlaps.some((o) => writers.has(o.first.process) && writers.has(o.second.process)), JSON.stringify(lost));
    }
  });

  it("without fencing, a clock jumping ahead on a majority of servers expires the holder's keys: a second holder, increments lost (invalid)", async () => {
    // Found in 5 of 5 seeds of 10 s here (bench/detect-locks.ts), but a CI machine once missed in two seeds: successive
    // seeds until found, within 40 s of test time (the faults each run began are in the message of a miss).
    const r = await untilCaught((seed, timeLimit) => run({ bug: 'no-fencing', nemesis: 'clock:majority', seed, timeLimit }), {
      perRun: 10,
      budget: 40,
      describe: (o) => summary(lockOf(o)),
    });
    const l = lockOf(r);
    assert.ok(l.lostUpdates.length + l.overwritten.length > 0, summary(l));
    // No process stalled: the two holders overlapped because servers' clocks, not the holder, ran past the lease.
    assert.ok(l.overlaps.length > 0, summary(l));
  });

  it('fenced, under the same pauses: mutual exclusion is violated, the resource refuses the stale holder and stays safe (valid)', async () => {
    // Every run must be valid; a pause that lands inside a critical section (not every one does, and the second
    // pause ends with the run) shows the fencing at work: seeds until one does, within a budget of two runs.
    const seen: string[] = [];
    for (const seed of [1, 2]) {
      const l = lockOf(await run({ nemesis: 'pause-client', seed }));
      assert.equal(l.valid, true, summary(l));
      assert.equal(l.fencing, 'all');
      assert.deepEqual([l.lostUpdates, l.overwritten, l.fencingViolations], [[], [], []]);
      if (!l.mutualExclusion && l.keys[0].refused > 0) {
        // A holder whose lease ran out under it (its release found the lock gone) overlapped the next one.
        assert.ok(l.overlaps.some((o) => o.first.end === 'lost'), summary(l));
        assert.match(explainLock(l), /Mutual exclusion was violated, and fencing kept the resource safe/);
        return;
      }
      seen.push(`seed ${seed}: ${summary(l)}`);
    }
    assert.fail(`no run had a stale holder refused by the resource:\n${seen.join('\n')}`);
  });

  it('fenced, under the same clock jumps on a majority: two holders at once, and the resource stays safe (valid)', async () => {
    // Every run must be valid; a jump that lands while a holder holds shows two holders: seeds until one does.
    const seen: string[] = [];
    for (const seed of [1, 2, 3]) {
      const l = lockOf(await run({ nemesis: 'clock:majority', seed }));
      assert.equal(l.valid, true, summary(l));
      assert.equal(l.fencing, 'all');
      assert.deepEqual([l.lostUpdates, l.overwritten, l.fencingViolations], [[], [], []]);
      if (!l.mutualExclusion) return;
      seen.push(`seed ${seed}: ${summary(l)}`);
    }
    assert.fail(`no jump expired a holder's keys while it held them:\n${seen.join('\n')}`);
  });
});
