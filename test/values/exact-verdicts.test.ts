import assert from 'node:assert/strict';
import { parseHistoryText } from '../../checkers/formats/index.js';
import { check, checkSync } from '../../checkers/linearizability/index.js';
import { isInputError } from '../../checkers/errors.js';
import { modelFor } from '../../checkers/models/index.js';

/*
 * Wrong "valid" verdicts found on real-world input (issue 12): values must compare exactly as the history wrote
 * them, whatever the reader, the model, or the thread that checks them.
 */

/** A write of `w` then, strictly after, a read of `r`, on one register, as JSON lines (the literals as given). */
const writeThenRead = (w: string, r: string, f = 'write') =>
  [
    `{"process":0,"type":"invoke","f":"${f}","value":${w}}`,
    `{"process":0,"type":"ok","f":"${f}","value":${w}}`,
    `{"process":1,"type":"invoke","f":"read","value":null}`,
    `{"process":1,"type":"ok","f":"read","value":${r}}`,
  ].join('\n');

/** The same in EDN. */
const ednWriteThenRead = (w: string, r: string) =>
  [
    `{:process 0, :type :invoke, :f :write, :value ${w}}`,
    `{:process 0, :type :ok, :f :write, :value ${w}}`,
    `{:process 1, :type :invoke, :f :read, :value nil}`,
    `{:process 1, :type :ok, :f :read, :value ${r}}`,
  ].join('\n');

const verdict = (text: string, model = 'register') => checkSync(parseHistoryText(text), model).valid;

/** Each [written, read, linearizable?] as a register history made by `history`. */
function expectVerdicts(history: (w: string, r: string) => string, cases: [string, string, boolean][]): void {
  for (const [w, r, valid] of cases) assert.equal(verdict(history(w, r)), valid, `write ${w}, read ${r}`);
}

