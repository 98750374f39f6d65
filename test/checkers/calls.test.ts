import assert from 'node:assert/strict';
import { parseHistoryText } from '../../checkers/formats/index.js';
import { Calls } from '../../checkers/history/calls.js';
import { complete } from '../../checkers/history/complete.js';
import type { History } from '../../checkers/history/history.js';
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
