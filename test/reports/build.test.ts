import assert from 'node:assert/strict';
import type { Op } from '../../checkers/history/op.js';
import { checkSync } from '../../checkers/linearizability/index.js';
import { buildReport, LIMITS } from '../../reports/build.js';
import { ops } from '../support/dsl.js';
import { anomaliesOf, blocksOf, listOf } from './sample-data.js';

const report = (history: Op[], limits = LIMITS) => buildReport({ history, check: checkSync(history, 'cas-register', { cancelOnInvalid: false }), title: 't' }, limits);

/** A long linearizable history on keys a and b, with one stale read on b near the end. */
function longHistory(n: number): Op[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = i % 2 ? 'a' : 'b';
    lines.push(`${i % 4} invoke write ${i % 5} @${key}`, `${i % 4} ok write ${i % 5} @${key}`);
  }
  // The last write to b was (n-2) % 5; a read of another value after it completed is stale.
  const stale = ((n - 2) % 5) + 1;
  lines.push(`9 invoke read nil @b`, `9 ok read ${stale} @b`);
  return ops(lines.join('\n'));
}

describe('reports: the data of a report', () => {
  it('pairs ops into bars on lanes; a pending op ends at the end of the run', () => {
    const h = ops(`
      0 invoke write 1 @x
      1 invoke read nil @x
      0 ok write 1 @x
      nemesis info start-partition {"n1":["n2"]}
      1 ok read 1 @x
      2 invoke write 2 @x
      nemesis info stop-partition {"n1":["n2"]}
    `);
    const r = report(h);
    assert.equal(r.verdict, true);
    assert.deepEqual(r.processes, [0, 1, 2]);
    assert.deepEqual(
      r.ops.map((o) => [o.i, o.p, o.s, o.e, o.t, o.f, o.k, o.v, o.r]),
      [
        [0, 0, 0, 0.002, 'ok', 'write', 'x', '1', undefined],
        [1, 1, 0.001, 0.004, 'ok', 'read', 'x', 'null', '1'],
        [5, 2, 0.005, 0.006, 'pending', 'write', 'x', '2', undefined],
      ],
    );
    assert.deepEqual(r.nemesis, [{ fault: 'partition', start: 0.003, stop: 0.006, value: '{"n1":["n2"]}' }]);
    assert.deepEqual(r.counts, { invoke: 3, ok: 2, fail: 0, info: 0, pending: 1 });
    assert.deepEqual(listOf(r, 'passed-keys')!.items, [{ text: 'x', where: '3 ops' }]);
    assert.deepEqual(blocksOf(r, 'table'), [], 'no key failed');
  });

  it("a fault recorded as a Jepsen pair is shaded from its begin to its heal's completion, named by the completion", () => {
    // The kill begun at 1 ms was in force at 4 ms (a real runtime confirms it later); the read invoked in between
    // is inside the band. The heal began at 6 ms and was done at 8 ms.
    const h = ops(`
      0 invoke write 1 @x
      nemesis info start-kill nil
      0 ok write 1 @x
      1 invoke read nil @x
      nemesis info start-kill ["n1"]
      1 ok read 1 @x
      nemesis info stop-kill nil
      2 invoke read nil @x
      nemesis info stop-kill ["n1"]
      2 ok read 1 @x
    `);
    assert.deepEqual(report(h).nemesis, [{ fault: 'kill', start: 0.001, stop: 0.008, value: '["n1"]' }]);
  });

  it('samples a long timeline but keeps every op of the anomaly, and lists the keys that passed', () => {
    const h = longHistory(5000);
    const r = report(h, { ...LIMITS, ops: 500, points: 300 });
    assert.equal(r.verdict, false);
    assert.equal(r.opsSampled.total, 5001);
    const [a] = anomaliesOf(r);
    assert.ok(r.ops.length <= 500 + a.ops.length && r.ops.length >= 450, `${r.ops.length} shown`);
    const shown = new Set(r.ops.map((o) => o.i));
    assert.equal(a.key, 'b');
    for (const op of a.ops) assert.ok(shown.has(op), `anomaly op ${op} kept`);
    assert.ok(shown.has(a.failing) && a.ops.includes(a.failing));
    assert.equal(a.text[a.failing], `read ${((5000 - 2) % 5) + 1}`);
    assert.match(a.prose, /^Key "b" is not linearizable/);
    assert.ok(a.candidates.length > 0 && a.candidates[0].steps.length > 0);
    assert.deepEqual(blocksOf(r, 'table')[0].rows.map((row) => [row.cells[0], row.verdict]), [['b', false]]);
    assert.deepEqual(listOf(r, 'passed-keys')!.items.map((k) => k.text), ['a']);
    assert.deepEqual(r.checker.presentation.marks, [{ op: a.failing, why: 'this op cannot be linearized' }]);
    // Sampled points, but quantiles and throughput over every op.
    assert.ok(r.latency.points.length <= 300);
    assert.equal(r.latency.pointsSampled.total, 5001);
    assert.equal(r.latency.quantiles.reduce((s, q) => s + q.n, 0), 5001);
    assert.equal(r.throughput.series.reduce((s, x) => s + x.counts.reduce((a, b) => a + b, 0), 0), 5001);
  });

  it('carries values as text, whatever they hold, shortened past the limit', () => {
    const hostile = '</script><img src=x onerror=alert(1)>';
    const h: Op[] = [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'write', key: hostile, value: hostile },
      { index: 1, time: 1e6, process: 0, type: 'ok', f: 'write', key: hostile, value: hostile },
      { index: 2, time: 2e6, process: 1, type: 'invoke', f: 'write', key: 'k', value: 'x'.repeat(500) },
      { index: 3, time: 3e6, process: 1, type: 'fail', f: 'write', key: 'k', value: 'x'.repeat(500), error: { why: hostile } },
    ];
    const r = report(h);
    assert.equal(r.ops[0].k, hostile);
    assert.equal(r.ops[0].v, JSON.stringify(hostile));
    assert.equal(r.ops[1].v.length, LIMITS.valueChars);
    assert.ok(r.ops[1].v.endsWith('…'));
    assert.equal(r.ops[1].err, JSON.stringify({ why: hostile }));
  });
});
