import assert from 'node:assert/strict';
import { isInputError } from '../../checkers/errors.js';
import { parseHistoryText } from '../../checkers/formats/index.js';
import type { History } from '../../checkers/history/history.js';
import type { Op } from '../../checkers/history/op.js';
import { checkTwoPhaseCommit } from '../../checkers/two-phase-commit/index.js';

/** Ids beyond 2^53 are refused, quoted exactly as written (the readers keep such integers as bigints). */
describe('checkers: 2pc ids beyond 2^53', () => {
  const transfer = (id: unknown): Op[] => [
    { index: 0, time: 0, process: 0, type: 'invoke', f: 'transfer', value: { id, from: 'a', to: 'b', amount: 1 } },
    { index: 1, time: 1, process: 0, type: 'ok', f: 'transfer', value: { id, from: 'a', to: 'b', amount: 1 } },
  ];
  const refused = (ops: Op[] | History, re: RegExp) =>
    assert.throws(
      () => checkTwoPhaseCommit(ops),
      (e: unknown) => {
        assert.ok(isInputError(e), String(e));
        assert.ok(!(e as Error).message.includes('\n'));
        assert.match((e as Error).message, re);
        return true;
      },
    );

  it('as a bigint (how the readers keep integers beyond 2^53)', () => {
    refused(transfer(9007199254740993n), /:1: transfer id 9007199254740993 is beyond 2\^53/);
    refused(transfer(-123456789012345678901234567890n), /transfer id -123456789012345678901234567890 is beyond 2\^53/);
  });

  it('read from JSON lines', () => {
    const text = '{"process":0,"type":"invoke","f":"transfer","value":{"id":9007199254740993,"from":"a","to":"b","amount":1}}';
    refused(parseHistoryText(text, { source: 'h.jsonl' }), /^h\.jsonl:1: transfer id 9007199254740993 is beyond 2\^53/);
  });

  it('a bigint id within 2^53 is an id like any other', () => {
    const ops: Op[] = [
      ...transfer(7n),
      { index: 2, time: 2, process: 1, type: 'invoke', f: 'final-read', value: null },
      { index: 3, time: 3, process: 1, type: 'ok', f: 'final-read', value: { participants: { p1: { balances: { a: 1 }, markers: [7n], prepared: [] } } } },
    ];
    const r = checkTwoPhaseCommit(ops);
    assert.equal(r.counts.transfers, 1);
  });

  it('markers, prepared ids and since beyond 2^53 are quoted exactly too', () => {
    const read = (f: string, value: unknown): Op[] => [
      { index: 0, time: 0, process: 1, type: 'invoke', f, value: null },
      { index: 1, time: 1, process: 1, type: 'ok', f, value },
    ];
    refused(read('read', { since: 0, participants: { p1: { balances: {}, markers: [9007199254740993n] } } }), /marker 9007199254740993 is beyond 2\^53/);
    refused(read('final-read', { participants: { p1: { balances: {}, markers: [], prepared: [18014398509481985n] } } }), /prepared id 18014398509481985 is beyond 2\^53/);
    refused(read('read', { since: 9007199254740993n, participants: {} }), /since 9007199254740993 is beyond 2\^53/);
  });
});
