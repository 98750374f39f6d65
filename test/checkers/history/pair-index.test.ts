import assert from 'node:assert/strict';
import type { Violation } from '../../../checkers/history/client-discipline.js';
import { pairCalls, pairIndex } from '../../../checkers/history/pair-index.js';
import { ops } from '../../support/dsl.js';

describe('history: pairIndex and pairCalls (the one pairing of calls)', () => {
  const h = ops`
    0 invoke write 1
    1 invoke read nil
    nemesis info start nil
    1 ok read 1
    0 info write 1
    2 invoke cas [1,2]
  `;

  it('pairIndex: each client invocation\'s position → its completion\'s, -1 elsewhere', () => {
    assert.deepEqual([...pairIndex(h)], [4, 3, -1, -1, -1, -1]);
  });

  it('pairCalls: the calls in invocation order, as parallel typed arrays', () => {
    const c = pairCalls(h);
    assert.ok(c.invoke instanceof Int32Array && c.complete instanceof Int32Array);
    assert.deepEqual([...c.invoke], [0, 1, 5]);
    assert.deepEqual([...c.complete], [4, 3, -1]);
    assert.deepEqual(pairCalls([]), { invoke: new Int32Array(0), complete: new Int32Array(0) });
  });

  const bad = ops`
    0 invoke write 1
    0 invoke read nil
    0 ok read 1
    0 ok write 1
    1 ok write 3
    2 invoke write 2
    2 info write 2
    2 invoke write 4
    2 ok write 4
  `;

  it('an op that breaks a rule pairs with nothing, and is reported as data', () => {
    const seen: Violation[] = [];
    const pair = pairIndex(bad, (v) => seen.push(v));
    assert.deepEqual([...pair], [3, -1, -1, -1, -1, 6, -1, -1, -1]);
    assert.deepEqual(seen.map((v) => [v.rule, v.at]), [['double-invoke', 1], ['f-mismatch', 2], ['not-running', 4], ['retired', 7], ['retired', 8]]);
  });

  it('pairCalls keeps every invocation, a refused one as never completed', () => {
    const c = pairCalls(bad);
    assert.deepEqual([...c.invoke], [0, 1, 5, 7]);
    assert.deepEqual([...c.complete], [3, -1, 6, -1]);
  });

  it('a throwing onViolation stops the pairing (the checkers\' input errors)', () => {
    assert.throws(() => pairIndex(bad, (v) => { throw new Error(v.rule); }), /^Error: double-invoke$/);
  });
});
