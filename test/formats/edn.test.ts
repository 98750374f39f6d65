import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseHistoryText, readHistoryFile } from '../../checkers/formats/index.js';
import { assertErrorAt, FIXTURES } from './helpers.js';
import { Char, EdnDouble, EdnMap, EdnSet, Keyword } from '../../checkers/values/types.js';

/** EDN values keep their EDN types: a keyword is not a string (Knossos tells them apart). */
const kw = (name: string) => new Keyword(name);

describe('formats: edn', () => {
  it('reads a Knossos vector of maps with comments, :nemesis, :error, and source lines', async () => {
    const h = await readHistoryFile(join(FIXTURES, 'knossos-cas.edn'));
    assert.equal(h.format, 'edn');
    assert.deepEqual(h.ops, [
      { index: 0, time: 0, process: 4, type: 'invoke', f: 'write', value: 2 },
      { index: 1, time: 1, process: 4, type: 'ok', f: 'write', value: 2 },
      { index: 2, time: 2, process: 6, type: 'invoke', f: 'read', value: null },
      { index: 3, time: 3, process: 1, type: 'invoke', f: 'cas', value: [2, 3] },
      { index: 4, time: 4, process: 1, type: 'fail', f: 'cas', value: [2, 3], error: 'mismatch' },
      { index: 5, time: 5, process: 'nemesis', type: 'info', f: 'start', value: 'Cut off {:n1 #{:n2}}' },
    ]);
    assert.deepEqual(h.lines, [2, 3, 5, 6, 7, 8]);
  });

  it('reads Jepsen 0.3 histories: tagged #jepsen.history.Op maps, multi-line maps, bigints, sets, txn values', async () => {
    const h = await readHistoryFile(join(FIXTURES, 'jepsen-0.3.edn'));
    assert.equal(h.format, 'edn');
    assert.deepEqual(h.ops, [
      { index: 0, time: 11, type: 'invoke', process: 0, f: 'txn', value: [[kw('r'), kw('x'), null], [kw('w'), kw('y'), 2]] },
      { index: 1, time: 29, type: 'ok', process: 0, f: 'txn', value: [[kw('r'), kw('x'), 1], [kw('w'), kw('y'), 2]] },
      { index: 2, time: 30, type: 'info', process: 'nemesis', f: 'kill', value: new EdnSet(['n1', 'n2']) },
      { index: 3, time: 31, type: 'invoke', process: 1, f: 'read', key: 'k', value: null, 'final?': true },
    ]);
    assert.deepEqual(h.lines, [1, 2, 8, 9]);
  });

  it('a vector of maps and the bare sequence of the same maps read the same', () => {
    const maps = [
      '{:type :invoke, :f :txn, :value [[:read :x nil] [:write :y 2]], :process 0}',
      '{:type :ok, :f :txn, :value [[:read :x 1] [:write :y 2]], :process 0}',
    ];
    const bare = parseHistoryText(maps.join('\n'));
    const vector = parseHistoryText(`[${maps.join('\n ')}]`);
    const list = parseHistoryText(`(${maps.join('\n ')})`);
    assert.deepEqual(bare.ops, vector.ops);
    assert.deepEqual(bare.ops, list.ops);
    assert.deepEqual(bare.lines, [1, 2]);
    assert.deepEqual(vector.lines, [1, 2]);
    assert.deepEqual(bare.ops[1].value, [[kw('read'), kw('x'), 1], [kw('write'), kw('y'), 2]]);
    assert.deepEqual(parseHistoryText('[]').ops, []);
    assert.deepEqual(parseHistoryText('; nothing\n[ ; at all\n]\n').ops, []);
  });

  it('handles strings with escapes and brackets, character literals, comments, discards and lists', () => {
    const text = [
      '{:type :invoke, :f :write, :process 0, :value "a \\"}]) ; not a comment", :c \\( :d \\space :e \\u0041}',
      '#_ {:type :invoke, :f :ignored, :process 9}',
      '{:type :ok, :f :write, :process 0, :value (1 2 #{3}), ; comment }]',
      ' :ok? true #_ :skipped-key, :n 1.5, :m {:a [nil]}}',
    ].join('\n');
    const h = parseHistoryText(text);
    assert.deepEqual(h.ops, [
      { index: 0, time: 0, type: 'invoke', f: 'write', process: 0, value: 'a "}]) ; not a comment', c: new Char('('), d: new Char(' '), e: new Char('A') },
      { index: 1, time: 1, type: 'ok', f: 'write', process: 0, value: [1, 2, new EdnSet([3])], 'ok?': true, n: new EdnDouble(1.5), m: new EdnMap([[kw('a'), [null]]]) },
    ]);
    assert.deepEqual(h.lines, [1, 3]);
  });

  it('counts newlines inside strings and comments when numbering lines', () => {
    const h = parseHistoryText('{:type :invoke, :f :write, :process 0, :value "two\nlines"} ; c\n; more\n{:type :ok, :f :write, :process 0, :value "x"}');
    assert.equal(h.ops[0].value, 'two\nlines');
    assert.deepEqual(h.lines, [1, 4]);
  });

  it('a :key field becomes the op key; :index and :time are kept', () => {
    const h = parseHistoryText('{:index 5, :time 123, :process 3, :type :invoke, :f :cas, :key "x", :value [1 2]}');
    assert.deepEqual(h.ops, [{ index: 5, time: 123, process: 3, type: 'invoke', f: 'cas', key: 'x', value: [1, 2] }]);
  });

  it('reports an unterminated map at the line where it starts', () => {
    const ok = '{:type :invoke, :f :read, :process 0, :value nil}';
    assertErrorAt(`${ok}\n${ok}\n{:type :ok, :f :read,\n :process 0, :value [1 2\n`, 'edn', 3, /unterminated map/);
    assertErrorAt(`[${ok}\n ${ok}\n {:type :ok`, 'edn', 3, /unterminated map/);
    assertErrorAt(`[${ok}\n ${ok}\n`, 'edn', 1, /unterminated vector around the history/);
    assertErrorAt(`${ok}\n{:type :ok, :f :read, :value "abc`, 'edn', 2, /unterminated string/);
  });

  it('reports mismatched brackets, a key without a value, and stray closers with their line', () => {
    assertErrorAt('{:type :ok, :f :read,\n :value [1 2}', 'edn', 2, /unexpected '}'.*vector opened at line 2/);
    assertErrorAt('{:type :ok, :f :read, :process 0,\n :value}', 'edn', 1, /key without a value/);
    assertErrorAt('{:type :ok, :f :read, :process 0, :value 1}\n}', 'edn', 2, /unexpected '}'/);
    assertErrorAt('[{:type :ok, :f :read, :process 0, :value 1}]\n{:type :ok}', 'edn', 2, /after the end of the history/);
  });

  it('reports an element that is not a map with its line', () => {
    const ok = '{:type :invoke, :f :read, :process 0, :value nil}';
    assertErrorAt(`[${ok}\n :oops\n ${ok}]`, 'edn', 2, /expected an op map.*":oops"/);
    assertErrorAt(`${ok}\n\n[1 2]\n`, 'edn', 3, /expected an op map.*tuple.*found \[1 2\]/);
    assertErrorAt(`${ok}\n"str"`, 'edn', 2, /expected an op map.*string/);
    assertErrorAt(`${ok}\n#inst "2020-01-01T00:00:00Z"`, 'edn', 2, /expected an op map.*string/);
  });

  it('checks op fields like JSON lines do', () => {
    assertErrorAt('{:type :invoke, :f :read, :process 0}\n{:type :done, :f :read, :process 0}', 'edn', 2, /type must be invoke, ok, fail or info, not "done"/);
    assertErrorAt('{:type :invoke, :process 0, :value 1}', 'edn', 1, /no f\b/);
    assertErrorAt('{:type :invoke, :f :read, :process [0]}', 'edn', 1, /process must be an integer/);
  });

  it("reads Knossos's tuple ops [process type f value error?], bare or enclosed, with nemesis tuples", () => {
    const tuples = '[70  :invoke :read nil]\n[70  :ok :read 3]\n[:nemesis :info :start "Cut off [:n3 #[:n4]]"]\n[71 :fail :cas [1 2] :conn-lost]';
    const expected = [
      { index: 0, time: 0, process: 70, type: 'invoke', f: 'read', value: null },
      { index: 1, time: 1, process: 70, type: 'ok', f: 'read', value: 3 },
      { index: 2, time: 2, process: 'nemesis', type: 'info', f: 'start', value: 'Cut off [:n3 #[:n4]]' },
      { index: 3, time: 3, process: 71, type: 'fail', f: 'cas', value: [1, 2], error: 'conn-lost' },
    ];
    for (const text of [tuples, `[${tuples}]`, `; a comment\n${tuples}`]) {
      const h = parseHistoryText(text);
      assert.equal(h.format, 'edn');
      assert.deepEqual(h.ops, expected);
    }
    assert.deepEqual(parseHistoryText(tuples).lines, [1, 2, 3, 4]);
    assertErrorAt('[70 :invoke :read nil]\n[70 :ok]', 'edn', 2, /tuple \[process type f value error\?\]/);
  });
});
