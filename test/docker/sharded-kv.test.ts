import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { builtinRegistry } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import { runTest } from '../../harness/api.js';
import { UsageError } from '../../harness/errors.js';
import type { Registry } from '../../harness/registry.js';
import type { RunOutcome } from '../../harness/run.js';
import type { DockerTarget, TargetSession } from '../../harness/runtimes/docker/target.js';
import { REDIS_PORT } from '../../targets/redis/server.js';
import { shardedKvDocker } from '../../targets/sharded-kv/docker.js';
import { EPOCH_KEY, redisKey } from '../../targets/sharded-kv/redis-scripts.js';
import { untilCaught } from '../support/detect.js';
import { runResources } from '../support/docker.js';

describe('sharded-kv target (docker): its layout and options', () => {
  it('is Redis shards n1…nN and the config group cfg1–cfg3, and takes replication 1 only', () => {
    assert.deepEqual(shardedKvDocker.nodeIds(0), ['n1', 'n2', 'n3', 'n4', 'n5', 'cfg1', 'cfg2', 'cfg3']);
    assert.deepEqual(shardedKvDocker.nodeIds(3), ['n1', 'n2', 'n3', 'cfg1', 'cfg2', 'cfg3']);
    assert.equal(shardedKvDocker.membership, true);
    const def = (options: Record<string, unknown>) =>
      parseDefinition({ runtime: 'docker', target: 'sharded-kv', workload: 'register', options }, builtinRegistry().definitions());
    assert.doesNotThrow(() => def({ replication: 1, vnodes: 64, balance: 'random' }));
    assert.throws(
      () => def({ replication: 3 }),
      (e: unknown) => e instanceof UsageError && /option 'replication': only 1 in Docker/.test(e.message) && !e.message.trim().includes('\n'),
    );
  });
});

// ---- the acceptance runs ---------------------------------------------------------------------------------------

const store = mkdtempSync(join(tmpdir(), 'faultline-sharded-kv-'));

/** One membership change asked through the session, `atMs` after the session opened (what the membership nemesis does). */
type Change = { atMs: number; change: 'join' | 'leave'; node: string };

/**
 * With the ring's default 128 vnodes the register workload's keys k0–k4 sit on n3, n4, n2, n1, n2 of n1–n4: the spare
 * n5 joining takes none of them, and n1 leaving after it hands k3 to n5.
 */
const JOIN_THEN_LEAVE: Change[] = [
  { atMs: 3000, change: 'join', node: 'n5' },
  { atMs: 6000, change: 'leave', node: 'n1' },
];

/** What the churning target saw as its session closed: the members, and n5's copy of k3 and its epoch. */
interface Seen {
  members?: readonly string[];
  n5?: { k3: string | null; epoch: string | null };
}

/** sharded-kv under its own name, asking its session's membership for `changes` on schedule. */
function churning(changes: readonly Change[], seen: Seen): Registry {
  const target: DockerTarget<'redis' | 'node'> = {
    ...shardedKvDocker,
    name: 'sharded-kv-churn',
    async open(view) {
      const session = await shardedKvDocker.open(view);
      const timers = changes.map((c) => setTimeout(() => void session.membership![c.change](c.node), c.atMs));
      const closing: TargetSession = {
        ...session,
        async close() {
          timers.forEach(clearTimeout);
          seen.members = session.membership!.members();
          const n5 = new Redis({ ...view.endpoint('n5', REDIS_PORT), lazyConnect: true, maxRetriesPerRequest: 1 });
          try {
            await n5.connect();
            seen.n5 = { k3: await n5.hget(redisKey('k3'), 'v'), epoch: await n5.get(EPOCH_KEY) };
          } finally {
            n5.disconnect();
          }
          await session.close();
        },
      };
      return closing;
    },
  };
  return builtinRegistry().use({ name: 'churn', dockerTargets: [target] });
}

/** One `faultline run` of the register workload, in process; it must leave nothing behind. */
async function run(fields: Record<string, unknown>, registry?: Registry): Promise<RunOutcome> {
  const r = registry ?? builtinRegistry();
  const def = parseDefinition({ runtime: 'docker', target: 'sharded-kv', workload: 'register', store, timeLimit: 12, ...fields }, r.definitions());
  const outcome = await runTest(def, { registry: r });
  assert.deepEqual(await runResources(process.pid), { containers: [], networks: [] }, 'the run removed its containers and network');
  return outcome;
}

