import assert from 'node:assert/strict';
import type { Op } from '../../checkers/history/op.js';
import { fileURLToPath } from 'node:url';
import { readHistoryFile } from '../../checkers/formats/index.js';
import { check, checkSync } from '../../checkers/linearizability/index.js';
import { simulate } from '../support/simulate.js';

/** Several single-key simulated histories, one after another, each under its own key and processes. */
function keyed(parts: { key: string; ops: Op[] }[]): Op[] {
  const out: Op[] = [];
  parts.forEach(({ key, ops }, k) => {
    for (const o of ops) out.push({ ...o, index: out.length, time: out.length, process: (o.process as number) + k * 100_000, key });
  });
  return out;
}

// Crowded keys: 30 clients on one register, 10 % crashed ops. Each needs tens of thousands of configurations,
// more than the triage budget, so it goes to a worker thread.
const crowded = (seed: number) => simulate({ model: 'cas-register', processes: 30, ops: 300, crashRate: 0.1, seed, maxLatency: 1000, maxThink: 10 });
// Hopeless within a second: 100 clients, 5 % crashed.
const hopeless = simulate({ model: 'cas-register', processes: 100, ops: 1000, crashRate: 0.05, seed: 1, maxLatency: 1000, maxThink: 10 });
const staleRead: Op[] = [
  { index: 0, time: 0, process: 0, type: 'invoke', f: 'write', value: 1 },
  { index: 1, time: 1, process: 0, type: 'ok', f: 'write', value: 1 },
  { index: 2, time: 2, process: 1, type: 'invoke', f: 'read', value: null },
  { index: 3, time: 3, process: 1, type: 'ok', f: 'read', value: 99 },
];

describe('linearizability: keys on worker threads', () => {
  it('checks the hard keys on worker threads and agrees with the single-threaded check', async () => {
    const h = keyed([
      { key: 'a', ops: crowded(1) },
      { key: 'b', ops: crowded(2) },
      { key: 'c', ops: crowded(3) },
    ]);
    const pooled = await check(h, 'cas-register', { workers: 2 });
    assert.equal(pooled.stats.hardKeys, 3);
    assert.equal(pooled.stats.threads, 2);
    assert.equal(pooled.valid, true);
    assert.equal(pooled.keys, 3);
    assert.equal(checkSync(h, 'cas-register').valid, true);
  });

  it('reports an illegal key found on a worker thread with its evidence', async () => {
    // Proving a key illegal means exhausting every order of what precedes the failure: a smaller crowd, and a
    // low triage budget so that it goes to a worker all the same.
    const prefix = simulate({ model: 'cas-register', processes: 10, ops: 100, crashRate: 0.1, seed: 3, maxLatency: 1000, maxThink: 10 });
    const h = keyed([
      { key: 'a', ops: crowded(1) },
      { key: 'bad', ops: [...prefix, ...staleRead.map((o) => ({ ...o, process: (o.process as number) + 50_000 }))] },
    ]);
    const r = await check(h, 'cas-register', { workers: 2, triageSteps: 1000 });
    assert.equal(r.stats.hardKeys, 2);
    assert.equal(r.valid, false);
    assert.equal(r.anomalies.length, 1);
    assert.equal(r.anomalies[0].key, 'bad');
    assert.equal(r.anomalies[0].op.value, 99);
    assert.equal(r.anomalies[0].candidates[0].reason.startsWith("can't read 99 from register"), true);
  });

  it('an illegal key cancels the search of the others', async () => {
    const h = keyed([
      { key: 'hopeless', ops: hopeless },
      { key: 'bad', ops: staleRead },
    ]);
    const r = await check(h, 'cas-register', { workers: 2 });
    assert.equal(r.valid, false);
    const other = r.partitions.find((p) => p.key === 'hopeless');
    assert.deepEqual([other?.valid, other?.unknownReason], ['unknown', 'cancelled']);
  });

  it('without cancellation the other key runs into its time limit and is reported unknown', async () => {
    const h = keyed([
      { key: 'hopeless', ops: hopeless },
      { key: 'bad', ops: staleRead },
    ]);
    const r = await check(h, 'cas-register', { workers: 2, cancelOnInvalid: false, timeLimitMs: 1000 });
    assert.equal(r.valid, false);
    const other = r.partitions.find((p) => p.key === 'hopeless');
    assert.deepEqual([other?.valid, other?.unknownReason], ['unknown', 'time limit']);
  });

  it('a time limit alone yields unknown, never a guess', async () => {
    const r = await check(hopeless, 'cas-register', { timeLimitMs: 300 });
    assert.equal(r.valid, 'unknown');
    assert.equal(r.unknownReason, 'time limit');
  });

  it('a memory limit alone yields unknown, never a guess', () => {
    const r = checkSync(hopeless, 'cas-register', { memoryLimitBytes: 4 * 1024 * 1024 });
    assert.equal(r.valid, 'unknown');
    assert.equal(r.unknownReason, 'memory limit');
  });

  it('a search whose states live on the heap (a fifo queue) stops at the memory limit instead of running out', async () => {
    // 66 ops, 4 processes, no crashes: every order of the enqueues nobody dequeued is a distinct queue state. Before
    // the heap was watched this ran the process out of heap (4 GB) after 73 s.
    const path = fileURLToPath(new URL('../../../test/fixtures/histories/fifo-queue-66-ops-explodes.jsonl', import.meta.url));
    const r = checkSync(await readHistoryFile(path), 'fifo-queue', { memoryLimitBytes: 300 * 1024 * 1024 });
    assert.equal(r.valid, 'unknown');
    assert.equal(r.unknownReason, 'memory limit');
  });
});
