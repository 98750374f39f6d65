import assert from 'node:assert/strict';
import { readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isInputError } from '../../checkers/errors.js';
import {
  detectFormat,
  FORMATS,
  parseHistoryText,
  readHistoryFile,
  readHistoryStream,
} from '../../checkers/formats/index.js';
import { FIXTURES, readInChunks, unnamed } from './helpers.js';

const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('formats: auto-detection', () => {
  it('detects every format from its content', () => {
    assert.equal(detectFormat(fixture('small.jsonl')), 'jsonl');
    assert.equal(detectFormat(fixture('knossos-cas.edn')), 'edn');
    assert.equal(detectFormat(fixture('jepsen-0.3.edn')), 'edn');
    assert.equal(detectFormat(fixture('etcd.log')), 'porcupine-etcd');
    assert.equal(detectFormat(fixture('kv.log')), 'porcupine-kv');
    assert.equal(detectFormat('INFO  jepsen.util - 0\t:invoke\t:read\tnil\n'), 'porcupine-etcd');
    assert.equal(detectFormat('\n  {"process":0,"type":"invoke","f":"read"}'), 'jsonl');
    assert.equal(detectFormat('{ "process": 0 }'), 'jsonl');
    assert.equal(detectFormat('; comment\n{:process 0, :type :invoke, :f :read, :value nil}'), 'edn');
    assert.equal(detectFormat('{:process 0, :type :invoke, :f :get, :value nil}'), 'edn'); // no :key
    assert.equal(detectFormat('{:process 0, :type :invoke, :f :get,\n :key "1", :value nil}'), 'edn'); // not on one line
    assert.equal(detectFormat('#jepsen.history.Op{:process 0, :type :invoke, :f :put, :key "1", :value "a"}'), 'porcupine-kv');
    assert.equal(detectFormat('[{:process 0, :type :invoke, :f :get, :key "1", :value nil}]'), 'edn');
  });

  it('empty input is an empty JSON-lines history', () => {
    assert.equal(detectFormat(''), 'jsonl');
    assert.equal(detectFormat(' \n\n'), 'jsonl');
    const h = parseHistoryText('');
    assert.equal(h.format, 'jsonl');
    assert.deepEqual(h.ops, []);
  });

  it('refuses to guess at something that is none of the formats', () => {
    assert.throws(() => detectFormat('hello world\n', 'x.txt'), (e: unknown) => isInputError(e) && /^x\.txt:1: cannot tell the history format/.test((e as Error).message));
  });

  it('lists the formats, and rejects unknown ones', () => {
    assert.deepEqual([...FORMATS], ['auto', 'jsonl', 'edn', 'porcupine-etcd', 'porcupine-kv']);
    assert.throws(() => parseHistoryText('', { format: 'csv' as never }), (e: unknown) => isInputError(e) && /unknown history format 'csv'/.test((e as Error).message));
  });

  it('an explicit format overrides detection', () => {
    assert.throws(() => parseHistoryText(fixture('kv.log'), { format: 'jsonl' }), (e: unknown) => isInputError(e) && /:1: invalid JSON/.test((e as Error).message));
    assert.equal(parseHistoryText(fixture('kv.log'), { format: 'edn' }).format, 'edn');
  });
});

