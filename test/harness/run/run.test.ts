import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDefinition } from '../../../harness/config/index.js';
import { runTest } from '../../../harness/api.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');
const store = mkdtempSync(join(tmpdir(), 'faultline-run-'));
const def = (o: Record<string, unknown>) => parseDefinition({ workload: 'register', store, ...o });

describe('run: the harness on the simulation', () => {
  it('kv-single (the control) is valid for 20 seeds under partition, kill and pause', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = await runTest(def({ target: 'kv-single', seed, nemesis: { faults: ['partition', 'kill', 'pause'], interval: 2 } }));
      assert.equal(r.valid, true, `seed ${seed}: ${r.runDir}`);
      assert.ok(r.stats.ops.ok > 100, `seed ${seed} did real work`);
      assert.ok(r.history.some((o) => o.f === 'start-kill'), `seed ${seed} had a kill`);
    }
  });

  it('the same seed gives the same history, op for op and nanosecond for nanosecond', async () => {
    const run = async (seed: number) => (await runTest(def({ target: 'kv-single', seed, nemesis: { faults: ['kill', 'pause'], interval: 2 } }))).history;
    const a = await run(7);
    assert.deepEqual(await run(7), a);
    assert.notDeepEqual(await run(8), a);
  });

  it('every fault kind is started, recorded with its exact targets, and undone; primary-backup stays valid', async () => {
    const faults = ['partition:majority', 'kill:primary', 'pause', 'latency', 'loss', 'crash-loop'];
    const r = await runTest(def({ target: 'primary-backup', seed: 5, timeLimit: 12, nemesis: { faults, interval: 2 } }));
    assert.equal(r.valid, true);
    const nemesis = r.history.filter((o) => o.process === 'nemesis');
    for (const kind of ['partition', 'kill', 'pause', 'latency', 'loss', 'crash-loop']) {
      const starts = nemesis.filter((o) => o.f === `start-${kind}`).length;
      assert.ok(starts > 0, `${kind} started`);
      assert.equal(nemesis.filter((o) => o.f === `stop-${kind}`).length, starts, `${kind} undone as often as started`);
    }
    // The grudge of a 2-1 split: the majority's two nodes drop the minority's one, and it drops them both.
    const grudge = nemesis.find((o) => o.f === 'start-partition' && o.value !== null)!.value as Record<string, string[]>;
    assert.deepEqual(Object.values(grudge).map((from) => from.length).sort(), [1, 1, 2], 'a minority and a majority');
    assert.deepEqual(r.stats.nemesis.length > 0, true, 'nemesis intervals in the stats');
  });

  it('records crashed ops as info and gives the process a fresh id', async () => {
    const r = await runTest(def({ target: 'kv-single', seed: 3, nemesis: { faults: ['kill'], interval: 2 } }));
    const infos = r.history.filter((o) => o.type === 'info' && typeof o.process === 'number');
    assert.ok(infos.length > 0);
    for (const info of infos) {
      assert.ok(!r.history.some((o) => o.process === info.process && o.index > info.index), `process ${String(info.process)} came back`);
    }
  });

  it('stores history.jsonl, results.json, run.log and report.html, points store/latest at the run, and lists it in store/index.html', async () => {
    const r = await runTest(def({ target: 'kv-single', seed: 5, timeLimit: 2 }));
    assert.deepEqual(readdirSync(r.runDir).sort(), ['history.jsonl', 'report.html', 'results.json', 'run.log']);
    const results = JSON.parse(readFileSync(join(r.runDir, 'results.json'), 'utf8'));
    assert.equal(results.valid, true);
    assert.equal(results.test.seed, 5);
    assert.match(results.replay, /--seed 5/);
    assert.equal(readFileSync(join(r.runDir, 'history.jsonl'), 'utf8').trim().split('\n').length, r.history.length);
    assert.ok(existsSync(join(store, 'latest', 'history.jsonl')));
    assert.equal(r.report, join(r.runDir, 'report.html'));
    assert.match(readFileSync(join(store, 'index.html'), 'utf8'), new RegExp(`${basename(r.runDir).replace(/\./g, '\\.')}/report\\.html`));
  });

  it('a SIGKILL of the harness mid-run leaves a history whose every line parses', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'faultline-kill-'));
    const child = spawn(process.execPath, [bin, 'run', '--target', 'kv-single', '--time-limit', '86400', '--seed', '1', '--store', dir, '--quiet'], { stdio: 'ignore' });
    // Wait until the history has grown, then kill without warning (always: a live child would hold mocha open).
    const history = () => {
      const tests = join(dir, 'kv-single-register');
      const runs = existsSync(tests) ? readdirSync(tests) : [];
      const file = runs.length ? join(tests, runs[0], 'history.jsonl') : undefined;
      return file && existsSync(file) ? file : undefined;
    };
    try {
      for (let i = 0; i < 400; i++) {
        const file = history();
        if (file && statSync(file).size > 200_000) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    assert.ok(history(), 'the run wrote a history');
    const text = readFileSync(history()!, 'utf8');
    const lines = text.split('\n').filter((l) => l.length > 0);
    assert.ok(lines.length > 1000, `${lines.length} lines`);
    lines.forEach((l, i) => assert.equal(JSON.parse(l).index, i));
    assert.ok(text.endsWith('\n'), 'no partial last line');
  });

  describe('faultline run (CLI)', () => {
    it('prints the verdict, the store and the replay command, and exits 0 when valid', () => {
      const r = spawnSync(process.execPath, [bin, 'run', '--target', 'kv-single', '--time-limit', '2', '--seed', '9', '--store', store], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^valid$/m);
      assert.match(r.stdout, /store: .*kv-single-register/);
      assert.match(r.stdout, /replay: faultline run .*--seed 9/);
    });
    it('bad arguments exit 254 with one line', () => {
      for (const args of [['--concurrency', '-3'], ['--target', 'nope'], ['--nemesis', 'flood'], ['--config', join(store, 'missing.yaml')]]) {
        const r = spawnSync(process.execPath, [bin, 'run', ...args, '--store', store], { encoding: 'utf8' });
        assert.equal(r.status, 254, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
    });
  });
});
