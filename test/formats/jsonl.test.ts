import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseHistoryText, readHistoryFile } from '../../checkers/formats/index.js';
import { assertErrorAt, FIXTURES } from './helpers.js';

describe('formats: jsonl', () => {
  it('reads op objects line by line, with source lines, skipping blank lines', async () => {
    const h = await readHistoryFile(join(FIXTURES, 'small.jsonl'));
    assert.equal(h.format, 'jsonl');
    assert.equal(h.source, join(FIXTURES, 'small.jsonl'));
    assert.deepEqual(h.ops, [
      { index: 0, time: 100, process: 0, type: 'invoke', f: 'write', value: 1 },
      { index: 1, time: 200, process: 0, type: 'ok', f: 'write', value: 1 },
      { index: 2, time: 300, process: 1, type: 'invoke', f: 'read', value: null },
      { index: 3, time: 400, process: 1, type: 'ok', f: 'read', value: 1 },
    ]);
    assert.deepEqual(h.lines, [1, 2, 4, 5]);
  });

  it('defaults index to the position, time to the index and value to null; keeps key, error and extra fields', () => {
    const text = [
      '{"process":"nemesis","type":"info","f":"start"}',
      '',
      '{"process":3,"type":"invoke","f":"cas","key":"k1","value":[1,2],"node":"n1"}',
      '{"index":7,"process":3,"type":"fail","f":"cas","key":7,"value":[1,2],"error":"mismatch"}\r',
    ].join('\n');
    const h = parseHistoryText(text, { format: 'jsonl' });
    assert.deepEqual(h.ops, [
      { index: 0, time: 0, process: 'nemesis', type: 'info', f: 'start', value: null },
      { index: 1, time: 1, process: 3, type: 'invoke', f: 'cas', key: 'k1', value: [1, 2], node: 'n1' },
      { index: 7, time: 7, process: 3, type: 'fail', f: 'cas', key: 7, value: [1, 2], error: 'mismatch' },
    ]);
    assert.deepEqual(h.lines, [1, 3, 4]);
  });

  it('an empty or blank input is an empty history', () => {
    for (const text of ['', '\n', '  \n\n\t\n']) {
      const h = parseHistoryText(text, { format: 'jsonl' });
      assert.deepEqual(h.ops, []);
      assert.deepEqual(h.lines, []);
    }
    assert.equal(parseHistoryText('').format, 'jsonl');
  });

  const good = '{"process":0,"type":"invoke","f":"read","value":null}';
  it('reports bad JSON with its line', () => {
    assertErrorAt(`${good}\n${good}\n{"process":0,"type":"ok",\n`, 'jsonl', 3, /^invalid JSON/);
    assertErrorAt(`${good}\n\n[1,2]\n`, 'jsonl', 3, /expected a JSON object/);
  });

  it('reports a bad type, a missing or empty f, a bad process, key, index or time with its line', () => {
    assertErrorAt(`${good}\n{"process":0,"type":"invoked","f":"read"}`, 'jsonl', 2, /type must be invoke, ok, fail or info, not "invoked"/);
    assertErrorAt(`{"process":0,"f":"read"}`, 'jsonl', 1, /no type/);
    assertErrorAt(`${good}\n${good}\n{"process":0,"type":"ok","value":1}`, 'jsonl', 3, /no f\b/);
    assertErrorAt(`{"process":0,"type":"ok","f":""}`, 'jsonl', 1, /f must be a non-empty string/);
    assertErrorAt(`{"process":0,"type":"ok","f":3}`, 'jsonl', 1, /f must be a non-empty string, not 3/);
    assertErrorAt(`{"process":1.5,"type":"ok","f":"read"}`, 'jsonl', 1, /process must be an integer/);
    assertErrorAt(`{"type":"ok","f":"read"}`, 'jsonl', 1, /no process/);
    assertErrorAt(`{"process":1,"type":"ok","f":"read","index":"3"}`, 'jsonl', 1, /index must be a finite number, not "3"/);
    assertErrorAt(`{"process":1,"type":"ok","f":"read","time":"x"}`, 'jsonl', 1, /time must be a finite number, not "x"/);
  });

  it('counts lines across CRLF line ends', () => {
    assertErrorAt(`${good}\r\n\r\n{"process":0}\r\n`, 'jsonl', 3, /no type/);
  });
});
