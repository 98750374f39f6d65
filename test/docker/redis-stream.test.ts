import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTest } from '../../harness/api.js';
import { builtinCheckers } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import { Registry } from '../../harness/registry.js';
import type { RunOutcome } from '../../harness/run.js';
import { builtinTargets } from '../../targets/index.js';
import { builtinWorkloads } from '../../workloads/index.js';
import { explainLogRun, faultsBegun, untilCaught } from '../support/detect.js';
import { runResources } from '../support/docker.js';
import type { LogResult } from '../../checkers/log/result.js';
import { compareOffsets } from '../../checkers/log/offsets.js';
import { DEFAULT_PARTITIONS } from '../../workloads/log.js';

const store = mkdtempSync(join(tmpdir(), 'faultline-docker-redis-stream-'));
const registry = new Registry([builtinCheckers, builtinTargets, builtinWorkloads]);

/** A [partition, offset, value] entry, as polls and drains return them. */
type Triple = [number, string, unknown];

/** One seeded short run on redis-stream, in process, on real containers, judged by the log checker; it leaves nothing behind. */
async function run(fields: Record<string, unknown>): Promise<RunOutcome> {
  const def = parseDefinition({ runtime: 'docker', store, seed: 1, target: 'redis-stream', timeLimit: 8, ...fields }, registry.definitions());
  const outcome = await runTest(def, { registry });
  assert.deepEqual(await runResources(process.pid), { containers: [], networks: [] }, 'the run removed its containers and network');
  return outcome;
}


/** The ok group polls that claimed entries another consumer had left pending (the client's `claimed` field). */
const claimingPolls = (r: RunOutcome) => r.history.filter((op) => op.f === 'poll' && op.type === 'ok' && Array.isArray(op.claimed) && op.claimed.length > 0);

/** The contract's shapes, whatever the verdict: each send's partition is its key's, the drain is every partition in order. */
function assertContract(r: RunOutcome): void {
  const partitionOfKey = new Map<unknown, number>();
  for (const op of r.history) {
    if (op.type !== 'ok' || op.f !== 'send') continue;
    const known = partitionOfKey.get(op.key);
    assert.ok(known === undefined || known === op.partition, `key ${String(op.key)} went to partitions ${known} and ${String(op.partition)}`);
    partitionOfKey.set(op.key, op.partition as number);
  }
  assert.ok(new Set(partitionOfKey.values()).size > 1, 'the keys spread over partitions');
  const drain = r.history.filter((op) => op.f === 'drain' && op.type !== 'invoke');
  assert.equal(drain.length, 1, 'one drain');
  assert.equal(drain[0].type, 'ok', JSON.stringify(drain[0]));
  const triples = drain[0].value as Triple[];
  for (let i = 1; i < triples.length; i++) {
    const [p, o] = triples[i - 1];
    const [q, u] = triples[i];
    assert.ok(p < q || (p === q && compareOffsets(o, u) < 0), `drain out of order at ${i}: ${JSON.stringify(triples[i - 1])} ${JSON.stringify(triples[i])}`);
  }
  assert.ok(triples.every(([p]) => p >= 0 && p < DEFAULT_PARTITIONS));
}

