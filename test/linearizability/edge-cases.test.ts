import assert from 'node:assert/strict';
import { isInputError } from '../../checkers/errors.js';
import { complete } from '../../checkers/history/complete.js';
import { expandCrashed } from '../../checkers/linearizability/alternatives.js';
import { checkSync } from '../../checkers/linearizability/index.js';
import { search } from '../../checkers/linearizability/wgl.js';
import { modelFor, type Model } from '../../checkers/models/index.js';
import { ops } from '../support/dsl.js';

const cas = (text: string) => checkSync(ops(text), 'cas-register');

describe('linearizability: edge cases', () => {
  it('an empty history is linearizable', () => {
    const r = checkSync([], 'cas-register');
    assert.equal(r.valid, true);
    assert.equal(r.ops, 0);
  });

  it('a single write is linearizable; a single read of a value never written is not', () => {
    assert.equal(cas('0 invoke write 1\n0 ok write 1').valid, true);
    const r = cas('0 invoke read\n0 ok read 3');
    assert.equal(r.valid, false);
    assert.equal(r.anomalies[0].candidates[0].reason, "can't read 3 from register nil");
  });

  it('a read of nil from a fresh register is linearizable', () => {
    assert.equal(cas('0 invoke read\n0 ok read nil').valid, true);
  });

  describe('info ops may or may not have happened', () => {
    const prefix = '0 invoke write 1\n0 ok write 1\n1 invoke write 2\n1 info write 2\n';
    it('a later read may see the crashed write', () => assert.equal(cas(`${prefix}2 invoke read\n2 ok read 2`).valid, true));
    it('or not see it', () => assert.equal(cas(`${prefix}2 invoke read\n2 ok read 1`).valid, true));
    it('but cannot see a value nobody wrote', () => assert.equal(cas(`${prefix}2 invoke read\n2 ok read 3`).valid, false));
    it('and cannot take effect before it was invoked', () => {
      assert.equal(cas('2 invoke read\n2 ok read 2\n1 invoke write 2\n1 info write 2').valid, false);
    });
    it('once seen, it stays applied', () => {
      assert.equal(cas(`${prefix}2 invoke read\n2 ok read 2\n2 invoke read\n2 ok read 1`).valid, false);
    });
    it('an invocation still pending at the end counts as info', () => {
      assert.equal(cas('1 invoke write 2\n2 invoke read\n2 ok read 2').valid, true);
    });
  });

  describe('concurrency and real time', () => {
    it('concurrent writes may take effect in either order', () => {
      const both = '0 invoke write 1\n1 invoke write 2\n0 ok write 1\n1 ok write 2\n';
      assert.equal(cas(`${both}2 invoke read\n2 ok read 1`).valid, true);
      assert.equal(cas(`${both}2 invoke read\n2 ok read 2`).valid, true);
    });
    it('a write that completed before another began cannot be the last', () => {
      assert.equal(cas('0 invoke write 1\n0 ok write 1\n1 invoke write 2\n1 ok write 2\n2 invoke read\n2 ok read 1').valid, false);
    });
    it('two sequential reads cannot see the register go back', () => {
      const h = '0 invoke write 1\n1 invoke write 2\n2 invoke read\n2 ok read 2\n2 invoke read\n2 ok read 1\n0 ok write 1\n1 ok write 2';
      // write 1 may follow write 2: 2 then 1 is fine while both writes are concurrent with both reads.
      assert.equal(cas(h).valid, true);
      assert.equal(cas(`${h}\n3 invoke read\n3 ok read 2`).valid, false);
    });
  });

  describe('cas', () => {
    it('a failed cas did not happen', () => {
      assert.equal(cas('0 invoke write 1\n0 ok write 1\n1 invoke cas [2,3]\n1 fail cas [2,3]\n2 invoke read\n2 ok read 1').valid, true);
    });
    it('a successful cas from the wrong value is refused with the reason', () => {
      const r = cas('0 invoke write 1\n0 ok write 1\n1 invoke cas [2,3]\n1 ok cas [2,3]');
      assert.equal(r.valid, false);
      assert.equal(r.anomalies[0].candidates[0].reason, "can't CAS 1 from 2 to 3");
      assert.equal(r.anomalies[0].op.text, 'cas 2→3');
    });
    it('a crashed cas may have swapped the value', () => {
      assert.equal(cas('0 invoke write 1\n0 ok write 1\n1 invoke cas [1,3]\n1 info cas [1,3]\n2 invoke read\n2 ok read 3').valid, true);
    });
  });

  it('nemesis ops are not client ops', () => {
    const r = cas('nemesis info start nil\n0 invoke write 1\nnemesis info stop nil\n0 ok write 1');
    assert.equal(r.valid, true);
    assert.equal(r.ops, 1);
    assert.equal(r.stats.nemesis, 2);
  });

  describe('evidence', () => {
    const r = cas(`
      0 invoke write 1
      0 ok write 1
      1 invoke write 2
      1 ok write 2
      2 invoke read
      2 ok read 1
    `);
    const a = r.anomalies[0];
    it('names the first op that cannot be linearized', () => assert.deepEqual([a.op.process, a.op.f, a.op.value], [2, 'read', 1]));
    it('names the last op known good', () => assert.deepEqual([a.previousOk?.f, a.previousOk?.value], ['write', 2]));
    it('gives candidate linearizations ending in the refusing state', () => {
      assert.equal(a.candidates[0].state, '2');
      assert.deepEqual(a.candidates[0].steps.map((s) => s.op.text), ['write 1', 'write 2']);
      assert.equal(a.candidates[0].reason, "can't read 1 from register 2");
    });
  });

  describe('ill-formed histories are input errors naming the line', () => {
    it('an invocation while one is pending', () => {
      assert.throws(() => cas('0 invoke write 1\n0 invoke write 2'), (e: unknown) => isInputError(e) && /:2: process 0 invokes write while its write from line 1/.test((e as Error).message));
    });
    it('a completion with no invocation', () => {
      assert.throws(() => cas('0 invoke write 1\n0 ok write 1\n0 ok write 1'), (e: unknown) => isInputError(e) && /:3: process 0 completes write \(ok\) with no pending/.test((e as Error).message));
    });
    it('an op the model does not know', () => {
      assert.throws(() => cas('0 invoke enqueue 1\n0 ok enqueue 1'), (e: unknown) => isInputError(e) && /:1: cas-register has no operation 'enqueue'/.test((e as Error).message));
    });
  });
});

