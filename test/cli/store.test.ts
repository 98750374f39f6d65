import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunDir, RUN_LOG_FILE, runTimestamp, updateLatest } from '../../harness/store/index.js';
import { parseAge, planPrune } from '../../harness/store/prune.js';
import { faultline } from '../support/cli.js';

const DAY = 86_400_000;

/** A store holding these runs (each a run.log, plus results.json and report.html when a verdict is given); returns the run dirs. */
function store(runs: { test: string; at: Date; verdict?: boolean }[]): { root: string; dirs: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'faultline-prune-'));
  return { root, dirs: runs.map((r) => runAt(root, r.test, r.at, r.verdict)) };
}

function runAt(root: string, test: string, at: Date, verdict?: boolean): string {
  const dir = join(root, test, runTimestamp(at));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, RUN_LOG_FILE), `${at.toISOString()} INFO  run\n`);
  if (verdict !== undefined) {
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ valid: verdict }));
    // The index links a run that has a report (by its directory): what the index test looks for.
    writeFileSync(join(dir, 'report.html'), '<!doctype html><title>report</title>');
  }
  return dir;
}

const rel = (root: string, dir: string) => dir.slice(root.length + 1);
const prune = (root: string, ...args: string[]) => faultline(['store', 'prune', '--store', root, ...args]);

