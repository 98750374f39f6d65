import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Op } from '../../../checkers/history/op.js';
import { builtinCheckers } from '../../../harness/builtins.js';
import { parseDefinition } from '../../../harness/config/index.js';
import { completeGrudge } from '../../../harness/nemesis/grudge.js';
import { Registry } from '../../../harness/registry.js';
import { runTest, type RunOutcome } from '../../../harness/run.js';
import { SimRuntime } from '../../../harness/runtimes/sim/runtime.js';
import { builtinTargets } from '../../../targets/index.js';
import { Broker } from '../../../targets/replicated-log/broker.js';
import { partitionOf } from '../../../targets/replicated-log/behaviour.js';
import { EXPOSING_NEMESES, GENERIC_NEMESIS } from '../../../targets/replicated-log/nemeses.js';
import { replicatedLog } from '../../../targets/replicated-log/sim.js';
import { builtinWorkloads } from '../../../workloads/index.js';
import type { LogResult } from '../../../checkers/log/result.js';
import { untilCaught } from '../../support/detect.js';
import { logViolations } from '../../support/log-contract.js';
import { simDriver } from '../../support/sim-driver.js';

/** A replicated-log cluster (brokers n1–n5, controller cfg1–cfg3), driven step by step. */
async function logCluster(bug?: string) {
  const runtime = new SimRuntime(new Map([['replicated-log', replicatedLog]]), { seed: 1, latency: { min: 1, max: 5 } });
  const cluster = await runtime.start('replicated-log', { nodes: 5, bug, seed: 1, options: {} });
  const broker = (id: string): Broker => {
    const p = runtime.net.programs().get(id);
    if (!(p instanceof Broker)) throw new Error(`${id} is not running`);
    return p;
  };
  /** Partition p's leader as the controller last told `id`. */
  const leaderOf = (p: number, id = 'n5') => broker(id).states.get(p)?.state.leader;
  return { runtime, cluster, broker, leaderOf, ...simDriver(runtime) };
}

/** A key the producer sends to partition p. */
const keyFor = (p: number) => Array.from({ length: 16 }, (_, i) => `k${i}`).find((k) => partitionOf(k, 4) === p)!;
const send = (p: number, value: number) => ({ f: 'send', key: keyFor(p), value });

