import assert from 'node:assert/strict';
import type { Op } from '../../../checkers/history/op.js';
import { nemesisIntervals } from '../../../harness/store/nemesis-intervals.js';
import { runStats } from '../../../harness/store/stats.js';
import { ops } from '../../support/dsl.js';
import { MS } from './helpers.js';

/** The DSL's ops with their times (in ms) set by hand. */
function timed(text: string, ms: number[]): Op[] {
  const h = ops(text);
  assert.equal(h.length, ms.length, 'one time per op');
  return h.map((op, i) => ({ ...op, time: ms[i] * MS }));
}

describe('harness/store: runStats', () => {
  const history = timed(
    `
    0 invoke write 1
    1 invoke read
    0 ok write 1
    1 ok read 1
    nemesis info start-partition
    nemesis info start-partition "n1 | n2 n3"
    0 invoke write 2
    1 invoke cas [1,3]
    0 fail write 2
    1 info cas [1,3]
    nemesis info stop-partition
    nemesis info stop-partition
    2 invoke read
    2 ok read 1
    nemesis info start
    3 invoke write 4
    nemesis info kill "n1"
    `,
    [0, 5, 10, 25, 30, 31, 40, 50, 70, 150, 160, 165, 170, 171, 180, 190, 200],
  );

  it('counts client ops by type and by f, pending invocations apart', () => {
    const s = runStats(history);
    assert.deepEqual(s.ops, { invoke: 6, ok: 3, fail: 1, info: 1, pending: 1 });
    assert.deepEqual(Object.keys(s.byF).sort(), ['cas', 'read', 'write']);
    const { latency: _l1, throughput: _t1, ...write } = s.byF.write;
    assert.deepEqual(write, { invoke: 3, ok: 1, fail: 1, info: 0, pending: 1 });
    const { latency: _l2, throughput: _t2, ...cas } = s.byF.cas;
    assert.deepEqual(cas, { invoke: 1, ok: 0, fail: 0, info: 1, pending: 0 });
  });

  it('measures throughput as ok ops per second over the run', () => {
    const s = runStats(history);
    assert.equal(s.durationMs, 200);
    assert.equal(s.throughput, 15); // 3 ok in 0.2 s
    assert.equal(s.byF.read.throughput, 10);
    assert.equal(s.byF.cas.throughput, 0);
    assert.equal(runStats(history, { durationNs: 1e9 }).throughput, 3);
  });

  it('gives latency percentiles in ms from invocation to completion, over all completions and per f', () => {
    const s = runStats(history);
    // Completed latencies: write 10, read 20, write (fail) 30, cas (info) 100, read 1.
    assert.deepEqual(s.latency, { count: 5, p50: 20, p90: 100, p99: 100, max: 100 });
    assert.deepEqual(s.byF.read.latency, { count: 2, p50: 1, p90: 20, p99: 20, max: 20 });
    assert.deepEqual(s.byF.write.latency, { count: 2, p50: 10, p90: 30, p99: 30, max: 30 });
  });

  it('uses nearest-rank percentiles', () => {
    const h: Op[] = [];
    // 100 sequential reads taking 1..100 ms, in shuffled order.
    const lat = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    let t = 0;
    for (const ms of lat) {
      h.push({ index: h.length, time: t, process: 0, type: 'invoke', f: 'read', value: null });
      t += ms * MS;
      h.push({ index: h.length, time: t, process: 0, type: 'ok', f: 'read', value: 1 });
    }
    assert.deepEqual(runStats(h).latency, { count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    // Sub-millisecond latencies keep microseconds.
    const fast = timed('0 invoke read\n0 ok read', [0, 0.0125]);
    assert.equal(runStats(fast).latency.max, 0.013);
  });

  it('pairs nemesis start and stop ops into intervals, an unmatched start lasting to the end', () => {
    assert.deepEqual(runStats(history).nemesis, [
      { fault: 'partition', f: 'start-partition', start: 30 * MS, stop: 165 * MS, value: 'n1 | n2 n3' },
      { fault: 'nemesis', f: 'start', start: 180 * MS, stop: 200 * MS, value: null, unmatched: true },
    ]);
  });

  it('availability: the served fraction of ops invoked while quiet and while a fault was in force', () => {
    assert.deepEqual(runStats(history).availability, {
      quiet: { ops: 3, ok: 3, fraction: 1 },
      // A fail, an info and one never completed: none ok.
      faulty: { ops: 3, ok: 0, fraction: 0 },
    });
    assert.deepEqual(runStats([]).availability, { quiet: { ops: 0, ok: 0, fraction: null }, faulty: { ops: 0, ok: 0, fraction: null } });
  });

  it('availability counts a cas that failed on a mismatched value as served, a refusal as not', () => {
    const call = (process: number, f: string, value: unknown, type: 'ok' | 'fail' | 'info', error?: string): Op[] => [
      { index: 0, time: 0, process, type: 'invoke', f, value },
      { index: 0, time: 0, process, type, f, value, ...(error !== undefined && { error }) },
    ];
    const h = [
      ...call(0, 'cas', [1, 2], 'fail', 'cas mismatch'),
      ...call(0, 'cas', [2, 3], 'ok'),
      ...call(0, 'cas', [3, 4], 'fail', 'no leader'),
      ...call(0, 'write', 5, 'fail', 'NOT_PRIMARY'),
      ...call(0, 'read', null, 'info', 'timeout'),
    ].map((op, i) => ({ ...op, index: i, time: i * MS }));
    // A healthy node answers most cas ops of a register workload with a mismatch: that is service, not an outage.
    assert.deepEqual(runStats(h).availability.quiet, { ops: 5, ok: 2, fraction: 0.4 });
  });

  it('keeps faults apart, pairs named pairs, ignores a stray stop, and repeats a fault that restarts', () => {
    const h = timed(
      `
      nemesis info stop-pause
      nemesis info start-partition "a"
      nemesis info kill "n1"
      nemesis info stop-partition
      nemesis info start-partition "b"
      nemesis info restart "n1"
      nemesis info stop-partition
      `,
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(nemesisIntervals(h, { pairs: [['kill', 'restart']] }), [
      { fault: 'partition', f: 'start-partition', start: 2 * MS, stop: 4 * MS, value: 'a' },
      { fault: 'kill', f: 'kill', start: 3 * MS, stop: 6 * MS, value: 'n1' },
      { fault: 'partition', f: 'start-partition', start: 5 * MS, stop: 7 * MS, value: 'b' },
    ]);
    // Without the pair, kill/restart are not intervals.
    assert.equal(nemesisIntervals(h).length, 2);
    // endTime closes an unmatched start at the run's real end.
    assert.deepEqual(nemesisIntervals(timed('nemesis info start-pause', [1]), { endTime: 9 * MS }), [
      { fault: 'pause', f: 'start-pause', start: MS, stop: 9 * MS, value: null, unmatched: true },
    ]);
  });

  it('is well defined on an empty history and on odd f names', () => {
    const empty = runStats([]);
    assert.deepEqual(empty, {
      ops: { invoke: 0, ok: 0, fail: 0, info: 0, pending: 0 },
      byF: {},
      durationMs: 0,
      throughput: 0,
      latency: { count: 0, p50: null, p90: null, p99: null, max: null },
      nemesis: [],
      availability: { quiet: { ops: 0, ok: 0, fraction: null }, faulty: { ops: 0, ok: 0, fraction: null } },
    });
    const s = runStats(timed('0 invoke __proto__\n0 ok __proto__', [0, 1]));
    assert.equal(Object.getPrototypeOf(s.byF), Object.prototype);
    assert.equal(Object.keys(s.byF)[0], '__proto__');
    assert.equal(JSON.parse(JSON.stringify(s)).byF.__proto__.ok, 1);
  });

  it('survives a malformed history (a completion with no invocation) without throwing', () => {
    const s = runStats(timed('0 ok read 1\n1 invoke read\n1 ok read 1', [0, 1, 3]));
    assert.equal(s.ops.ok, 2);
    assert.equal(s.latency.count, 1);
    assert.equal(s.latency.max, 2);
  });
});
