import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isInputError } from '../../checkers/errors.js';
import { parseHistoryText } from '../../checkers/formats/index.js';
import type { History } from '../../checkers/history/history.js';
import { splitIndependent } from '../../checkers/history/independent.js';
import type { Op } from '../../checkers/history/op.js';
import { linearizableChecker, type CheckerVerdict } from '../../checkers/registry.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { ops } from '../support/dsl.js';
import { inputErrorAt } from '../support/cli.js';

const checkerFor = (name: string) => builtinRegistry().checker(name);
const explainResult = (r: CheckerVerdict) => checkerFor(r.checker).explain(r);

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => readFileSync(join(root, 'test/fixtures/histories', name), 'utf8');

/** The ops' (process type f key value), as a compact table. */
const rows = (h: History) => h.ops.map((o) => [o.process, o.type, o.f, o.key, o.value]);

function throwsAt(h: History | Op[], line: number, re: RegExp): void {
  assert.throws(() => splitIndependent(Array.isArray(h) ? { ops: h } : h), inputErrorAt(line, re));
}

describe('history: splitIndependent (jepsen.independent)', () => {
  it('gives every client op the key and value of its [key value] tuple; other ops are kept as they are', () => {
    const h = parseHistoryText(fixture('independent-ok.jsonl'), { source: 'h.jsonl' });
    const s = splitIndependent(h);
    assert.deepEqual(rows(s).slice(0, 9), [
      [0, 'invoke', 'write', 1, 1],
      [0, 'ok', 'write', 1, 1],
      [1, 'invoke', 'write', 2, 5],
      [1, 'ok', 'write', 2, 5],
      ['nemesis', 'info', 'start', undefined, null],
      [0, 'invoke', 'read', 1, null],
      [0, 'ok', 'read', 1, 1],
      [1, 'invoke', 'cas', 2, [5, 6]],
      [1, 'ok', 'cas', 2, [5, 6]],
    ]);
    assert.ok(!('key' in s.ops[4]), 'a nemesis op gets no key');
    // Lines, source and format are the history's own; the input is not changed.
    assert.deepEqual([s.lines, s.source, s.format], [h.lines, h.source, h.format]);
    assert.deepEqual(h.ops[0].value, [1, 1]);
    assert.equal(h.ops[0].key, undefined);
  });

  it('a completion whose value is nil takes the key of its invocation (Jepsen puts it in every subhistory)', () => {
    const s = splitIndependent({ ops: ops`
      2 invoke write ["k",9]
      2 info write nil
      3 invoke read ["k",null]
      3 fail read nil
      4 invoke read ["j",null]
      4 ok read nil
    ` });
    assert.deepEqual(rows(s), [
      [2, 'invoke', 'write', 'k', 9],
      [2, 'info', 'write', 'k', null],
      [3, 'invoke', 'read', 'k', null],
      [3, 'fail', 'read', 'k', null],
      [4, 'invoke', 'read', 'j', null],
      [4, 'ok', 'read', 'j', null],
    ]);
  });

  it('keys are any value: integers, strings, EDN keywords and vectors, compared by value', async () => {
    const edn = '[{:process 0, :type :invoke, :f :write, :value [:x 1]}\n {:process 0, :type :ok, :f :write, :value [:x 1]}\n' +
      ' {:process 1, :type :invoke, :f :write, :value [[1 2] 2]}\n {:process 1, :type :ok, :f :write, :value [[1 2] 2]}\n' +
      ' {:process 0, :type :invoke, :f :read, :value [:x nil]}\n {:process 0, :type :ok, :f :read, :value [:x 1]}\n' +
      ' {:process 1, :type :invoke, :f :read, :value [[1 2] nil]}\n {:process 1, :type :ok, :f :read, :value [[1 2] 2]}]';
    const h = parseHistoryText(edn, { format: 'edn' });
    const s = splitIndependent(h);
    assert.deepEqual(s.ops[2].key, [1, 2]);
    const r = await linearizableChecker.check(h, { model: 'cas-register', independent: true, workers: 1 });
    assert.equal(r.valid, true, explainResult(r));
    assert.equal(r.checker === 'linearizable' && r.keys, 2);
  });

  it('refuses a client op whose value is not a [key value] tuple, naming the line', () => {
    throwsAt(ops`0 invoke read nil`, 1, /process 0 invokes read with nil: .*\[key value\] tuple/);
    throwsAt(ops`0 invoke write 3`, 1, /\[key value\] tuple/);
    throwsAt(ops`0 invoke write [1,2,3]`, 1, /\[key value\] tuple/);
    throwsAt(ops`
      0 invoke write [1,1]
      1 invoke write [2,2]
      0 ok write 1
    `, 3, /process 0 completes write with 1: .*\[key value\] tuple/);
    const h = parseHistoryText('\n{"process":0,"type":"invoke","f":"read","value":["a",null]}\n\n{"process":0,"type":"ok","f":"read","value":"a"}\n', { source: 'h.jsonl' });
    throwsAt(h, 4, /^h\.jsonl:4: /);
  });

  it('refuses a completion whose key is not its invocation\'s', () => {
    throwsAt(ops`
      0 invoke write [1,1]
      0 ok write [2,1]
    `, 2, /process 0 completes write on key 2, but invoked it on key 1 \(line 1\)/);
  });

  it('pairs as the checkers pair (ClientDiscipline): a nil completion of a call not in flight has no key to take', () => {
    throwsAt(ops`
      0 invoke write [1,1]
      0 invoke write [1,2]
    `, 2, /process 0 invokes write while its write from line 1 is still pending$/);
    throwsAt(ops`
      0 invoke write [1,1]
      0 info write nil
      0 ok write nil
    `, 3, /process 0 completes write with nil: .*\[key value\] tuple/);
    throwsAt(ops`
      0 invoke write [1,1]
      0 info write nil
      0 ok write [1,1]
    `, 3, /process 0 completes write \(ok\) after its info at line 2/);
  });

  it('the linearizable checker splits when told to, and only the linearizable checker', async () => {
    const h = parseHistoryText(fixture('independent-ok.edn'), { source: 'independent-ok.edn' });
    const c = checkerFor('linearizable');
    const split = await c.check(h, { model: 'cas-register', independent: true, workers: 1 });
    assert.equal(split.valid, true, explainResult(split));
    assert.equal((await c.check(h, { model: 'cas-register', workers: 1 })).valid, false);
    const bad = await c.check(parseHistoryText(fixture('independent-bad.edn')), { model: 'cas-register', independent: true, workers: 1 });
    assert.equal(bad.valid, false);
    assert.match(explainResult(bad), /Key 2 is not linearizable/);
    // An array of ops works as well as a History.
    assert.equal((await c.check(h.ops, { model: 'cas-register', independent: true, workers: 1 })).valid, true);
    for (const name of ['set', '2pc']) {
      await assert.rejects(checkerFor(name).check(h, { independent: true }), (e: unknown) => isInputError(e) && /--independent applies to the linearizable checker, not to/.test((e as Error).message));
    }
  });
});