describe('formats: streaming', () => {
  const samples = ['small.jsonl', 'knossos-cas.edn', 'jepsen-0.3.edn', 'etcd.log', 'kv.log'];
  const extra = {
    'edn with tricky tokens':
      '; é ü ✓ comment\n[{:type :invoke, :f :write, :process 0, :value "a \\"}]) ; é", :c \\( :d \\space :e \\u00e9}\n #_ {:x 1}\n #jepsen.history.Op{:type :ok,\n :f :write, :process 0, :value #{1 2}}]\n',
    'jsonl with unicode': '{"process":0,"type":"invoke","f":"write","value":"é✓😀"}\r\n\r\n{"process":0,"type":"ok","f":"write","value":"é✓😀"}',
    'etcd with another logger': 'INFO  jepsen.core - é\nINFO  jepsen.util - 3 :invoke :cas [1 2]\nINFO  jepsen.util - 3\t:fail\t:cas\t[1 2]',
  };
  const cases: [string, string][] = [...samples.map((s): [string, string] => [s, fixture(s)]), ...Object.entries(extra)];

  for (const [name, text] of cases) {
    it(`${name}: 1-byte and 7-byte chunks give the same history as the whole text`, async () => {
      const whole = parseHistoryText(text);
      assert.ok(whole.ops.length >= 2);
      for (const size of [1, 7]) {
        const h = await readInChunks(text, size);
        assert.deepEqual(unnamed(h), unnamed(whole), `chunks of ${size}`);
        assert.equal(h.source, '<chunks>');
      }
    });
  }

  it('errors found in chunks carry the same line as in the whole text', async () => {
    const text = '{:type :invoke, :f :read, :process 0, :value nil}\n{:type :ok, :f :read,\n :process 0, :value "x';
    for (const size of [1, 7]) {
      await assert.rejects(readInChunks(text, size), (e: unknown) => isInputError(e) && /^<chunks>:3: unterminated string/.test((e as Error).message));
    }
    const jsonl = '{"process":0,"type":"invoke","f":"read"}\n{"process":0,"type":"nope","f":"read"}\n';
    await assert.rejects(readInChunks(jsonl, 7), (e: unknown) => isInputError(e) && /^<chunks>:2: type must be/.test((e as Error).message));
  });

  it('a stream that fails is an InputError naming the source', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('EIO: i/o error'));
      },
    });
    await assert.rejects(readHistoryStream(failing, { source: '<stdin>' }), (e: unknown) => isInputError(e) && /^<stdin>: cannot read: EIO/.test((e as Error).message));
  });

  it('readHistoryStream accepts string chunks and names the source', async () => {
    const h = await readHistoryStream(Readable.from(['{"process":0,"type":"inv', 'oke","f":"read"}\n']), { source: '<stdin>' });
    assert.equal(h.source, '<stdin>');
    assert.equal(h.format, 'jsonl');
    assert.deepEqual(h.ops, [{ index: 0, time: 0, process: 0, type: 'invoke', f: 'read', value: null }]);
  });
});

describe('formats: readHistoryFile', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-formats-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file is an InputError naming the file', async () => {
    const path = join(dir, 'nope.jsonl');
    await assert.rejects(readHistoryFile(path), (e: unknown) => isInputError(e) && (e as Error).message === `${path}: no such file`);
  });

  it('a directory is an InputError naming it', async () => {
    await assert.rejects(readHistoryFile(dir), (e: unknown) => isInputError(e) && (e as Error).message.startsWith(`${dir}: `));
  });

  it('reads a file larger than one chunk, with a BOM, the same as the text', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      lines.push(JSON.stringify({ index: i, time: i * 10, process: i % 7, type: i % 2 ? 'ok' : 'invoke', f: 'write', key: `k${i % 3}`, value: i }));
    }
    const text = lines.join('\n') + '\n';
    const path = join(dir, 'big.jsonl');
    writeFileSync(path, '\ufeff' + text);
    const h = await readHistoryFile(path);
    assert.equal(h.format, 'jsonl');
    assert.equal(h.ops.length, 30_000);
    assert.deepEqual(h.ops, parseHistoryText(text).ops);
    assert.equal(h.lines![29_999], 30_000);
  });

  it('errors name the file and the line', async () => {
    const path = join(dir, 'bad.edn');
    writeFileSync(path, '{:type :invoke, :f :read, :process 0, :value nil}\n\n[:not :a :map]\n');
    await assert.rejects(readHistoryFile(path), (e: unknown) => isInputError(e) && (e as Error).message.startsWith(`${path}:3: expected an op map`));
  });
});