const summary = (r: RunOutcome) => `valid ${String(r.valid)}; ${r.history.filter((o) => o.type === 'ok').length} ok, ${r.history.filter((o) => o.type === 'info').length} info`;

describe('sharded-kv target (docker): faultline run --workload register over Redis shards', function () {
  this.timeout(240_000);

  it('is linearizable under membership changes with partitions, kills and pauses, and its report draws the hand-offs and the detector', async () => {
    const r = await run({ nemesis: { faults: 'membership+partition,membership+kill,membership+pause', interval: 3 }, seed: 1 });
    assert.equal(r.valid, true, summary(r));
    const changes = r.history.filter((o) => o.process === 'nemesis' && o.f === 'start-membership' && o.value !== null);
    assert.ok(changes.length >= 3, `membership changes: ${JSON.stringify(changes.map((o) => o.value))}`);
    const figures = new Map((r.observations?.figures ?? []).map((f) => [f.id, f]));
    assert.deepEqual([...figures.keys()].sort(), ['detector-score', 'detector-suspicions', 'ring-balance', 'ring-moves']);
    assert.ok(figures.get('ring-moves')!.x.values.length >= 1, 'at least one hand-off drawn');
    const killed = r.history.some((o) => o.process === 'nemesis' && o.f === 'start-kill' && Array.isArray(o.value) && o.value.some((n) => String(n).startsWith('n')));
    if (killed) assert.match(r.observations!.notes!.join(' '), /Detection delay after a kill or pause: mean \d+ ms/);
  });

  it('stays linearizable while the spare joins and n1 leaves, and the spare then holds the key n1 handed it', async () => {
    const seen: Seen = {};
    const r = await run({ target: 'sharded-kv-churn', nemesis: 'partition', seed: 1 }, churning(JOIN_THEN_LEAVE, seen));
    assert.equal(r.valid, true, summary(r));
    assert.deepEqual(seen.members, ['n2', 'n3', 'n4', 'n5']);
    // Epoch 1, the join (2, nothing moved), the leave (3): n5 was fenced or raised to it and took k3.
    assert.equal(seen.n5?.epoch, '3');
    assert.ok(typeof seen.n5?.k3 === 'string', 'n5 holds k3');
    // What it holds is a value some process wrote to k3 (the workload's values are written as their JSON text).
    const written = r.history.filter((o) => o.key === 'k3' && o.type === 'invoke' && (o.f === 'write' || o.f === 'cas')).map((o) => (o.f === 'write' ? o.value : (o.value as unknown[])[1]));
    assert.ok(written.includes(JSON.parse(seen.n5.k3)), `n5's k3 ${seen.n5.k3} was written`);
  });

  /** The membership nemesis every 2 s, with partitions: what the bugs of the ring and the hand-off need. */
  const CHURN = { faults: 'membership+partition', interval: 2 };

  it('--bug no-handoff is caught: a shard that joins owns keys it never received', async () => {
    await untilCaught((seed, timeLimit) => run({ bug: 'no-handoff', nemesis: CHURN, seed, timeLimit }), { perRun: 12, budget: 36, describe: summary });
  });

  it('--bug stale-ring is caught: after a change, routers whose ring is older write where the ring no longer puts the key', async () => {
    await untilCaught((seed, timeLimit) => run({ bug: 'stale-ring', nemesis: CHURN, seed, timeLimit }), { perRun: 12, budget: 36, describe: summary });
  });

  it('--bug eager-detector is caught: a shard removed on a short silence is neither fenced nor collected, and its keys go back in time', async () => {
    // A pause every 2 s (six in a run): with `kill,pause` at the default interval a run had one pause, which a CI run
    // put on a config node in one seed and on a shard with no write waiting in the other. Found in 5 of 5 seeds of
    // this form (BENCHMARKS.md); seeds until found within 36 s.
    await untilCaught((seed, timeLimit) => run({ bug: 'eager-detector', nemesis: { faults: 'pause', interval: 2 }, seed, timeLimit }), { perRun: 12, budget: 36, describe: summary });
  });

  it('--bug seed-ring is caught: a change moves keys by modulo, the hand-off by the ring', async () => {
    await untilCaught((seed, timeLimit) => run({ bug: 'seed-ring', nemesis: CHURN, seed, timeLimit }), { perRun: 12, budget: 36, describe: summary });
  });
});
