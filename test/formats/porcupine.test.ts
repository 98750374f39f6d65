import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultModelFor, parseHistoryText, readHistoryFile } from '../../checkers/formats/index.js';
import { assertErrorAt, ETCD_CORPUS, FIXTURES } from './helpers.js';

describe('formats: porcupine-etcd', () => {
  it('reads jepsen.util lines, skips other loggers, maps :timed-out to an unknown value', async () => {
    const h = await readHistoryFile(join(FIXTURES, 'etcd.log'));
    assert.equal(h.format, 'porcupine-etcd');
    assert.equal(defaultModelFor(h.format!), 'cas-register');
    assert.deepEqual(h.ops, [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'read', value: null },
      { index: 1, time: 1, process: 1, type: 'invoke', f: 'cas', value: [1, 2] },
      { index: 2, time: 2, process: 0, type: 'ok', f: 'read', value: 3 },
      { index: 3, time: 3, process: 1, type: 'info', f: 'cas', value: null, error: 'timed-out' },
      { index: 4, time: 4, process: 'nemesis', type: 'info', f: 'start', value: null },
    ]);
    assert.deepEqual(h.lines, [2, 3, 4, 5, 6]);
  });

  it('space-separated fields read exactly like tab-separated ones', () => {
    const tabs = readFileSync(join(FIXTURES, 'etcd.log'), 'utf8');
    const spaces = tabs.replace(/\t/g, '  ');
    const mixed = tabs.replace(/\t/g, ' \t');
    const a = parseHistoryText(tabs);
    assert.deepEqual(parseHistoryText(spaces).ops, a.ops);
    assert.deepEqual(parseHistoryText(mixed).ops, a.ops);
    assert.deepEqual(parseHistoryText(spaces).lines, a.lines);
  });

  it('keeps a trailing error or :name value pairs after the value', () => {
    const h = parseHistoryText(
      [
        'INFO  jepsen.util - 6 \t:invoke :write \t38 \t:hint 0',
        'INFO  jepsen.util - 2\t:fail\t:cas\t[1 2]\t:cas-failed',
        'INFO  jepsen.util - 1\t:info\t:cas\t[3 4]\tindeterminate: connection refused',
      ].join('\n'),
    );
    assert.deepEqual(h.ops, [
      { index: 0, time: 0, process: 6, type: 'invoke', f: 'write', value: 38, hint: 0 },
      { index: 1, time: 1, process: 2, type: 'fail', f: 'cas', value: [1, 2], error: 'cas-failed' },
      { index: 2, time: 2, process: 1, type: 'info', f: 'cas', value: [3, 4], error: 'indeterminate: connection refused' },
    ]);
  });

  it('reports a jepsen.util line that does not parse with its line number', () => {
    const ok = 'INFO  jepsen.util - 0\t:invoke\t:read\tnil';
    assertErrorAt(`${ok}\nINFO  jepsen.core - hello\nINFO  jepsen.util - 0\t:done\t:read\tnil`, 'porcupine-etcd', 3, /type must be :invoke/);
    assertErrorAt(`${ok}\nINFO  jepsen.util - x\t:ok\t:read\tnil`, 'porcupine-etcd', 2, /process must be an integer or a keyword/);
    assertErrorAt(`${ok}\nINFO  jepsen.util - 0\t:ok\t:read`, 'porcupine-etcd', 2, /no value/);
    assertErrorAt(`${ok}\n${ok}\nINFO  jepsen.util - 0\t:ok\t:read\t[1 2`, 'porcupine-etcd', 3, /cannot read the value/);
    assertErrorAt(`INFO  jepsen.util - garbage`, 'porcupine-etcd', 1, /expected '<process> :<type> :<f> <value>'/);
  });

  describe('the corpus (Porcupine etcd test data, in ../shared beside every clone)', function () {
    before(function () {
      assert.ok(existsSync(ETCD_CORPUS), `${ETCD_CORPUS} is missing`);
    });

    it('all 103 files parse, detected as porcupine-etcd, one op per jepsen.util line; etcd_095 is empty', async () => {
      const files = readdirSync(ETCD_CORPUS).filter((f) => f.endsWith('.log')).sort();
      assert.equal(files.length, 103);
      const expected = JSON.parse(readFileSync(join(ETCD_CORPUS, 'expected.json'), 'utf8')) as Record<string, boolean>;
      let total = 0;
      for (const f of files) {
        assert.ok(f in expected, `${f} has no expected verdict`);
        const path = join(ETCD_CORPUS, f);
        const h = await readHistoryFile(path, { format: 'porcupine-etcd' });
        const text = readFileSync(path, 'utf8');
        const opLines = text.split('\n').flatMap((l, i) => (l.includes('jepsen.util - ') ? [i + 1] : []));
        assert.deepEqual(h.lines, opLines, f);
        for (const op of h.ops) {
          assert.ok(['read', 'write', 'cas'].includes(op.f), `${f}: f ${op.f}`);
          assert.equal(typeof op.process, 'number');
          if (op.f === 'cas' && op.type !== 'info') assert.ok(Array.isArray(op.value) && op.value.length === 2, `${f}: cas value`);
          if (op.type === 'info') assert.equal(op.value, null);
        }
        if (h.ops.length > 0) assert.equal((await readHistoryFile(path)).format, 'porcupine-etcd', `${f} auto-detected`);
        total += h.ops.length;
      }
      const empty = await readHistoryFile(join(ETCD_CORPUS, 'etcd_095.log'), { format: 'porcupine-etcd' });
      assert.deepEqual(empty.ops, []);
      assert.deepEqual((await readHistoryFile(join(ETCD_CORPUS, 'etcd_095.log'))).ops, []);
      assert.ok(total > 10_000, `only ${total} ops`);
    });

    it('files 100-102 (space-separated) read the same as their tab-separated rewrite', async () => {
      for (const n of ['100', '101', '102']) {
        const path = join(ETCD_CORPUS, `etcd_${n}.log`);
        const text = readFileSync(path, 'utf8');
        assert.ok(!text.includes('\t'), `etcd_${n} has tabs`);
        const h = await readHistoryFile(path);
        assert.ok(h.ops.length > 100);
        const tabbed = text.replace(/^(INFO\s+jepsen\.util - )(\S+) +(\S+) +(\S+) +(.*?)\s*$/gm, '$1$2\t$3\t$4\t$5');
        assert.ok(tabbed.includes('\t'));
        const t = parseHistoryText(tabbed);
        assert.deepEqual(t.ops, h.ops);
        assert.deepEqual(t.lines, h.lines);
      }
    });
  });
});

