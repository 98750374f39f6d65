import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../../../harness/builtins.js';
import { parseDefinition } from '../../../harness/config/index.js';
import { runTest, type RunOutcome } from '../../../harness/run.js';
import { SimRuntime } from '../../../harness/runtimes/sim/runtime.js';
import type { RingConfig } from '../../../targets/sharded-kv/configuration.js';
import { EXPOSING_NEMESES, GENERIC_NEMESIS } from '../../../targets/sharded-kv/nemeses.js';
import { consistentHashing, DEFAULT_VNODES } from '../../../targets/sharded-kv/ring.js';
import { ShardNode } from '../../../targets/sharded-kv/shard.js';
import { shardedKv } from '../../../targets/sharded-kv/sim.js';
import { simDriver } from '../../support/sim-driver.js';

/** A sharded-kv cluster in the simulation (shards n1–n5, n5 a spare; config group cfg1–cfg3), driven step by step. */
async function shardedCluster(bug?: string, options: Record<string, unknown> = {}) {
  const runtime = new SimRuntime(new Map([['sharded-kv', shardedKv]]), { seed: 1, latency: { min: 1, max: 5 } });
  const cluster = await runtime.start('sharded-kv', { nodes: 5, bug, seed: 1, options });
  const driver = simDriver(runtime);
  const shard = (id: string): ShardNode => {
    const p = runtime.net.programs().get(id);
    if (!(p instanceof ShardNode)) throw new Error(`${id} is not running`);
    return p;
  };
  const configOf = (id: string): RingConfig | undefined => shard(id).config;
  const stable = (id: string, pred: (c: RingConfig) => boolean) => () => {
    const c = configOf(id);
    return c !== undefined && c.from === undefined && pred(c);
  };
  return { runtime, cluster, shard, configOf, stable, ...driver };
}

const ring = consistentHashing(DEFAULT_VNODES);
const read = (key: string) => ({ f: 'read', key, value: null });
const write = (key: string, value: number) => ({ f: 'write', key, value });
/** A key the ring gives to `owner` among `members` (so a test knows which shard a key moves to). */
const keyOwnedBy = (owner: string, members: string[]) => {
  for (let i = 0; ; i++) if (ring.owners(members, `k${i}`, 1)[0] === owner) return `k${i}`;
};