describe('linearizability: crashed ops with unknown results', () => {
  const uq = (text: string) => checkSync(ops(text), 'unordered-queue').valid;
  const enq = (p: number, v: number) => `${p} invoke enqueue ${v}\n${p} ok enqueue ${v}\n`;
  it('a crashed unordered dequeue may have removed the only element, so the queue may then be empty', () => {
    assert.equal(uq(`${enq(0, 1)}1 invoke dequeue\n1 info dequeue\n2 invoke dequeue\n2 ok dequeue nil`), true);
  });
  it('it may have removed any one element, but only one', () => {
    const two = `${enq(0, 1)}${enq(0, 2)}1 invoke dequeue\n1 info dequeue\n`;
    assert.equal(uq(`${two}2 invoke dequeue\n2 ok dequeue 1\n2 invoke dequeue\n2 ok dequeue nil`), true);
    assert.equal(uq(`${two}2 invoke dequeue\n2 ok dequeue 2\n2 invoke dequeue\n2 ok dequeue nil`), true);
    assert.equal(uq(`${two}2 invoke dequeue\n2 ok dequeue nil`), false);
  });
  it('it takes effect after its invocation, perhaps long after, and removes an element only once', () => {
    // The crashed dequeue is invoked and crashes before 7 is enqueued; it still may take effect later and take 7.
    assert.equal(uq(`1 invoke dequeue\n1 info dequeue\n${enq(0, 7)}2 invoke dequeue\n2 ok dequeue nil`), true);
    // But it cannot take effect before its invocation: 7 was dequeued by someone else first.
    assert.equal(uq(`${enq(0, 7)}2 invoke dequeue\n2 ok dequeue 7\n1 invoke dequeue\n1 info dequeue\n2 invoke dequeue\n2 ok dequeue 7`), false);
  });
});

describe('linearizability: alternatives when other crashed ops have none', () => {
  it('an alternative stays usable however many crashed ops before it were dropped', () => {
    // A model that gives some crashed dequeues no alternatives (they vanish) and others one each, in one key, so
    // that alternative groups and op positions diverge.
    const base = modelFor('unordered-queue');
    const picky: Model<unknown> = { ...base, crashedResults: (op, all) => (op.value === 'drop' ? [] : base.crashedResults!(op, all)) };
    let h = '';
    for (let p = 0; p < 6; p++) h += `${p} invoke dequeue "drop"\n${p} info dequeue "drop"\n`;
    h += '10 invoke enqueue 1\n10 ok enqueue 1\n11 invoke dequeue\n11 info dequeue\n12 invoke dequeue\n12 ok dequeue nil';
    const { ops: expanded, group } = expandCrashed(complete({ ops: ops(h) }).operations, picky);
    assert.equal(expanded.length, 3);
    assert.equal(search(expanded, picky, {}, group).valid, true);
  });
});