describe('formats: porcupine-kv', () => {
  it('reads one EDN map per line', async () => {
    const h = await readHistoryFile(join(FIXTURES, 'kv.log'));
    assert.equal(h.format, 'porcupine-kv');
    assert.equal(defaultModelFor(h.format!), 'kv');
    assert.deepEqual(h.ops, [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'append', key: '0', value: 'x 0 0 y' },
      { index: 1, time: 1, process: 1, type: 'invoke', f: 'get', key: '1', value: null },
      { index: 2, time: 2, process: 1, type: 'ok', f: 'get', key: '1', value: '' },
      { index: 3, time: 3, process: 0, type: 'ok', f: 'append', key: '0', value: 'x 0 0 y' },
    ]);
    assert.deepEqual(h.lines, [1, 2, 3, 4]);
  });

  const ok = '{:process 0, :type :invoke, :f :put, :key "1", :value "a"}';
  it('reports two maps on one line, or a map continued on the next line', () => {
    assertErrorAt(`${ok}\n${ok} ${ok}\n`, 'porcupine-kv', 2, /two ops on one line/);
    assertErrorAt(`${ok}\n${ok}\n{:process 0, :type :ok,\n :f :put, :key "1", :value "a"}`, 'porcupine-kv', 3, /does not end on it/);
    assertErrorAt(`${ok}\n[${ok}]`, 'porcupine-kv', 2, /does not end on it|expected an op map/);
  });

  it('reports an f other than get/put/append, or a missing :key, with its line', () => {
    assertErrorAt(`${ok}\n{:process 0, :type :invoke, :f :cas, :key "1", :value "a"}`, 'porcupine-kv', 2, /get, put or append, not "cas"/);
    assertErrorAt(`${ok}\n${ok}\n{:process 0, :type :invoke, :f :get, :value nil}`, 'porcupine-kv', 3, /no :key/);
  });
});