describe('sharded-kv (simulation): the ring, hand-offs and fencing', function () {
  this.timeout(60_000);

  it('forms its ring at epoch 1 from every shard but the spare, and serves a write then a read', async () => {
    const { cluster, invoke, waitFor, stable, configOf } = await shardedCluster();
    assert.ok(await waitFor(stable('n1', (c) => c.epoch === 1)), 'epoch 1 decided');
    assert.deepEqual(configOf('n1')!.members, ['n1', 'n2', 'n3', 'n4']);
    assert.deepEqual(await invoke(cluster.client(0), write('k1', 3)), { type: 'ok', value: 3 });
    assert.deepEqual(await invoke(cluster.client(1), read('k1')), { type: 'ok', value: 3 });
    assert.deepEqual(cluster.faults.membership?.members(), ['n1', 'n2', 'n3', 'n4']);
  });

  it('a join hands the joiner the keys it now owns, written before it joined', async () => {
    const { cluster, invoke, waitFor, stable, shard } = await shardedCluster();
    const key = keyOwnedBy('n5', ['n1', 'n2', 'n3', 'n4', 'n5']);
    assert.ok(await waitFor(stable('n1', (c) => c.epoch === 1)));
    assert.deepEqual(await invoke(cluster.client(0), write(key, 7)), { type: 'ok', value: 7 });
    cluster.faults.membership!.join('n5');
    assert.ok(await waitFor(stable('n5', (c) => c.members.includes('n5')), 5000), 'n5 joined and the hand-off settled');
    assert.equal(shard('n5').replica.get(JSON.stringify(key)).value, 7, 'the joiner holds the key it was handed');
    assert.deepEqual(await invoke(cluster.client(1), read(key)), { type: 'ok', value: 7 });
  });

  it('no-handoff: the joiner owns the key but never received it, and a read there misses the write', async () => {
    const { cluster, invoke, waitFor, stable } = await shardedCluster('no-handoff');
    const key = keyOwnedBy('n5', ['n1', 'n2', 'n3', 'n4', 'n5']);
    assert.ok(await waitFor(stable('n1', (c) => c.epoch === 1)));
    assert.deepEqual(await invoke(cluster.client(0), write(key, 7)), { type: 'ok', value: 7 });
    cluster.faults.membership!.join('n5');
    assert.ok(await waitFor(stable('n5', (c) => c.members.includes('n5')), 5000));
    assert.deepEqual(await invoke(cluster.client(1), read(key)), { type: 'ok', value: null });
  });

  it('a falsely suspected shard is removed only once fenced: the hand-off waits for it, and afterwards it refuses the old epoch', async () => {
    const { cluster, waitFor, stable, configOf, request, sleep } = await shardedCluster();
    assert.ok(await waitFor(stable('n2', (c) => c.epoch === 1)));
    // A pause the detector takes for a crash: the others propose n2's removal, whose hand-off needs n2's answer.
    cluster.faults.pause('n2');
    assert.ok(await waitFor(() => (configOf('n1')?.epoch ?? 0) >= 2, 3000), 'the removal of n2 was decided');
    await sleep(1500);
    const c = configOf('n1')!;
    assert.equal(c.from !== undefined, true, `still moving while n2 is paused: ${JSON.stringify(c)}`);
    cluster.faults.resume('n2');
    assert.ok(await waitFor(stable('n1', (x) => x.epoch >= 2), 3000), 'settled once n2 answered');
    assert.ok(configOf('n2')!.epoch >= 2, 'n2 was moved to the new epoch by the hand-off');
    const key = keyOwnedBy('n2', ['n1', 'n2', 'n3', 'n4']);
    const r = await request('n2', { kind: 'op', epoch: 1, op: write(key, 9) }, 500);
    assert.equal(r?.type, 'fail');
    assert.equal(r?.error, 'epoch', 'n2 refuses a router at the epoch it was removed from');
  });

  it('eager-detector: the suspect is dropped unfenced while paused, and once resumed it takes the writes that waited at the old epoch', async () => {
    const { runtime, cluster, waitFor, stable, configOf } = await shardedCluster('eager-detector');
    assert.ok(await waitFor(stable('n2', (c) => c.epoch === 1)));
    const key = keyOwnedBy('n2', ['n1', 'n2', 'n3', 'n4']);
    cluster.faults.pause('n2');
    // A router's write reaches n2 in its pause (a GC pause: the request waits in the socket).
    let reply: Record<string, unknown> | undefined;
    runtime.net.addEndpoint('router', (_from, m) => (reply = m as Record<string, unknown>));
    runtime.net.send('router', 'n2', { rid: 0, kind: 'op', epoch: 1, op: write(key, 9) });
    assert.ok(await waitFor(stable('n1', (c) => c.epoch >= 2 && !c.members.includes('n2')), 3000), 'removed and settled without n2');
    const owner = ring.owners(configOf('n1')!.members, key, 1)[0];
    cluster.faults.resume('n2');
    assert.ok(await waitFor(() => reply !== undefined, 500));
    assert.equal(reply!.type, 'ok', `n2 took the write at epoch 1 after ${owner} became the key's owner at epoch ${configOf('n1')!.epoch}: two owners`);
  });

  it('stale-ring: a shard takes a write at any epoch, for a key it does not own', async () => {
    const { waitFor, stable, request } = await shardedCluster('stale-ring');
    assert.ok(await waitFor(stable('n1', (c) => c.epoch === 1)));
    const key = keyOwnedBy('n2', ['n1', 'n2', 'n3', 'n4']);
    const r = await request('n1', { kind: 'op', epoch: 0, owners: ['n1'], op: write(key, 9) }, 500);
    assert.equal(r?.type, 'ok');
  });
});

