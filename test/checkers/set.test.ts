import assert from 'node:assert/strict';
import { isInputError } from '../../checkers/errors.js';
import type { Op } from '../../checkers/history/op.js';
import { checkSet, explainSet } from '../../checkers/set/index.js';
import { ops } from '../support/dsl.js';

const elements = (xs: { element: unknown }[]) => xs.map((x) => x.element);

describe('checkers: set (Jepsen’s set checker)', () => {
  it('is valid when every acknowledged add is in the final read', () => {
    const r = checkSet(ops`
      0 invoke add 0
      1 invoke add 1
      0 ok add 0
      1 ok add 1
      2 invoke add 2
      2 ok add 2
      3 invoke read nil
      3 ok read [2,0,1]
    `);
    assert.equal(r.checker, 'set');
    assert.equal(r.valid, true);
    assert.deepEqual(r.counts, { attempted: 3, acknowledged: 3, failed: 0, info: 0, read: 3, lost: 0, unexpected: 0, failedButPresent: 0, recovered: 0, unread: 0, duplicated: 0 });
    assert.equal(r.ops, 4);
    assert.equal(r.reads, 1);
    assert.deepEqual(r.finalRead, { process: 3, invokeIndex: 6, completeIndex: 7, time: 6000, completeTime: 7000 });
    assert.match(explainSet(r), /^Valid: all 3 acknowledged adds are in the final read\. The final read \(process 3, index 7\) returned 3 elements/);
  });

  it('finds acknowledged adds the final read lost, with the add as evidence, sorted', () => {
    const r = checkSet(ops`
      0 invoke add 30
      0 ok add 30
      1 invoke add 4
      1 ok add 4
      2 invoke add 17
      2 ok add 17
      0 invoke add 5
      0 ok add 5
      3 invoke read nil
      3 ok read [5]
    `);
    assert.equal(r.valid, false);
    assert.equal(r.counts.lost, 3);
    assert.deepEqual(elements(r.lost), [4, 17, 30], 'numeric order, not text order');
    assert.deepEqual(r.lost[0], { element: 4, process: 1, status: 'ok', invokeIndex: 2, completeIndex: 3, time: 2000, completeTime: 3000 });
    const prose = explainSet(r);
    assert.match(prose, /^3 of 4 acknowledged adds were lost: 4, 17, 30 \(4 was added by process 1 \(indices 2–3\) and acknowledged before the final read began/);
    assert.ok(!prose.includes('\n'), 'one paragraph');
  });

  it('names lost elements a few at a time, then “…”, while the count stays exact', () => {
    const lines: string[] = [];
    for (let i = 0; i < 25; i++) lines.push(`0 invoke add ${i}`, `0 ok add ${i}`);
    lines.push('1 invoke read nil', '1 ok read []');
    const r = checkSet(ops(lines.join('\n')), { maxListed: 12 });
    assert.equal(r.counts.lost, 25);
    assert.equal(r.lost.length, 12);
    assert.match(explainSet(r), /^25 of 25 acknowledged adds were lost: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … \(/);
  });

  it('finds elements read that no add attempted (unexpected)', () => {
    const r = checkSet(ops`
      0 invoke add 1
      0 ok add 1
      1 invoke read nil
      1 ok read [1, 99, "x"]
    `);
    assert.equal(r.valid, false);
    assert.deepEqual(elements(r.unexpected), [99, 'x']);
    assert.equal(r.counts.unexpected, 2);
    assert.equal(r.counts.lost, 0);
    assert.match(explainSet(r), /^2 elements in the final read were never added: 99, "x"\./);
  });

  it('finds elements read although their add failed (a fail is certain)', () => {
    const r = checkSet(ops`
      0 invoke add 5
      0 fail add 5
      1 invoke add 6
      1 fail add 6
      2 invoke read nil
      2 ok read [5]
    `);
    assert.equal(r.valid, false);
    assert.deepEqual(elements(r.failedButPresent), [5]);
    assert.equal(r.failedButPresent[0].status, 'fail');
    assert.deepEqual([r.counts.failed, r.counts.failedButPresent, r.counts.unexpected], [2, 1, 0]);
    assert.match(explainSet(r), /1 element whose every add failed is in the final read anyway: 5/);
  });

  it('counts adds of unknown outcome that the read holds as recovered, and does not require the others', () => {
    const r = checkSet(ops`
      0 invoke add 7
      0 info add 7
      1 invoke add 8
      1 info add 8
      2 invoke add 9
      3 invoke add 10
      3 ok add 10
      4 invoke read nil
      4 ok read [10, 9, 7]
    `);
    assert.equal(r.valid, true);
    assert.deepEqual(elements(r.recovered), [7, 9]);
    assert.deepEqual(r.recovered.map((a) => a.status), ['info', 'pending']);
    assert.equal(r.recovered[1].completeIndex, -1, 'a pending add never completed');
    assert.deepEqual([r.counts.info, r.counts.recovered, r.counts.acknowledged], [3, 2, 1]);
  });

  it('is unknown without an ok final read', () => {
    const noRead = checkSet(ops`
      0 invoke add 1
      0 ok add 1
      1 invoke read nil
      1 info read nil
      2 invoke read nil
      2 fail read nil
    `);
    assert.equal(noRead.valid, 'unknown');
    assert.match(noRead.unknownReason!, /no final read/);
    assert.equal(noRead.counts.acknowledged, 1, 'the adds are still counted');
    assert.match(explainSet(noRead), /^Unknown: no final read/);
    assert.equal(checkSet([]).valid, 'unknown');
  });

  it('is unknown, saying why, when the final read is not a list; nil is the empty set', () => {
    for (const value of ['5', '"x"', '{"a":1}']) {
      const r = checkSet(ops(`0 invoke add 1\n0 ok add 1\n1 invoke read nil\n1 ok read ${value}`));
      assert.equal(r.valid, 'unknown', value);
      assert.match(r.unknownReason!, /^the final read \(index 3\) returned .* not a list of elements$/);
    }
    const nil = checkSet(ops`
      0 invoke add 1
      0 ok add 1
      1 invoke read nil
      1 ok read nil
    `);
    assert.equal(nil.valid, false, 'nil reads as the empty set: the acknowledged add is lost');
    assert.deepEqual(elements(nil.lost), [1]);
  });

  it('judges by the last ok read only', () => {
    const later = checkSet(ops`
      0 invoke add 1
      0 ok add 1
      1 invoke read nil
      1 ok read [1]
      2 invoke read nil
      2 ok read []
    `);
    assert.equal(later.valid, false, 'the last read lost it, whatever the earlier one saw');
    assert.equal(later.reads, 2);
    assert.equal(later.finalRead!.process, 2);
    const earlier = checkSet(ops`
      0 invoke add 1
      0 ok add 1
      1 invoke read nil
      1 ok read []
      2 invoke read nil
      2 ok read [1]
    `);
    assert.equal(earlier.valid, true);
  });

  it('does not require an add acknowledged only while the final read ran (unread, not lost)', () => {
    const r = checkSet(ops`
      0 invoke add 1
      1 invoke read nil
      0 ok add 1
      1 ok read []
    `);
    assert.equal(r.valid, true);
    assert.equal(r.counts.unread, 1);
    assert.equal(r.counts.lost, 0);
    assert.match(explainSet(r), /1 add acknowledged only while the final read ran is absent from it/);
  });

  it('takes an element added twice at its best outcome, and reports elements read twice without failing them', () => {
    const r = checkSet(ops`
      0 invoke add 3
      0 fail add 3
      1 invoke add 3
      1 ok add 3
      2 invoke add 4
      2 info add 4
      3 invoke add 4
      3 fail add 4
      4 invoke read nil
      4 ok read [3, 3, 4]
    `);
    assert.equal(r.valid, true, 'ok beats fail for 3, info beats fail for 4');
    assert.deepEqual([r.counts.attempted, r.counts.acknowledged, r.counts.failed, r.counts.info], [2, 1, 0, 1]);
    assert.deepEqual(r.duplicated, [{ element: 3, times: 2 }]);
    assert.deepEqual(elements(r.recovered), [4]);
    assert.match(explainSet(r), /1 element appeared more than once in the final read: 3/);
  });

  it('tells 1 from "1" and compares structured elements by value', () => {
    const r = checkSet(ops`
      0 invoke add 1
      0 ok add 1
      1 invoke add {"a":1,"b":2}
      1 ok add {"a":1,"b":2}
      2 invoke read nil
      2 ok read ["1", {"b":2,"a":1}]
    `);
    assert.equal(r.valid, false);
    assert.deepEqual(elements(r.lost), [1]);
    assert.deepEqual(elements(r.unexpected), ['1']);
  });

  it('handles elements that are not small integers (huge, negative, fractional) like any other', () => {
    const r = checkSet(ops`
      0 invoke add 1000000000000
      0 ok add 1000000000000
      1 invoke add -3
      1 ok add -3
      2 invoke add 2.5
      2 ok add 2.5
      3 invoke add 0
      3 ok add 0
      4 invoke read nil
      4 ok read [2.5, 1000000000000, 0, 7]
    `);
    assert.deepEqual(elements(r.lost), [-3]);
    assert.deepEqual(elements(r.unexpected), [7]);
    assert.equal(r.counts.read, 4);
  });

  it('skips the nemesis and ops other than add and read; an add’s element is its invocation’s value', () => {
    const h = ops`
      0 invoke add 1
      nemesis info start-partition nil
      0 ok add 1
      1 invoke write 5
      1 ok write 5
      nemesis info stop-partition nil
      2 invoke read nil
      2 ok read [1]
    `;
    // Redis's SADD answers 1: what the add returns is not the element.
    h[2].value = 1;
    h[0].value = 1;
    const r = checkSet(h);
    assert.equal(r.valid, true);
    assert.equal(r.ops, 2);
    const h2 = ops`
      0 invoke add 1
      0 ok add 1
      1 invoke read nil
      1 ok read [1]
    `;
    h2[1].value = 'OK';
    assert.equal(checkSet(h2).valid, true);
  });

  it('names lines, not indices, for a history read from a file', () => {
    const r = checkSet({ ops: ops`
      0 invoke add 1
      0 ok add 1
      1 invoke read nil
      1 ok read []
    `, lines: [3, 4, 7, 8], source: 'h.jsonl' });
    assert.deepEqual([r.lost[0].line, r.lost[0].completeLine], [3, 4]);
    assert.match(explainSet(r), /added by process 0 \(lines 3–4\)/);
    assert.match(explainSet(r), /The final read \(process 1, line 8\)/);
  });

  it('rejects an ill-formed history as bad input, naming the line', () => {
    assert.throws(
      () => checkSet(ops`0 ok add 1`),
      (e: unknown) => isInputError(e) && /<history>:1: process 0 completes add \(ok\) with no pending invocation/.test((e as Error).message),
    );
    assert.throws(
      () => checkSet(ops`
        0 invoke add 1
        0 invoke add 2
      `),
      (e: unknown) => isInputError(e) && /still pending/.test((e as Error).message),
    );
  });

  it('finds the 500 lost adds among a 1,000,000-op history (its speed is for a benchmark, not a test)', function () {
    this.timeout(20_000);
    const n = 500_000;
    const h: Op[] = new Array(2 * n + 2);
    const read: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = i % 10;
      h[2 * i] = { index: 2 * i, time: 2 * i, process: p, type: 'invoke', f: 'add', value: i };
      h[2 * i + 1] = { index: 2 * i + 1, time: 2 * i + 1, process: p, type: 'ok', f: 'add', value: i };
      if (i % 1000 !== 7) read.push(i);
    }
    h[2 * n] = { index: 2 * n, time: 2 * n, process: 99, type: 'invoke', f: 'read', value: null };
    h[2 * n + 1] = { index: 2 * n + 1, time: 2 * n + 1, process: 99, type: 'ok', f: 'read', value: read };
    const r = checkSet(h);
    assert.equal(r.valid, false);
    assert.equal(r.counts.lost, 500);
    assert.deepEqual(elements(r.lost).slice(0, 3), [7, 1007, 2007]);
  });
});