describe('exact values: no wrong verdict on real-world input', () => {
  describe('integers beyond 2^53 stay exact', () => {
    it('JSON lines: a read of 9007199254740992 after a write of 9007199254740993 is not linearizable', () => {
      expectVerdicts(writeThenRead, [
        ['9007199254740993', '9007199254740992', false],
        ['9007199254740993', '9007199254740993', true],
        ['123456789012345678901234567890', '123456789012345678901234567891', false],
        ['-9007199254740993', '-9007199254740992', false],
      ]);
    });

    it('EDN: the same, with and without the N suffix', () => {
      assert.equal(verdict(ednWriteThenRead('9007199254740993', '9007199254740992')), false);
      assert.equal(verdict(ednWriteThenRead('9007199254740993N', '9007199254740993')), true);
    });

    it('Jepsen logs (porcupine-etcd): the same', () => {
      const log = (w: string, r: string) =>
        `INFO  jepsen.util - 0\t:invoke\t:write\t${w}\nINFO  jepsen.util - 0\t:ok\t:write\t${w}\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\t${r}\n`;
      assert.equal(verdict(log('9007199254740993', '9007199254740992'), 'cas-register'), false);
      assert.equal(verdict(log('9007199254740993', '9007199254740993'), 'cas-register'), true);
    });

    it('inside structures: a cas of [9007199254740993 1] and lists of big integers', () => {
      const h = [
        '{"process":0,"type":"invoke","f":"write","value":9007199254740993}',
        '{"process":0,"type":"ok","f":"write","value":9007199254740993}',
        '{"process":1,"type":"invoke","f":"cas","value":[9007199254740992,1]}',
        '{"process":1,"type":"ok","f":"cas","value":[9007199254740992,1]}',
      ].join('\n');
      assert.equal(verdict(h, 'cas-register'), false);
      assert.equal(verdict(writeThenRead('[9007199254740993]', '[9007199254740992]')), false);
    });

    it('the evidence names the values with every digit', () => {
      const r = checkSync(parseHistoryText(writeThenRead('9007199254740993', '9007199254740992')), 'register');
      const a = r.anomalies[0];
      assert.equal(a.op.value, 9007199254740992n);
      assert.match(a.op.text, /9007199254740992/);
      assert.match(a.candidates[0].reason, /can't read 9007199254740992 from register 9007199254740993/);
    });

    it('on worker threads too: values cross to the workers and back exactly', async () => {
      // Two keys, each needing more than a zero-step triage, so both go to the pool.
      const lines: string[] = [];
      for (const key of ['a', 'b']) {
        lines.push(
          `{"process":0,"type":"invoke","f":"write","key":"${key}","value":9007199254740993}`,
          `{"process":0,"type":"ok","f":"write","key":"${key}","value":9007199254740993}`,
          `{"process":1,"type":"invoke","f":"read","key":"${key}","value":null}`,
          `{"process":1,"type":"ok","f":"read","key":"${key}","value":${key === 'a' ? '9007199254740993' : '9007199254740992'}}`,
        );
      }
      const r = await check(parseHistoryText(lines.join('\n')), 'register', { workers: 2, triageSteps: 0 });
      assert.equal(r.valid, false);
      assert.equal(r.anomalies[0].key, 'b');
      assert.equal(r.anomalies[0].op.value, 9007199254740992n);
    });

    it('the counter adds exactly past 2^53', () => {
      const h = [
        '{"process":0,"type":"invoke","f":"add","value":9007199254740991}',
        '{"process":0,"type":"ok","f":"add","value":9007199254740991}',
        '{"process":0,"type":"invoke","f":"add","value":2}',
        '{"process":0,"type":"ok","f":"add","value":2}',
        '{"process":1,"type":"invoke","f":"read","value":null}',
        '{"process":1,"type":"ok","f":"read","value":9007199254740992}',
      ].join('\n');
      assert.equal(verdict(h, 'counter'), false);
      assert.equal(verdict(h.replace('9007199254740992}', '9007199254740993}'), 'counter'), true);
    });
  });

  describe('numbers as written', () => {
    it('JSON lines: 1 and 1.0 are one number (JSON has one number type)', () => {
      assert.equal(verdict(writeThenRead('1', '1.0')), true);
      assert.equal(verdict(writeThenRead('100', '1e2')), true);
    });

    it('JSON lines: 1e400 is not Infinity, and not 1e401; inside lists it is not null', () => {
      expectVerdicts(writeThenRead, [
        ['1e400', '1e401', false],
        ['1e400', '1e400', true],
        ['[1e400]', '[null]', false],
        ['1e-400', '0', false],
        ['0.10000000000000000001', '0.1', false],
        ['0.1', '0.10', true],
      ]);
    });

    it('EDN: 1.0 is not 1 (a double is not an integer), as in Knossos', () => {
      expectVerdicts(ednWriteThenRead, [
        ['1', '1.0', false],
        ['1.0', '1.00', true],
        ['1.5M', '1.50M', true],
        ['1.5M', '1.5', false],
      ]);
    });

    it('EDN: ##Inf, ##-Inf and ##NaN are values', () => {
      expectVerdicts(ednWriteThenRead, [
        ['##Inf', '##Inf', true],
        ['##Inf', '##-Inf', false],
        ['[##NaN]', '[##NaN]', true],
      ]);
    });
  });

  describe('EDN values keep their EDN type', () => {
    it('a keyword is not a string, a char is not a string, a set is not a vector', () => {
      expectVerdicts(ednWriteThenRead, [
        [':a', '"a"', false],
        [':a', ':a', true],
        ['\\a', '"a"', false],
        ['\\a', '\\a', true],
        ['#{1 2}', '[1 2]', false],
        ['sym', '"sym"', false],
      ]);
    });

    it('sets are equal in any order; lists equal vectors, as in Clojure', () => {
      expectVerdicts(ednWriteThenRead, [
        ['#{1 2}', '#{2 1}', true],
        ['#{1 2}', '#{2 3}', false],
        ['(1 2)', '[1 2]', true],
        ['{:a 1 :b #{2 3}}', '{:b #{3 2} :a 1}', true],
        ['{:a 1}', '{"a" 1}', false],
      ]);
    });

    it('a set with a repeated element or a map with a repeated key is bad input', () => {
      assert.throws(() => parseHistoryText(ednWriteThenRead('#{1 1}', 'nil')), (e: unknown) => isInputError(e) && /:1: bad EDN: duplicate element/.test((e as Error).message));
      assert.throws(() => parseHistoryText(ednWriteThenRead('{:a 1 :a 2}', 'nil')), (e: unknown) => isInputError(e) && /duplicate key/.test((e as Error).message));
    });
  });

  describe('user keys are never object members', () => {
    it('multi-register registers named constructor, __proto__ and toString', () => {
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        const h = [
          `{"process":0,"type":"invoke","f":"txn","value":[["read","${name}",null]]}`,
          `{"process":0,"type":"ok","f":"txn","value":[["read","${name}",null]]}`,
          `{"process":1,"type":"invoke","f":"txn","value":[["write","${name}",1]]}`,
          `{"process":1,"type":"ok","f":"txn","value":[["write","${name}",1]]}`,
          `{"process":0,"type":"invoke","f":"txn","value":[["read","${name}",null]]}`,
          `{"process":0,"type":"ok","f":"txn","value":[["read","${name}",1]]}`,
        ].join('\n');
        assert.equal(verdict(h, 'multi-register'), true, name);
        assert.equal(verdict(h.replace(`"${name}",1]]}\n{"process":0,"type":"invoke"`, `"${name}",2]]}\n{"process":0,"type":"invoke"`), 'multi-register'), false, name);
      }
    });

    it('keys and values named like object members, in JSON and EDN', () => {
      const h = [
        '{"process":0,"type":"invoke","f":"write","key":"__proto__","value":{"__proto__":1}}',
        '{"process":0,"type":"ok","f":"write","key":"__proto__","value":{"__proto__":1}}',
        '{"process":1,"type":"invoke","f":"read","key":"__proto__","value":null}',
        '{"process":1,"type":"ok","f":"read","key":"__proto__","value":{}}',
      ].join('\n');
      assert.equal(verdict(h), false);
      assert.equal(verdict(h.replace('"value":{}}', '"value":{"__proto__":1}}')), true);
      assert.equal(verdict(ednWriteThenRead('{:constructor 1}', '{}')), false);
    });

    it('a key that is a keyword and a key that is the same string are two keys', () => {
      const h = [
        '{:process 0, :type :invoke, :f :write, :key :x, :value 1}',
        '{:process 0, :type :ok, :f :write, :key :x, :value 1}',
        '{:process 1, :type :invoke, :f :read, :key "x", :value nil}',
        '{:process 1, :type :ok, :f :read, :key "x", :value nil}',
      ].join('\n');
      const r = checkSync(parseHistoryText(h), 'register');
      assert.equal(r.valid, true);
      assert.equal(r.keys, 2);
    });
  });

  describe('deep values', () => {
    const nest = (depth: number, leaf: string, open = '[', close = ']') => open.repeat(depth) + leaf + close.repeat(depth);

    it('values nested 5,000 deep are compared, not given up on', () => {
      assert.equal(verdict(writeThenRead(nest(5000, '1'), nest(5000, '1'))), true);
      assert.equal(verdict(writeThenRead(nest(5000, '1'), nest(5000, '2'))), false);
    });

    it('on worker threads too: deep values cross as keys, and the evidence comes back whole', async () => {
      const lines: string[] = [];
      for (const key of ['a', 'b']) {
        const read = key === 'a' ? nest(5000, '1') : nest(5000, '2');
        lines.push(
          `{"process":0,"type":"invoke","f":"write","key":"${key}","value":${nest(5000, '1')}}`,
          `{"process":0,"type":"ok","f":"write","key":"${key}","value":${nest(5000, '1')}}`,
          `{"process":1,"type":"invoke","f":"read","key":"${key}","value":null}`,
          `{"process":1,"type":"ok","f":"read","key":"${key}","value":${read}}`,
        );
      }
      const r = await check(parseHistoryText(lines.join('\n')), 'register', { workers: 2, triageSteps: 0 });
      assert.equal(r.valid, false);
      assert.equal(r.anomalies[0].key, 'b');
      assert.ok(Array.isArray(r.anomalies[0].op.value));
    });

    it('EDN nested 20,000 deep is read and compared', () => {
      assert.equal(verdict(ednWriteThenRead(nest(20000, '1'), nest(20000, '1'))), true);
      assert.equal(verdict(ednWriteThenRead(nest(20000, '1'), nest(20000, '#{1}'))), false);
    });
  });

  describe('model options', () => {
    it('an unknown option is refused, naming it and the known ones', () => {
      assert.throws(() => modelFor({ name: 'register', options: { foo: 1 } }), (e: unknown) => isInputError(e) && /model register has no option 'foo' \(known: initial\)/.test((e as Error).message));
      assert.throws(() => modelFor({ name: 'mutex', options: { initial: 1 } }), (e: unknown) => isInputError(e) && /model mutex has no option 'initial' \(it takes none\)/.test((e as Error).message));
      assert.throws(() => modelFor({ name: 'kv', options: { initial: 1 } }), (e: unknown) => isInputError(e) && /kv's option initial must be a string, got 1/.test((e as Error).message));
    });

    it('an initial value beyond 2^53 stays exact', () => {
      const h = [`{"process":1,"type":"invoke","f":"read","value":null}`, `{"process":1,"type":"ok","f":"read","value":9007199254740992}`].join('\n');
      assert.equal(checkSync(parseHistoryText(h), { name: 'register', options: { initial: 9007199254740993n } }).valid, false);
      assert.equal(checkSync(parseHistoryText(h), { name: 'register', options: { initial: 9007199254740992n } }).valid, true);
    });
  });
});

describe('exact values: JSON lines read in chunks', () => {
  it('finds a big integer, a fraction or an exponent wherever the chunks are cut', async () => {
    const { Readable } = await import('node:stream');
    const { readHistoryStream } = await import('../../checkers/formats/index.js');
    const text = writeThenRead('9007199254740993', '9007199254740992') + '\n' + writeThenRead('1e-400', '0').replaceAll('"process":', '"key":"b","process":');
    for (const size of [1, 3, 7, 16, 64, text.length]) {
      const chunks: Buffer[] = [];
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const h = await readHistoryStream(Readable.from(chunks), { source: 'gen' });
      assert.equal(h.ops[3].value, 9007199254740992n, `chunks of ${size}`);
      assert.equal(checkSync(h, 'register', { cancelOnInvalid: false }).stats.invalidKeys, 2, `chunks of ${size}`);
    }
  });

  it('text that is not UTF-8 is refused, not read as replacement characters', async () => {
    const { Readable } = await import('node:stream');
    const { readHistoryStream } = await import('../../checkers/formats/index.js');
    const bad = Buffer.concat([Buffer.from('{"process":0,"type":"invoke","f":"write","value":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
    await assert.rejects(readHistoryStream(Readable.from([bad]), { source: 'x.jsonl' }), (e: unknown) => isInputError(e) && /^x\.jsonl: is not UTF-8 text$/.test((e as Error).message));
    const good = Buffer.from('{"process":0,"type":"invoke","f":"write","value":"é😀"}\n');
    const h = await readHistoryStream(Readable.from([good.subarray(0, 52), good.subarray(52)]), { source: 'y' });
    assert.equal(h.ops[0].value, 'é😀');
  });
});