// ---- the acceptance runs: one seeded run per claim ---------------------------------------------------------------

const store = mkdtempSync(join(tmpdir(), 'faultline-sharded-'));

function run(fields: Record<string, unknown>): Promise<RunOutcome> {
  return runTest(parseDefinition({ target: 'sharded-kv', workload: 'register', store, ...fields }, builtinRegistry().definitions()));
}

/** A run's membership changes, as the nemesis recorded them. */
const changes = (r: RunOutcome) => r.history.filter((o) => o.process === 'nemesis' && o.f === 'start-membership' && o.value !== null);

describe('sharded-kv (simulation): faultline run', function () {
  this.timeout(120_000);

  for (const options of [{}, { replication: 3 }]) {
    it(`correct ${JSON.stringify(options)}: linearizable under membership changes with partitions, kills and pauses`, async () => {
      const { faults, interval, timeLimit } = GENERIC_NEMESIS;
      const r = await run({ seed: 1, nemesis: { faults, interval }, timeLimit, options });
      assert.equal(r.valid, true);
      assert.ok(changes(r).length >= 4, `membership changed: ${JSON.stringify(changes(r).map((o) => o.value))}`);
      assert.ok(r.stats.ops.ok > 1000, `ops served: ${r.stats.ops.ok}`);
    });
  }

  for (const [bug, { faults, interval, timeLimit }] of Object.entries(EXPOSING_NEMESES)) {
    it(`${bug}: found under ${faults} (seeds until found, at most 3)`, async () => {
      const seen: string[] = [];
      for (let seed = 1; seed <= 3; seed++) {
        const r = await run({ seed, bug, nemesis: { faults, interval }, timeLimit });
        if (r.valid === false) return;
        seen.push(`seed ${seed}: ${String(r.valid)}`);
      }
      assert.fail(`not found: ${seen.join('; ')}`);
    });
  }

  it('the report draws the ring, the moves, the detector and the load: balance near 1/n, moves near K/n, pauses suspected', async () => {
    const r = await run({ seed: 3, nemesis: { faults: 'membership+pause', interval: 3 }, timeLimit: 30, options: { replication: 3, balance: 'least-outstanding' } });
    assert.equal(r.valid, true);
    const figures = new Map((r.observations?.figures ?? []).map((f) => [f.id, f]));
    assert.deepEqual([...figures.keys()].sort(), ['detector-score', 'detector-suspicions', 'load', 'ring-balance', 'ring-moves']);
    const balance = figures.get('ring-balance')!;
    const shares = balance.series[0].values as number[];
    const ideal = 100 / shares.length;
    assert.ok(Math.max(...shares) < 1.3 * ideal && Math.min(...shares) > 0.7 * ideal, `shares of 10,000 keys: ${shares} (ideal ${ideal})`);
    const moves = figures.get('ring-moves')!;
    const [moved, idealMoved] = [moves.series[0].values as number[], moves.series[1].values as number[]];
    assert.ok(moved.length >= 3, `membership changes: ${moves.x.values}`);
    moved.forEach((m, i) => assert.ok(m > 0.5 * idealMoved[i] && m < 1.5 * idealMoved[i], `${moves.x.values[i]}: ${m} % moved, ideal ${idealMoved[i]} %`));
    const score = figures.get('detector-score')!;
    assert.ok((score.series[0].values[1] as number) > 0, `paused shards were suspected: ${JSON.stringify(score.series[0].values)}`);
    assert.match(r.observations!.notes!.join('\n'), /Detection delay after a kill or pause: mean \d+ ms/);
    const load = figures.get('load')!;
    assert.equal(load.series[0].name, 'least-outstanding');
    assert.ok((load.series[0].values as number[]).every((v) => v > 0), `every shard took requests: ${load.series[0].values}`);
  });
});