describe('docker: redis-stream (a partitioned log on Redis Streams)', function () {
  this.timeout(300_000);

  it('one server with its append-only file fsynced always loses no acknowledged entry under kill', async () => {
    const r = await run({ nemesis: { faults: ['kill'], interval: 4 } });
    assert.match(r.replay, /--workload log /, 'the target runs the log workload unless told otherwise');
    const log = r.check as LogResult;
    assert.equal(log.checker, 'log');
    assert.equal(r.valid, true, explainLogRun(r));
    assert.match(faultsBegun(r), /start-kill/, 'the server was killed');
    assert.ok(log.counts.sendsOk > 50, explainLogRun(r));
    assert.ok(r.history.some((op) => op.f === 'send' && op.type === 'info'), `a kill left some send unknown: ${explainLogRun(r)}`);
    // Every acknowledged send is in the drain at the offset its ack named.
    const drained = new Map((r.history.find((op) => op.f === 'drain' && op.type === 'ok')!.value as Triple[]).map(([p, o, v]) => [`${p}/${o}`, v]));
    for (const op of r.history.filter((x) => x.f === 'send' && x.type === 'ok')) {
      assert.equal(drained.get(`${String(op.partition)}/${String(op.offset)}`), op.value, `send ${op.index} at ${String(op.partition)}/${String(op.offset)}`);
    }
    // Both consumer modes read.
    const polled = r.history.filter((op) => op.f === 'poll' && op.type === 'ok' && (op.value as unknown[]).length > 0);
    assert.ok(polled.length > 5, explainLogRun(r));
  });

  it('replicated without WAIT: a primary cut off by partition:primary acknowledges entries the failover loses', async () => {
    // The partition holds for the second half of each 6 s cycle: Sentinel promotes a replica within about 2 s, and the
    // processes on the old primary go on appending there; Sentinel demotes it only some 8 s after it is back (it waits
    // that long before reconfiguring a server that still says it is a primary), so they append there until the end.
    // The drain, after the heal, asks the sentinels for the primary and reads the new one: every entry the old one
    // acknowledged since the partition is missing.
    //
    // The consumers on the old primary had polled nearly all of those entries (in 8 runs, every one of them): by the
    // contract's lost-write (Jepsen's: no read ever returned the value) they are not lost, and unless some process
    // also appended on the new primary (inconsistent offsets, skips) the contract's anomalies miss the loss.
    // The log checker calls them missing: acknowledged, and absent from the drain (Jepsen's unseen, judged once the
    // final read is done), with the poll that had read each.
    const found = await untilCaught(
      (seed, timeLimit) => run({ seed, timeLimit, options: { replicated: true }, nemesis: { faults: ['partition:primary'], interval: 6 } }),
      { perRun: 10, budget: 30, describe: explainLogRun, caught: (x) => (x.check as LogResult).anomalyCounts.missing > 0 },
    );
    const log = found.check as LogResult;
    assert.equal(found.valid, false);
    const m = log.missing[0];
    const ack = found.history[m.send.completeIndex];
    assert.deepEqual([ack.type, ack.offset, ack.partition], ['ok', m.offset, m.partition]);
    // Lost after the partition began: what the primary acknowledged before had reached the replicas.
    const partitioned = found.history.find((op) => op.process === 'nemesis' && op.f === 'start-partition' && op.value !== null)!;
    assert.ok(log.missing.every((x) => x.send.time > partitioned.time - 1e9), explainLogRun(found));
    console.log(`      (${explainLogRun(found)})`);
  });

  it('in the consumer group, polls claim the entries a retired consumer left pending', async () => {
    // A pause of the server past the command time-out retires the processes polling then (info: XREADGROUP may have
    // delivered); the server runs their commands when it resumes, so entries sit pending with consumers that are
    // gone, and after CLAIM_IDLE_MS another consumer's poll claims them (XAUTOCLAIM). Ten processes, about half of
    // them group members: with five, 2 of 4 seeds had a claim, with ten 4 of 4.
    const found = await untilCaught((seed, timeLimit) => run({ seed, timeLimit, concurrency: 10, nemesis: { faults: ['pause'], interval: 4 } }), {
      perRun: 10,
      budget: 40,
      describe: explainLogRun,
      caught: (x) => claimingPolls(x).length > 0,
    });
    assertContract(found);
    assert.equal(found.valid, true, explainLogRun(found));
    const claiming = claimingPolls(found)[0];
    const claimed = claiming.claimed as [number, string][];
    const got = claiming.value as Triple[];
    for (const [p, o] of claimed) assert.ok(got.some(([q, u]) => q === p && u === o), `claimed ${p}/${o} is among the poll's entries`);
    // Someone retired mid-poll before the claim: a group poll that ended info.
    const retired = found.history.filter((op) => op.f === 'poll' && op.type === 'info' && op.index < claiming.index);
    assert.ok(retired.length > 0, explainLogRun(found));
    // Entries the group delivered are the log's: each read at the offset the drain holds it at.
    const drained = new Map((found.history.find((op) => op.f === 'drain' && op.type === 'ok')!.value as Triple[]).map(([p, o, v]) => [`${p}/${o}`, v]));
    for (const [p, o, v] of got) assert.equal(drained.get(`${p}/${o}`), v);
  });

  it('crash-client: a consumer crashed mid-batch leaves its entries pending, and another member of the group reads them', async () => {
    // The nemesis crashes a group member every 2 s: its next poll that reads entries drops its connection instead of
    // XACK. Those entries stay pending with a consumer that is gone, until a poll of another member claims them after
    // CLAIM_IDLE_MS, or the group's final read (drain-group) does: at least once, so the run is valid.
    const r = await run({ nemesis: { faults: ['crash-client'], interval: 2 } });
    const log = r.check as LogResult;
    assert.equal(r.valid, true, explainLogRun(r));
    const crashes = r.history.filter((op) => op.f === 'poll' && op.type === 'info' && /^crashed mid-batch: read \d+ entries of partition [\d, ]+, acknowledged none$/.test(String(op.error ?? '')));
    assert.ok(crashes.length > 0, `a group member crashed mid-batch: ${explainLogRun(r)}; ${JSON.stringify(r.history.filter((op) => op.type === 'info' && op.process !== 'nemesis').map((op) => op.error))}`);
    let claimedByPolls = 0;
    for (const crash of crashes) {
      const unacked = crash.unacked as Triple[];
      assert.ok(unacked.length > 0, JSON.stringify(crash));
      for (const [p, o, v] of unacked) {
        const later = r.history.find(
          (op) => op.index > crash.index && op.type === 'ok' && (op.f === 'poll' || op.f === 'drain-group') && op.process !== crash.process && (op.value as Triple[]).some(([q, u, w]) => q === p && u === o && w === v),
        );
        assert.ok(later !== undefined, `${p}/${o} (${String(v)}), left unacknowledged by the crash op ${crash.index}, was read again by another consumer`);
        if (later.f === 'poll') claimedByPolls++;
      }
    }
    assert.equal(log.anomalyCounts['group-lost'], 0);
    console.log(`      (${crashes.length} crash(es) mid-batch, ${crashes.reduce((n, c) => n + (c.unacked as Triple[]).length, 0)} entries left pending, ${claimedByPolls} claimed by polls, the rest by drain-group; ${explainLogRun(r)})`);
  });
});