describe('replicated-log (simulation): leaders, ISRs and the high watermark', function () {
  this.timeout(60_000);

  it('elects a leader per partition, acknowledges a send at dense offsets once every ISR member has it, and drains it', async () => {
    const { cluster, invoke, waitFor, leaderOf, broker } = await logCluster();
    assert.ok(await waitFor(() => [0, 1, 2, 3].every((p) => leaderOf(p) !== undefined)), 'every partition has a leader');
    const c = cluster.client(0);
    assert.deepEqual(await invoke(c, send(2, 10)), { type: 'ok', value: 10, extra: { partition: 2, offset: 0 } });
    assert.deepEqual(await invoke(c, send(2, 11)), { type: 'ok', value: 11, extra: { partition: 2, offset: 1 } });
    const leader = broker(leaderOf(2)!);
    const isr = leader.states.get(2)!.state.isr;
    assert.equal(isr.length, 3);
    for (const b of isr) assert.ok(broker(b).replicas.get(2)!.log.end >= 2, `${b} has both entries`);
    assert.deepEqual(await invoke(c, { f: 'drain', value: null }), { type: 'ok', value: [[2, 0, 10], [2, 1, 11]] });
    assert.deepEqual(await invoke(c, { f: 'assign', value: [2] }), { type: 'ok', value: [2] });
    assert.deepEqual(await invoke(c, { f: 'poll', value: null }), { type: 'ok', value: [[2, 0, 10], [2, 1, 11]] });
    assert.deepEqual(await invoke(c, { f: 'poll', value: null }), { type: 'ok', value: [] }, 'the position moved past what was read');
  });

  it('the group faultline: a batch read by a consumer that died before committing goes to the next poll of any member', async () => {
    const { cluster, invoke, waitFor, leaderOf, request } = await logCluster();
    assert.ok(await waitFor(() => leaderOf(3) !== undefined));
    const producer = cluster.client(0);
    for (let v = 1; v <= 3; v++) assert.equal((await invoke(producer, send(3, v))).type, 'ok');
    // A consumer crashes mid-batch: it read from the group's offset, and never committed.
    const read = await request(leaderOf(3)!, { kind: 'group-read', partition: 3, max: 64 }, 500);
    assert.deepEqual(read?.entries, [[0, 1], [1, 2], [2, 3]]);
    const c = cluster.client(3); // its first group poll is partition 3 % 4
    assert.deepEqual(await invoke(c, { f: 'subscribe', value: null }), { type: 'ok', value: null });
    assert.deepEqual(await invoke(c, { f: 'poll', value: null }), { type: 'ok', value: [[3, 0, 1], [3, 1, 2], [3, 2, 3]] }, 'delivered again');
    for (let i = 0; i < 4; i++) assert.equal((await invoke(c, { f: 'poll', value: null })).type, 'ok');
    const again = await request(leaderOf(3)!, { kind: 'group-read', partition: 3, max: 64 }, 500);
    assert.deepEqual(again?.entries, [], 'committed past the batch once the poll completed');
  });

  it('a killed leader is replaced from the ISR in a new epoch, keeps every acknowledged entry, and rejoins the ISR once caught up', async () => {
    const { cluster, invoke, waitFor, leaderOf, broker } = await logCluster();
    assert.ok(await waitFor(() => leaderOf(1) !== undefined));
    const c = cluster.client(0);
    for (let v = 1; v <= 5; v++) assert.equal((await invoke(c, send(1, v))).type, 'ok');
    const old = leaderOf(1)!;
    const epoch = broker('n5').states.get(1)!.state.epoch;
    cluster.faults.kill(old);
    assert.ok(await waitFor(() => leaderOf(1) !== old && leaderOf(1) !== undefined, 3000), 'a new leader');
    assert.equal(broker('n5').states.get(1)!.state.epoch, epoch + 1);
    assert.ok(!broker('n5').states.get(1)!.state.isr.includes(old), 'the old leader left the ISR');
    assert.deepEqual(await invoke(c, send(1, 6)), { type: 'ok', value: 6, extra: { partition: 1, offset: 5 } });
    cluster.faults.restart(old);
    assert.ok(await waitFor(() => broker('n5').states.get(1)!.state.isr.includes(old), 3000), 'back in the ISR');
    const d = await invoke(c, { f: 'drain', value: null });
    assert.deepEqual(d.value, [1, 2, 3, 4, 5, 6].map((v, o) => [1, o, v]));
  });

  it('ack-before-replicate: a send acknowledged by a leader killed before its followers fetched is gone after the failover', async () => {
    const { cluster, invoke, waitFor, leaderOf, sleep, broker } = await logCluster('ack-before-replicate');
    assert.ok(await waitFor(() => leaderOf(0) !== undefined));
    const c = cluster.client(0);
    assert.equal((await invoke(c, send(0, 1))).type, 'ok');
    await sleep(100); // the followers fetch it
    const old = leaderOf(0)!;
    // The leader's fetches from its followers are cut: it acknowledges at once, and dies before any arrives.
    const others = ['n1', 'n2', 'n3', 'n4', 'n5'].filter((b) => b !== old);
    cluster.faults.partition(completeGrudge([[old], others]));
    const acked = await invoke(c, send(0, 2));
    cluster.faults.kill(old);
    cluster.faults.heal();
    assert.deepEqual(acked.extra, { partition: 0, offset: 1 });
    assert.ok(await waitFor(() => leaderOf(0) !== old, 3000));
    assert.equal((await invoke(c, send(0, 3))).type, 'ok');
    const d = await invoke(cluster.client(1), { f: 'drain', value: null });
    assert.deepEqual(d.value, [[0, 0, 1], [0, 1, 3]], 'offset 1 now holds another value');
    // The old leader comes back with its own entry at offset 1 (epoch 1): its fetch finds the divergence, and it
    // truncates to the new leader's log.
    cluster.faults.restart(old);
    const values = () => broker(old).replicas.get(0)!.log.entries.map((e) => e.value);
    assert.deepEqual(values(), [1, 2], 'its durable log, before it fetched');
    assert.ok(await waitFor(() => values().join() === '1,3', 2000), `converged: ${values()}`);
  });
});

// ---- the acceptance runs: one seeded run per claim ---------------------------------------------------------------

const store = mkdtempSync(join(tmpdir(), 'faultline-rlog-'));
// The log workload and checker judge the runs (r.valid); logViolations is the test's own reading of the contract,
// an independent check of the same histories.
const registry = new Registry([builtinCheckers, builtinTargets, builtinWorkloads]);

function run(fields: Record<string, unknown>): Promise<RunOutcome> {
  const def = parseDefinition({ target: 'replicated-log', workload: 'log', store, ...fields }, registry.definitions());
  return runTest(def, { registry });
}