describe('cli: faultline store prune', () => {
  it('--keep N keeps the N newest runs of each test, removes the rest one line each, and writes the index again', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    const { root, dirs } = store([
      ...[0, 1, 2, 3, 4].map((i) => ({ test: 'raft-kv', at: new Date(t0 + i * DAY), verdict: i % 2 === 0 })),
      { test: 'redis', at: new Date(t0), verdict: true },
      { test: 'redis', at: new Date(t0 + 10 * DAY), verdict: false },
    ]);
    await updateLatest(root, dirs[4]);
    const r = prune(root, '--keep', '2');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      `removed ${rel(root, dirs[2])}`,
      `removed ${rel(root, dirs[1])}`,
      `removed ${rel(root, dirs[0])}`,
      `removed 3 runs; index written to ${join(root, 'index.html')}`,
    ]);
    assert.deepEqual(readdirSync(join(root, 'raft-kv')).sort(), [runTimestamp(new Date(t0 + 3 * DAY)), runTimestamp(new Date(t0 + 4 * DAY))]);
    assert.equal(readdirSync(join(root, 'redis')).length, 2);
    const index = readFileSync(join(root, 'index.html'), 'utf8');
    for (const d of [dirs[3], dirs[4], dirs[5], dirs[6]]) assert.ok(index.includes(rel(root, d)), `index lists ${d}`);
    for (const d of dirs.slice(0, 3)) assert.ok(!index.includes(rel(root, d)), `index no longer lists ${d}`);
  });

  it('never removes the run `latest` points at, under either rule', async () => {
    const t0 = Date.UTC(2020, 0, 1);
    const { root, dirs } = store([0, 1, 2].map((i) => ({ test: 'set', at: new Date(t0 + i * DAY) })));
    // The oldest run is latest (a run re-linked, or a clock that went back): it stays, and is not counted twice.
    await updateLatest(root, dirs[0]);
    const keep = prune(root, '--keep', '1');
    assert.equal(keep.code, 0, keep.stderr);
    assert.deepEqual(keep.stdout.trim().split('\n'), [`removed ${rel(root, dirs[1])}`, `removed 1 run; index written to ${join(root, 'index.html')}`]);
    assert.ok(existsSync(dirs[0]) && existsSync(dirs[2]) && !existsSync(dirs[1]));

    const age = prune(root, '--older-than', '1d');
    assert.equal(age.code, 0, age.stderr);
    assert.deepEqual(age.stdout.trim().split('\n'), [`removed ${rel(root, dirs[2])}`, `removed 1 run; index written to ${join(root, 'index.html')}`]);
    assert.ok(existsSync(dirs[0]));
    assert.equal(readFileSync(join(root, 'latest', RUN_LOG_FILE), 'utf8'), readFileSync(join(dirs[0], RUN_LOG_FILE), 'utf8'));
  });

  it('--older-than removes the runs that started longer ago than the age, and leaves the test directory when runs remain', async () => {
    // Ages far from the bound (60 and 40 days against 30, a day and an hour): the test's own clock does not matter.
    const now = Date.now();
    const { root, dirs } = store([60 * DAY, 40 * DAY, DAY, DAY / 24].map((ago) => ({ test: 'bank', at: new Date(now - ago) })));
    const r = prune(root, '--older-than', '30d');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [`removed ${rel(root, dirs[1])}`, `removed ${rel(root, dirs[0])}`, `removed 2 runs; index written to ${join(root, 'index.html')}`]);
    assert.deepEqual(dirs.map(existsSync), [false, false, true, true]);
  });

  it('older-than with a fixed clock: the bound in hours and minutes, a test left with no run goes entirely', async () => {
    const now = new Date(Date.UTC(2026, 5, 1, 12, 0, 0));
    const { root, dirs } = store([
      { test: 'a', at: new Date(now.getTime() - 13 * 3_600_000) },
      { test: 'a', at: new Date(now.getTime() - 11 * 3_600_000) },
      { test: 'b', at: new Date(now.getTime() - 91 * 60_000) },
      { test: 'b', at: new Date(now.getTime() - 89 * 60_000) },
    ]);
    assert.deepEqual((await planPrune(root, { olderThanMs: parseAge('12h')!, now })).map((r) => r.dir), [dirs[0]]);
    assert.deepEqual((await planPrune(root, { olderThanMs: parseAge('90m')!, now })).map((r) => r.dir), [dirs[2], dirs[1], dirs[0]]);
    assert.deepEqual((await planPrune(root, { olderThanMs: parseAge('1m')!, now })).map((r) => r.dir), [dirs[3], dirs[2], dirs[1], dirs[0]]);
    // Through the CLI (the real clock: these runs are years before it), a test whose every run goes goes too.
    const old = store([{ test: 'gone', at: new Date(Date.UTC(2020, 0, 1)) }, { test: 'stays', at: new Date(Date.UTC(2020, 0, 1)) }]);
    writeFileSync(join(old.root, 'stays', 'notes.txt'), 'mine');
    const r = prune(old.root, '--older-than', '365d');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(old.root, 'gone')));
    assert.deepEqual(readdirSync(join(old.root, 'stays')), ['notes.txt']);
  });

  it('leaves alone what is not a run: a timestamp directory with no run files, other names, stray files', async () => {
    const t0 = Date.UTC(2020, 0, 1);
    const { root, dirs } = store([{ test: 'kv', at: new Date(t0) }, { test: 'kv', at: new Date(t0 + DAY) }]);
    const empty = join(root, 'kv', runTimestamp(new Date(t0 - DAY)));
    mkdirSync(empty);
    writeFileSync(join(empty, 'mine.txt'), 'not a run');
    mkdirSync(join(root, 'kv', 'notes'));
    mkdirSync(join(root, 'backups', 'old'), { recursive: true });
    writeFileSync(join(root, 'README'), 'the store');
    const r = prune(root, '--keep', '0');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').slice(0, -1), [`removed ${rel(root, dirs[1])}`, `removed ${rel(root, dirs[0])}`]);
    assert.ok(existsSync(join(empty, 'mine.txt')) && existsSync(join(root, 'kv', 'notes')) && existsSync(join(root, 'backups', 'old')) && existsSync(join(root, 'README')));
  });

  it('--dry-run names what would go and removes nothing, not even the index', async () => {
    const t0 = Date.UTC(2020, 0, 1);
    const { root, dirs } = store([0, 1, 2].map((i) => ({ test: 'reg', at: new Date(t0 + i * DAY), verdict: true })));
    const r = prune(root, '--keep', '1', '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [`would remove ${rel(root, dirs[1])}`, `would remove ${rel(root, dirs[0])}`, 'would remove 2 runs (dry run: nothing removed)']);
    assert.ok(dirs.every(existsSync));
    assert.ok(!existsSync(join(root, 'index.html')));
  });

  it('a run created by the store itself is pruned like any other (createRunDir and the same-millisecond suffix)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'faultline-prune-'));
    const at = new Date(Date.UTC(2020, 0, 1));
    const a = await createRunDir(root, 'twin', at);
    const b = await createRunDir(root, 'twin', at);
    for (const d of [a, b]) writeFileSync(join(d, 'history.jsonl'), '');
    const r = prune(root, '--keep', '1');
    assert.equal(r.code, 0, r.stderr);
    // `-1` is the later of the two.
    assert.ok(existsSync(b) && !existsSync(a), r.stdout);
  });

  for (const [why, args] of [
    ['neither rule', []],
    ['both rules', ['--keep', '2', '--older-than', '30d']],
    ['an age without a unit', ['--older-than', '30']],
    ['an unknown unit', ['--older-than', '3x']],
    ['a zero age', ['--older-than', '0d']],
    ['a negative age', ['--older-than', '-1d']],
    ['a count with trailing letters', ['--keep', '3abc']],
    ['a negative count', ['--keep', '-1']],
  ] as const) {
    it(`refuses ${why} in one line, exit 254, removing nothing`, () => {
      const { root, dirs } = store([{ test: 't', at: new Date(Date.UTC(2020, 0, 1)) }]);
      const r = prune(root, ...args);
      assert.equal(r.code, 254, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^faultline: [^\n]+\n$/);
      assert.ok(existsSync(dirs[0]));
    });
  }

  it('refuses a store that does not exist in one line, exit 254', () => {
    const missing = join(tmpdir(), 'faultline-no-such-store', 'store');
    const r = prune(missing, '--keep', '1');
    assert.equal(r.code, 254);
    assert.equal(r.stderr, `faultline: store prune: ${missing}: no such store directory\n`);
    assert.ok(!existsSync(missing));
  });

  it('`faultline store` without a known command says which it has, in one line, exit 254', () => {
    assert.deepEqual(faultline(['store']), { code: 254, stdout: '', stderr: 'faultline: store: give a command: prune\n' });
    assert.deepEqual(faultline(['store', 'tidy']), { code: 254, stdout: '', stderr: "faultline: store: unknown command 'tidy' (known: prune)\n" });
  });

  it('parseAge: a whole number and a unit', () => {
    assert.equal(parseAge('30d'), 30 * DAY);
    assert.equal(parseAge('12h'), 12 * 3_600_000);
    assert.equal(parseAge('90m'), 90 * 60_000);
    assert.equal(parseAge('2w'), 14 * DAY);
    for (const bad of ['', 'd', '1.5d', '1e3d', '30', '30 days', '0h', '999999w']) assert.equal(parseAge(bad), undefined, bad);
  });
});
