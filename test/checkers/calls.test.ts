import assert from 'node:assert/strict';
import { parseHistoryText } from '../../checkers/formats/index.js';
import { Calls } from '../../checkers/history/calls.js';
import { complete } from '../../checkers/history/complete.js';
import type { History } from '../../checkers/history/history.js';
import type { Op } from '../../checkers/history/op.js';
import type { CheckerVerdict } from '../../checkers/registry.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { inputErrorAt } from '../support/cli.js';
import { ops } from '../support/dsl.js';

const checkerFor = (name: string) => builtinRegistry().checker(name);
const explainResult = (r: CheckerVerdict) => checkerFor(r.checker).explain(r);

describe('history: Calls (pairing invocations with completions)', () => {
  it('a process that got info never issues again: a later invocation on it is an error naming both lines', () => {
    const h = ops`
      0 invoke write 1
      1 invoke write 2
      0 info write 1
      1 ok write 2
      0 invoke read nil
      0 ok read 2
    `;
    assert.throws(() => new Calls(h), inputErrorAt(5, /process 0 invokes read after its info at line 3: a process that got info never issues again/));
    assert.throws(() => complete({ ops: h }), inputErrorAt(5, /after its info at line 3/));
  });

  it('nor completes again', () => {
    assert.throws(() => new Calls(ops`0 invoke write 1\n 0 info write 1\n 0 ok write 1`), inputErrorAt(3, /process 0 completes write \(ok\) after its info at line 2/));
  });

  it('a fresh process id takes its place, and a nemesis may say anything after info', () => {
    const h = ops`
      0 invoke write 1
      0 info write 1
      nemesis info start nil
      nemesis info stop nil
      5 invoke read nil
      5 ok read 1
    `;
    const calls = new Calls(h);
    assert.deepEqual([...calls.completion], [1, -1, -1, -1, 5, -1]);
  });

  it('a fail or an ok does not retire the process', () => {
    assert.doesNotThrow(() => new Calls(ops`0 invoke write 1\n 0 fail write 1\n 0 invoke write 2\n 0 ok write 2\n 0 invoke read nil\n 0 ok read 2`));
  });

  it('a completion of another function or key than its invocation is an error naming both lines, in Calls and complete alike', () => {
    const f = ops`0 invoke write 1\n 1 invoke read nil\n 0 ok read 1`;
    for (const pair of [() => new Calls(f), () => complete({ ops: f })]) {
      assert.throws(pair, inputErrorAt(3, /^<history>:3: process 0 completes read but invoked write at line 1$/));
    }
    const key = ops`0 invoke read nil @x\n 0 ok read 1 @y`;
    for (const pair of [() => new Calls(key), () => complete({ ops: key })]) {
      assert.throws(pair, inputErrorAt(2, /^<history>:2: process 0 completes read on key "y", but invoked it on key "x" \(line 1\)$/));
    }
  });

  it('a second invocation in flight, or a completion with none, in complete as in Calls', () => {
    const twice = ops`0 invoke write 1\n 0 invoke read nil`;
    for (const pair of [() => new Calls(twice), () => complete({ ops: twice })]) {
      assert.throws(pair, inputErrorAt(2, /process 0 invokes read while its write from line 1 is still pending$/));
    }
    const none = ops`0 fail cas [1,2]`;
    for (const pair of [() => new Calls(none), () => complete({ ops: none })]) {
      assert.throws(pair, inputErrorAt(1, /process 0 completes cas \(fail\) with no pending invocation$/));
    }
    assert.throws(() => complete({ ops: ops`0 invoke write 1\n 0 info write 1\n 0 ok write 1` }), inputErrorAt(3, /completes write \(ok\) after its info at line 2/));
  });

  it('an op built in memory with a type that is not invoke, ok, fail or info is an error, not taken for a completion', async () => {
    const h = ops`0 invoke write 1\n 0 ok write 1`;
    h[1].type = 'done' as Op['type'];
    for (const pair of [() => new Calls(h), () => complete({ ops: h })]) {
      assert.throws(pair, inputErrorAt(2, /^<history>:2: type must be invoke, ok, fail or info, not "done"$/));
    }
    for (const name of ['set', '2pc']) await assert.rejects(checkerFor(name).check(h, {}), inputErrorAt(2, /not "done"/));
    await assert.rejects(checkerFor('linearizable').check(h, { model: 'register', workers: 1 }), inputErrorAt(2, /not "done"/));
  });

  it('every checker refuses it, with the file and line', async () => {
    const text = [
      { process: 0, type: 'invoke', f: 'add', value: 1 },
      { process: 0, type: 'info', f: 'add', value: 1 },
      { process: 0, type: 'invoke', f: 'add', value: 2 },
      { process: 0, type: 'ok', f: 'add', value: 2 },
    ].map((o) => JSON.stringify(o)).join('\n');
    const h: History = parseHistoryText(text, { source: 'h.jsonl' });
    for (const [name, opts] of [['set', {}], ['2pc', {}], ['linearizable', { model: 'set' }]] as const) {
      await assert.rejects(checkerFor(name).check(h, opts), inputErrorAt(3, /^h\.jsonl:3: process 0 invokes add after its info at line 2/), name);
    }
  });
});
