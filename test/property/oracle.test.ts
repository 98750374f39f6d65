import assert from 'node:assert/strict';
import { complete } from '../../checkers/history/complete.js';
import type { Op, Operation } from '../../checkers/history/op.js';
import { modelFor } from '../../checkers/models/index.js';
import type { Model } from '../../checkers/models/model.js';
import { ops } from '../support/dsl.js';
import { bruteForceHistory, bruteForceLinearizable, pairOperations } from '../support/oracle.js';
import { mutate } from '../support/mutate.js';
import { Rng } from '../../harness/rng.js';
import { SIMULATED_MODELS, simulate } from '../support/simulate.js';

const linearizable = (model: string, ops: Op[]) => bruteForceHistory(ops, modelFor(model));

describe('oracle (brute-force linearizability)', () => {
  it('accepts the empty history and sequential legal histories', () => {
    assert.equal(linearizable('register', []), true);
    assert.equal(linearizable('register', ops`0 invoke write 1\n 0 ok write 1\n 1 invoke read\n 1 ok read 1`), true);
  });

  it('rejects a sequential read of a value never written', () => {
    assert.equal(linearizable('register', ops`0 invoke write 1\n 0 ok write 1\n 1 invoke read\n 1 ok read 2`), false);
  });

  it('rejects a stale read after a later write completed', () => {
    const h = ops`
      0 invoke write 1
      0 ok     write 1
      0 invoke write 2
      0 ok     write 2
      1 invoke read
      1 ok     read 1`;
    assert.equal(linearizable('register', h), false);
  });

  it('lets a read concurrent with a write see either value', () => {
    for (const seen of ['nil', '1']) {
      const h = ops(`0 invoke write 1\n 1 invoke read\n 1 ok read ${seen}\n 0 ok write 1`);
      assert.equal(linearizable('register', h), true, `read ${seen}`);
    }
  });

  it('rejects a new-then-old inversion between two reads concurrent with one write', () => {
    // r1 sees 1 and returns; r2 starts afterwards and sees the old nil, while the write is still pending.
    const h = ops`
      0 invoke write 1
      1 invoke read
      1 ok     read 1
      2 invoke read
      2 ok     read nil
      0 ok     write 1`;
    assert.equal(linearizable('register', h), false);
  });

  it('lets an info op take effect later, or never, but never before its invocation', () => {
    const crashedWrite = '0 invoke write 1\n 0 info write 1\n';
    assert.equal(linearizable('register', ops(crashedWrite + '1 invoke read\n 1 ok read 1')), true);
    assert.equal(linearizable('register', ops(crashedWrite + '1 invoke read\n 1 ok read nil')), true);
    // Took effect between the two reads: fine. Seen, then unseen: not.
    const later = ops(crashedWrite + '1 invoke read\n 1 ok read nil\n 1 invoke read\n 1 ok read 1');
    assert.equal(linearizable('register', later), true);
    const unseen = ops(crashedWrite + '1 invoke read\n 1 ok read 1\n 1 invoke read\n 1 ok read nil');
    assert.equal(linearizable('register', unseen), false);
    // The read returned before the crashed write was even invoked.
    assert.equal(linearizable('register', ops('1 invoke read\n 1 ok read 1\n' + crashedWrite)), false);
  });

  it('treats a pending invocation (no completion) like info', () => {
    assert.equal(linearizable('register', ops`0 invoke write 1\n 1 invoke read\n 1 ok read 1`), true);
  });

  it('drops failed ops: they did not happen', () => {
    assert.equal(linearizable('register', ops`0 invoke write 1\n 0 fail write 1\n 1 invoke read\n 1 ok read 1`), false);
    assert.equal(linearizable('register', ops`0 invoke write 1\n 0 fail write 1\n 1 invoke read\n 1 ok read nil`), true);
  });

  it('checks cas against the state', () => {
    const legal = ops`
      0 invoke write 0
      0 ok     write 0
      1 invoke cas [0,3]
      1 ok     cas [0,3]
      2 invoke read
      2 ok     read 3`;
    assert.equal(linearizable('cas-register', legal), true);
    assert.equal(linearizable('cas-register', ops`0 invoke write 0\n 0 ok write 0\n 1 invoke cas [1,3]\n 1 ok cas [1,3]`), false);
    // Two concurrent cas from the same value cannot both succeed.
    const both = ops`
      0 invoke cas [null,1]
      1 invoke cas [null,2]
      0 ok     cas [null,1]
      1 ok     cas [null,2]`;
    assert.equal(linearizable('cas-register', both), false);
  });

  it('keeps keys apart, unless the model spans keys', () => {
    const h = (k2: string) => ops(`0 invoke put "a" @k1\n 0 ok put "a" @k1\n 1 invoke get @${k2}\n 1 ok get "" @${k2}`);
    assert.equal(linearizable('kv', h('k2')), true);
    assert.equal(linearizable('kv', h('k1')), false);
    const txn = ops`
      0 invoke txn [["write","x",1]]
      0 ok     txn [["write","x",1]]
      1 invoke txn [["read","x",null]]
      1 ok     txn [["read","x",1]]`;
    assert.equal(linearizable('multi-register', txn), true);
  });

  it('knows a mutex cannot be held twice', () => {
    assert.equal(linearizable('mutex', ops`0 invoke acquire\n 1 invoke acquire\n 0 ok acquire\n 1 ok acquire`), false);
    const handover = ops`
      0 invoke acquire
      0 ok     acquire
      0 invoke release
      0 ok     release
      1 invoke acquire
      1 ok     acquire`;
    assert.equal(linearizable('mutex', handover), true);
  });

  it('orders a fifo queue by linearization, not by invocation', () => {
    const enqueued = '0 invoke enqueue 1\n 0 ok enqueue 1\n 0 invoke enqueue 2\n 0 ok enqueue 2\n';
    assert.equal(linearizable('fifo-queue', ops(enqueued + '1 invoke dequeue\n 1 ok dequeue 2')), false);
    const concurrent = ops`
      0 invoke enqueue 1
      1 invoke enqueue 2
      1 ok     enqueue 2
      0 ok     enqueue 1
      2 invoke dequeue
      2 ok     dequeue 2`;
    assert.equal(linearizable('fifo-queue', concurrent), true);
  });

  it('lets a crashed unordered dequeue have taken any element (Model.crashedResults)', () => {
    const h = (last: string) => ops(`0 invoke enqueue 1\n 0 ok enqueue 1\n 1 invoke dequeue\n 1 info dequeue\n 0 invoke dequeue\n 0 ok dequeue ${last}`);
    assert.equal(linearizable('unordered-queue', h('nil')), true, 'the crashed dequeue took the 1');
    assert.equal(linearizable('unordered-queue', h('1')), true, 'or it took nothing');
    assert.equal(linearizable('unordered-queue', h('2')), false);
  });

  it('passes each operation to model.step exactly as completed (info status included)', () => {
    const seen: Operation[] = [];
    const base = modelFor('register') as Model<unknown>;
    const spy: Model<unknown> = { ...base, step: (s, op) => (seen.push(op as Operation), base.step(s, op)) };
    const operations = pairOperations(ops`0 invoke write 1\n 0 info write 1\n 1 invoke read\n 1 ok read 1`);
    assert.equal(bruteForceLinearizable(operations, spy), true);
    assert.ok(seen.every((op) => operations.includes(op)), 'step gets the operations themselves');
    assert.ok(seen.some((op) => op.status === 'info' && op.f === 'write'));
  });

  it('finishes quickly on nine fully concurrent ops with no linearization', () => {
    // Eight concurrent writes and a read of a value none of them wrote: every order must be refuted.
    const writes = Array.from({ length: 8 }, (_, p) => p);
    const h = ops([...writes.map((p) => `${p} invoke write ${p}`), '8 invoke read', '8 ok read 42', ...writes.map((p) => `${p} ok write ${p}`)].join('\n'));
    const t0 = Date.now();
    assert.equal(linearizable('register', h), false);
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  });

  it('gives the same verdicts without its memo of dead ends (plain exhaustive search)', () => {
    const rng = new Rng(99);
    let invalid = 0;
    for (const model of SIMULATED_MODELS) {
      const m = modelFor(model);
      for (let seed = 0; seed < 60; seed++) {
        const h = mutate(simulate({ model, processes: 3, ops: 6, keys: seed % 2 ? 2 : undefined, crashRate: 0.2, seed }), rng).history;
        const operations = pairOperations(h);
        const verdict = bruteForceLinearizable(operations, m);
        assert.equal(bruteForceLinearizable(operations, m, { memo: false }), verdict, `${model} seed ${seed}`);
        if (!verdict) invalid++;
      }
    }
    assert.ok(invalid > 50, `only ${invalid} invalid`);
  });

  it('pairs events like checkers/history/complete on simulated histories', () => {
    for (const model of SIMULATED_MODELS) {
      for (let seed = 0; seed < 20; seed++) {
        const h = simulate({ model, processes: 3, ops: 12, keys: 2, crashRate: 0.2, seed });
        // Source lines are complete()'s business; an absent key and `key: undefined` mean the same.
        const strip = (os: Operation[]) =>
          os.map(({ line: _l, completeLine: _c, ...o }) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
        assert.deepEqual(strip(pairOperations(h)), strip(complete({ ops: h }).operations), `${model} seed ${seed}`);
      }
    }
  });
});
