import assert from 'node:assert/strict';
import { parseHistoryText } from '../../checkers/formats/index.js';
import { assertErrorAt } from './helpers.js';

/** Messages that name the real problem, with the value exactly as the file wrote it (found by fuzzing, issue 12). */
describe('formats: error messages name the real problem', () => {
  it('"time": 1e400 is a time that is not a finite number, not "null"', () => {
    const line = '{"process":0,"type":"invoke","f":"read","value":null,"time":1e400}';
    assertErrorAt(line, 'jsonl', 1, /^time must be a finite number.*\b1e400$/);
    assert.throws(() => parseHistoryText(line, { format: 'jsonl', source: 'h.txt' }), (e: unknown) => !/null/.test((e as Error).message));
    assertErrorAt('{"process":0,"type":"invoke","f":"read","value":null,"index":-1e400}', 'jsonl', 1, /^index must be a finite number.*-1e400$/);
  });
});
