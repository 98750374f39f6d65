import assert from 'node:assert/strict';
import type { Violation } from '../../../checkers/history/client-discipline.js';
import { ClientDiscipline } from '../../../checkers/history/client-discipline.js';
import type { Op } from '../../../checkers/history/op.js';
import { ops } from '../../support/dsl.js';

/** Admits every op of a history, naming each by its position; what each admit gave. */
function admitAll(h: Op[], rules = new ClientDiscipline()): (number | Violation)[] {
  return h.map((op, i) => rules.admit(op, i));
}

/** The last op's verdict, the ones before it having been admitted. */
function last(h: Op[]): number | Violation {
  const out = admitAll(h);
  out.slice(0, -1).forEach((r, i) => assert.equal(typeof r, 'number', `op ${i} should be admitted`));
  return out[out.length - 1];
}

describe('history: ClientDiscipline (Jepsen client rules, as data)', () => {
  it('pairs: an invocation gives -1, its completion the invocation\'s name; ok and fail free the process', () => {
    const h = ops`
      0 invoke write 1
      1 invoke read nil
      0 ok write 1
      0 invoke cas [1,2]
      1 ok read 1
      0 fail cas [1,2]
      0 invoke read nil
    `;
    assert.deepEqual(admitAll(h), [-1, -1, 0, -1, 1, 3, -1]);
  });

  it('names calls by whatever integer the caller chose', () => {
    const rules = new ClientDiscipline();
    const [inv, ok] = ops`7 invoke write 1\n7 ok write 1`;
    assert.equal(rules.admit(inv, 1234), -1);
    assert.equal(rules.admit(ok, 99), 1234);
  });

  it('double-invoke: a second invocation while one is in flight, with the running call', () => {
    const h = ops`
      0 invoke write 1
      0 invoke read nil
    `;
    assert.deepEqual(last(h), { rule: 'double-invoke', op: h[1], at: 1, running: { at: 0, invoke: h[0] } });
  });

  it('not-running: a completion with nothing in flight', () => {
    const h = ops`
      0 invoke write 1
      0 ok write 1
      0 fail write 1
    `;
    assert.deepEqual(last(h), { rule: 'not-running', op: h[2], at: 2 });
    assert.deepEqual(last(ops`3 info cas [1,2]`), { rule: 'not-running', op: ops`3 info cas [1,2]`[0], at: 0 });
  });

  it('f-mismatch: a completion of another function than the one invoked', () => {
    const h = ops`
      0 invoke write 1
      0 ok read 1
    `;
    assert.deepEqual(last(h), { rule: 'f-mismatch', op: h[1], at: 1, running: { at: 0, invoke: h[0] } });
  });

  it('key-mismatch: a completion on another key, compared by value; a completion without a key matches any', () => {
    const h = ops`
      0 invoke read nil @x
      0 ok read 1 @y
    `;
    assert.deepEqual(last(h), { rule: 'key-mismatch', op: h[1], at: 1, running: { at: 0, invoke: h[0] } });
    const byValue = ops`0 invoke read nil\n0 ok read 1`;
    byValue[0].key = [1, 'a'];
    byValue[1].key = [1, 'a'];
    assert.deepEqual(admitAll(byValue), [-1, 0]);
    assert.deepEqual(admitAll(ops`0 invoke read nil @x\n0 ok read 1`), [-1, 0]);
    // 1 and "1" are different keys.
    const kinds = ops`0 invoke read nil\n0 ok read 1`;
    kinds[0].key = 1;
    kinds[1].key = '1';
    assert.equal((admitAll(kinds)[1] as Violation).rule, 'key-mismatch');
  });

  it('retired: any op of a process after its info, with the info and the call it completed', () => {
    const h = ops`
      0 invoke write 1
      1 invoke write 2
      0 info write 1
      0 invoke read nil
    `;
    assert.deepEqual(last(h), { rule: 'retired', op: h[3], at: 3, retiredBy: { at: 2, call: 0 } });
    const again = ops`0 invoke write 1\n0 info write 1\n0 ok write 1`;
    assert.deepEqual(last(again), { rule: 'retired', op: again[2], at: 2, retiredBy: { at: 1, call: 0 } });
  });

  it('changes nothing on a violation: the running call still completes, the retired process stays retired', () => {
    const h = ops`
      0 invoke write 1
      0 invoke read nil
      0 ok read 1
      0 ok write 1
      0 invoke cas [1,2]
      0 info cas [1,2]
      0 invoke read nil
      0 invoke read nil
    `;
    const out = admitAll(h);
    assert.deepEqual(
      out.map((r) => (typeof r === 'number' ? r : r.rule)),
      [-1, 'double-invoke', 'f-mismatch', 0, -1, 4, 'retired', 'retired'],
    );
  });

  it('unknown-type: a client op whose type is none of the four, before any other rule; it changes nothing', () => {
    const h = ops`0 invoke write 1\n0 ok write 1\n0 ok write 1`;
    h[1].type = 'done' as Op['type'];
    h[2].type = undefined as unknown as Op['type'];
    const rules = new ClientDiscipline();
    assert.equal(rules.admit(h[0], 0), -1);
    assert.deepEqual(rules.admit(h[1], 1), { rule: 'unknown-type', op: h[1], at: 1 });
    assert.deepEqual(rules.admit(h[2], 2), { rule: 'unknown-type', op: h[2], at: 2 });
    assert.equal(rules.admit(ops`0 ok write 1`[0], 3), 0, 'the call is still open');
    assert.deepEqual(admitAll(ops`nemesis info start nil`.map((o) => ({ ...o, type: 'whatever' as Op['type'] }))), [-1]);
  });

  it('lets non-client processes (the nemesis) do anything', () => {
    assert.deepEqual(admitAll(ops`nemesis info start nil\nnemesis ok start nil\nnemesis invoke stop nil\nnemesis invoke stop nil`), [-1, -1, -1, -1]);
  });

  it('keeps the same rules for process ids past its dense table (large and negative ids)', () => {
    for (const p of [5_000_000, -3, 2 ** 40]) {
      const h = ops`0 invoke write 1\n0 invoke read nil\n0 info write 1\n0 invoke read nil`;
      for (const op of h) op.process = p;
      const out = admitAll(h);
      assert.equal(out[0], -1, `process ${p}`);
      assert.equal((out[1] as Violation).rule, 'double-invoke', `process ${p}`);
      assert.equal(out[2], 0, `process ${p}`);
      assert.deepEqual(out[3], { rule: 'retired', op: h[3], at: 3, retiredBy: { at: 2, call: 0 } }, `process ${p}`);
    }
  });

  it('lists the processes with a call in flight, ascending, wherever their ids are kept', () => {
    const rules = new ClientDiscipline();
    const h = ops`
      9 invoke read nil
      70 invoke read nil
      2 invoke read nil
      9 ok read 1
      4 invoke read nil
      4 info read 1
    `;
    h[1].process = 7_000_000;
    admitAll(h, rules);
    assert.deepEqual(rules.runningProcesses(), [2, 7_000_000]);
  });

  it('gives the invocation in flight on a process, which its completion will pair with', () => {
    const rules = new ClientDiscipline();
    const h = ops`3 invoke read nil @x\n3 ok read 1 @x`;
    assert.equal(rules.invocation(3), undefined);
    rules.admit(h[0], 0);
    assert.equal(rules.invocation(3), h[0]);
    rules.admit(h[1], 1);
    assert.equal(rules.invocation(3), undefined);
  });
});