const acked = (h: readonly Op[]) => h.filter((o) => o.type === 'ok' && o.f === 'send').length;
/** Changes won at the controller, by kind, over every broker (the target's observations). */
const won = (r: RunOutcome, kind: string) => {
  const series = r.observations?.figures.find((f) => f.id === 'controller-changes')?.series.find((s) => s.name === kind);
  return (series?.values ?? []).reduce<number>((a, b) => a + (b ?? 0), 0);
};

describe('replicated-log (simulation): faultline run', function () {
  this.timeout(300_000);

  for (const faults of ['kill', 'pause', 'partition', GENERIC_NEMESIS.faults]) {
    for (const seed of [1, 2, 3]) {
      it(`correct, seed ${seed}, --nemesis ${faults}: every acknowledged send drained at its offset, one value per offset`, async () => {
        const r = await run({ seed, nemesis: { faults, interval: GENERIC_NEMESIS.interval }, timeLimit: GENERIC_NEMESIS.timeLimit });
        assert.deepEqual(logViolations(r.history).slice(0, 10), []);
        assert.equal(r.valid, true);
        assert.ok(acked(r.history) > 500, `sends acknowledged: ${acked(r.history)}`);
        assert.ok(won(r, 'election') >= 2 && won(r, 'shrink') >= 2, `elections ${won(r, 'election')}, ISR shrinks ${won(r, 'shrink')}`);
      });
    }
  }

  // The brokers' bugs lose entries from the log, which the contract's own reading sees too; commit-before-process
  // loses them for the consumer group only (below).
  for (const [bug, { faults, interval, timeLimit }] of Object.entries(EXPOSING_NEMESES).filter(([b]) => b !== 'commit-before-process')) {
    it(`${bug}: found under ${faults} (seeds until found, at most 3)`, async () => {
      const seen: string[] = [];
      for (let seed = 1; seed <= 3; seed++) {
        const r = await run({ seed, bug, nemesis: { faults, interval }, timeLimit });
        const found = logViolations(r.history);
        if (found.some((v) => /^(lost-write|inconsistent-offsets)/.test(v))) return;
        seen.push(`seed ${seed}: ${found.slice(0, 3).join('; ') || 'nothing'}`);
      }
      assert.fail(`not found: ${seen.join(' | ')}`);
    });
  }

  for (const seed of [1, 2, 3]) {
    it(`correct, seed ${seed}, --nemesis crash-client: every batch a crashed group member read is delivered to another`, async () => {
      const r = await run({ seed, nemesis: { faults: 'crash-client', interval: 2 }, timeLimit: 10 });
      assert.deepEqual(logViolations(r.history).slice(0, 10), []);
      assert.equal(r.valid, true, JSON.stringify((r.check as LogResult).anomalyCounts));
      const crashes = r.history.filter((o) => o.f === 'poll' && o.type === 'info' && /^crashed mid-batch: .*, committed none$/.test(String(o.error)));
      assert.ok(crashes.length >= 3, `${crashes.length} crashes mid-batch`);
      // Each entry a crash left uncommitted was read again by the group: by a later poll of another member, or its final read.
      for (const c of crashes) {
        for (const [p, o] of c.unacked as [number, number, number][]) {
          const again = r.history.some((x) => x.index > c.index && x.type === 'ok' && (x.f === 'poll' || x.f === 'drain-group') && x.process !== c.process && (x.value as number[][]).some(([q, u]) => q === p && u === o));
          assert.ok(again, `${p}/${o}, left by the crash op ${c.index}, was delivered again`);
        }
      }
    });
  }

  it('commit-before-process: found under crash-client as entries the group never delivered (seeds until found, within 30 s of test time)', async () => {
    const { faults, interval, timeLimit } = EXPOSING_NEMESES['commit-before-process'];
    const found = await untilCaught((seed, t) => run({ seed, bug: 'commit-before-process', nemesis: { faults, interval }, timeLimit: t }), { perRun: timeLimit, budget: 30 });
    const log = found.check as LogResult;
    assert.ok(log.anomalyCounts['group-lost'] > 0, JSON.stringify(log.anomalyCounts));
    // The log itself lost nothing: only the group skipped what its crashed member had read and committed past.
    assert.deepEqual(logViolations(found.history).slice(0, 10), []);
    const g = log.groupLost[0];
    assert.ok(g.heldBy !== undefined, 'a crashed poll held it');
    assert.match(String(found.history[g.heldBy.completeIndex].error), /^crashed mid-batch: read \d+ entries of partition \d+, committed past offset \d+$/);
  });

});
