import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { readResults, writeResults } from '../../../harness/store/results.js';
import { RunLog } from '../../../harness/store/run-log.js';
import { createRunDir, listRuns, parseRunName, runTimestamp, sanitizeTestName, updateLatest } from '../../../harness/store/store.js';
import { tempDirs } from './helpers.js';

const T0 = new Date('2026-11-22T18:20:16.123Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

describe('harness/store: the run store', () => {
  const tmp = tempDirs();

  describe('createRunDir', () => {
    it('makes <root>/<test>/<UTC timestamp>/', async () => {
      const root = tmp();
      const dir = await createRunDir(root, 'register', T0);
      assert.equal(dir, join(root, 'register', '20261122T182016.123Z'));
      assert.deepEqual(readdirSync(dir), []);
      assert.equal(runTimestamp(T0), '20261122T182016.123Z');
      assert.deepEqual(parseRunName('20261122T182016.123Z'), { time: T0, seq: 0 });
      assert.deepEqual(parseRunName('20261122T182016.123Z-12'), { time: T0, seq: 12 });
      assert.equal(parseRunName('latest'), undefined);
      assert.equal(parseRunName('20261399T182016.123Z'), undefined);
    });

    it('gives runs started in the same millisecond different directories', async () => {
      const root = tmp();
      const first = await createRunDir(root, 'register', T0);
      const second = await createRunDir(root, 'register', T0);
      const many = await Promise.all(Array.from({ length: 8 }, () => createRunDir(root, 'register', T0)));
      const all = [first, second, ...many];
      assert.equal(new Set(all).size, 10);
      assert.equal(basename(second), '20261122T182016.123Z-1');
      for (const d of all) assert.equal(parseRunName(basename(d))?.time.getTime(), T0.getTime());
    });

    it('keeps every test name inside the store, as one directory', async () => {
      const root = tmp();
      const names = ['../../etc', 'a/b', '..', '.', '', '.hidden', 'a\\..\\b', '/abs/path', 'latest', 'LATEST', 'index.html', 'x'.repeat(300), 'ok-name_1.2'];
      const dirs = new Set<string>();
      for (const name of names) {
        const dir = await createRunDir(root, name, T0);
        dirs.add(dirname(dir));
        assert.equal(dirname(dirname(dir)), root, `${name} → ${dir}`);
        const test = basename(dirname(dir));
        assert.match(test, /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
        assert.ok(test.length <= 100);
        assert.ok(!['latest', 'index.html'].includes(test.toLowerCase()), test);
      }
      assert.equal(sanitizeTestName('../../etc'), '___.._etc');
      assert.equal(sanitizeTestName('a/b'), 'a_b');
      assert.equal(sanitizeTestName('..'), '__');
      assert.equal(sanitizeTestName(''), 'test');
      assert.equal(sanitizeTestName('latest'), 'latest_');
      assert.equal(sanitizeTestName('ok-name_1.2'), 'ok-name_1.2');
      assert.ok(readdirSync(root).every((e) => !e.startsWith('.')));
    });
  });

  describe('writeResults', () => {
    it('round-trips the results and leaves no temporary file', async () => {
      const dir = await createRunDir(tmp(), 't', T0);
      const results = { valid: false as const, anomalies: [{ key: 'x', op: { index: 3 } }], stats: { ops: 4 } };
      const path = await writeResults(dir, results);
      assert.equal(path, join(dir, 'results.json'));
      assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), results);
      assert.deepEqual(await readResults(dir), results);
      assert.deepEqual(readdirSync(dir), ['results.json']);
      await writeResults(dir, { valid: true });
      assert.deepEqual(await readResults(dir), { valid: true });
      assert.deepEqual(readdirSync(dir), ['results.json']);
    });

    it('reads a status and reason back, and takes results with a status of its own for none', async () => {
      const dir = await createRunDir(tmp(), 't', T0);
      await writeResults(dir, { valid: 'unknown', status: 'crashed', reason: 'boom' });
      assert.deepEqual(await readResults(dir), { valid: 'unknown', status: 'crashed', reason: 'boom' });
      writeFileSync(join(dir, 'results.json'), '{"valid": true, "status": "fine"}');
      assert.equal(await readResults(dir), undefined);
      writeFileSync(join(dir, 'results.json'), '{"valid": true, "status": "error", "reason": 3}');
      assert.equal(await readResults(dir), undefined);
    });

    it('never shows a reader half a file while it is rewritten', async () => {
      const dir = await createRunDir(tmp(), 't', T0);
      const big = (n: number) => ({ valid: 'unknown' as const, n, pad: Array.from({ length: 20_000 }, (_, i) => `value ${i} of run ${n}`) });
      await writeResults(dir, big(0));
      let writing = true;
      let reads = 0;
      const writer = (async () => {
        for (let n = 1; n <= 25; n++) await writeResults(dir, big(n));
        writing = false;
      })();
      const reader = (async () => {
        while (writing) {
          const got = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
          assert.equal(got.pad.length, 20_000);
          reads++;
          await new Promise((r) => setImmediate(r));
        }
      })();
      await Promise.all([writer, reader]);
      assert.ok(reads > 0);
      assert.equal((await readResults(dir))?.n, 25);
      assert.deepEqual(readdirSync(dir), ['results.json']);
    });

    it('fails before touching the disk when the results cannot be written (a cycle)', async () => {
      const dir = await createRunDir(tmp(), 't', T0);
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      await assert.rejects(writeResults(dir, { valid: true, cyclic }), /cyclic/);
      assert.deepEqual(readdirSync(dir), []);
    });

    it('writes integers beyond 2^53 with every digit, and reads them back exactly', async () => {
      const dir = await createRunDir(tmp(), 't', T0);
      await writeResults(dir, { valid: false, value: 9007199254740993n, nested: [{ read: 9007199254740992n }] });
      assert.match(readFileSync(join(dir, 'results.json'), 'utf8'), /"value": 9007199254740993,/);
      const back = await readResults(dir);
      assert.equal(back?.value, 9007199254740993n);
      assert.deepEqual(back?.nested, [{ read: 9007199254740992n }]);
    });
  });

  describe('updateLatest', () => {
    it('links <root>/latest to the newest run with a relative link, replacing the old link', async () => {
      const root = tmp();
      const a = await createRunDir(root, 'register', T0);
      const b = await createRunDir(root, 'bank', later(1000));
      await updateLatest(root, a);
      assert.equal(readlinkSync(join(root, 'latest')), ['register', basename(a)].join('/'));
      assert.equal(realpathSync(join(root, 'latest')), realpathSync(a));
      await updateLatest(root, b);
      assert.equal(realpathSync(join(root, 'latest')), realpathSync(b));
      assert.ok(!readlinkSync(join(root, 'latest')).startsWith('/'));
      assert.deepEqual(readdirSync(root).sort(), ['bank', 'latest', 'register']);
      // The link still works when the whole store moves (relative).
      assert.equal(relative(root, resolve(root, readlinkSync(join(root, 'latest')))), `bank${sep}${basename(b)}`);
    });

    it('refuses a run outside the store, and a `latest` that is not a link', async () => {
      const root = tmp();
      await assert.rejects(updateLatest(root, tmp()), /is not inside the store/);
      await assert.rejects(updateLatest(root, root), /is not inside the store/);
      mkdirSync(join(root, 'latest', 'x'), { recursive: true });
      const run = await createRunDir(root, 't', T0);
      await assert.rejects(updateLatest(root, run), /exists and is not a link/);
      assert.deepEqual(readdirSync(root).sort(), ['latest', 't']);
    });
  });

  describe('listRuns', () => {
    it('lists runs newest first with their verdicts, skipping the latest link and stray entries', async () => {
      const root = tmp();
      const old = await createRunDir(root, 'register', T0);
      const mid = await createRunDir(root, 'bank', later(500));
      const tie1 = await createRunDir(root, 'register', later(900));
      const tie2 = await createRunDir(root, 'register', later(900));
      const crashed = await createRunDir(root, 'bank', later(2000));
      await writeResults(old, { valid: true });
      await writeResults(mid, { valid: false });
      await writeResults(tie1, { valid: 'unknown', status: 'interrupted', reason: 'SIGINT' });
      writeFileSync(join(tie2, 'results.json'), '{"valid": tru'); // not ours, but a listing must not die on it
      await updateLatest(root, crashed);
      writeFileSync(join(root, 'index.html'), '<html>');
      mkdirSync(join(root, 'register', 'not-a-run'));
      writeFileSync(join(root, 'register', '20261122T182016.123Z.txt'), '');
      symlinkSync('register', join(root, 'alias'));

      const runs = await listRuns(root);
      assert.deepEqual(
        runs.map((r) => [r.dir, r.verdict]),
        [
          [crashed, undefined],
          [tie2, undefined],
          [tie1, 'unknown'],
          [mid, false],
          [old, true],
        ],
      );
      // Results written before runs had a status ended `ok`; a run that did not says how and why.
      assert.deepEqual(runs[3], { test: 'bank', id: '20261122T182016.623Z', dir: mid, time: later(500), verdict: false, status: 'ok' });
      assert.deepEqual([runs[2].status, runs[2].reason], ['interrupted', 'SIGINT']);
      assert.ok(!('verdict' in runs[0]) && !('status' in runs[0]));
    });

    it('is empty for a store that does not exist yet', async () => {
      assert.deepEqual(await listRuns(join(tmp(), 'nothing-here')), []);
    });
  });

  describe('RunLog', () => {
    it('appends timestamped, levelled lines, one prefix per physical line', async () => {
      const dir = await createRunDir(tmp(), 't', T0);
      let n = 0;
      {
        using log = new RunLog(dir, () => later(n++));
        log.info('run started');
        log.warn('partition n1 | n2 n3\nheal pending\n');
        log.error('client 3 crashed');
      }
      const again = new RunLog(dir, () => later(10));
      again.info('appended, not truncated');
      again.close();
      again.close();
      assert.throws(() => again.info('too late'), /closed/);
      assert.equal(
        readFileSync(join(dir, 'run.log'), 'utf8'),
        [
          '2026-11-22T18:20:16.123Z INFO  run started',
          '2026-11-22T18:20:16.124Z WARN  partition n1 | n2 n3',
          '2026-11-22T18:20:16.124Z WARN  heal pending',
          '2026-11-22T18:20:16.125Z ERROR client 3 crashed',
          '2026-11-22T18:20:16.133Z INFO  appended, not truncated',
          '',
        ].join('\n'),
      );
    });
  });
});
