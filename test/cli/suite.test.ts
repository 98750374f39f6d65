import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultline, faultlineAsync, startFaultline, tempFiles } from '../support/cli.js';

const file = tempFiles('faultline-suite-');

/** The store entries of a test: its run directories that hold a results.json. */
function storedRuns(store: string, test: string): string[] {
  const dir = join(store, test);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((run) => join(dir, run))
    .filter((run) => existsSync(join(run, 'results.json')));
}

describe('faultline suite: a matrix of tests from the real CLI', function () {
  this.timeout(300_000);

  it('runs 11 simulated tests (4 with bugs): every test stored, the table lists each verdict, the exit code is the worst (1)', async () => {
    const store = mkdtempSync(join(tmpdir(), 'faultline-suite-store-'));
    const suite = file(
      'nightly.yaml',
      [
        'name: ci-sim',
        'targets: [kv-single, primary-backup, raft-kv]',
        'nemeses: [partition, "kill,pause"]',
        'seeds: [1]',
        'timeLimit: 2',
        'nemesis: {interval: 1}',
        'include:',
        '  - {target: kv-single, workload: set, seed: 2}',
        '  - {target: primary-backup, bug: async-replication, nemesis: partition, seed: 1}',
        '  - {target: primary-backup, bug: lost-failover, nemesis: "partition,kill", seed: 1, timeLimit: 3}',
        '  - {target: raft-kv, bug: stale-read, nemesis: "partition:primary", seed: 1}',
        '  - {target: raft-kv, bug: commit-without-majority, nemesis: "partition:primary-minority", seed: 1}',
      ].join('\n'),
    );
    const r = await faultlineAsync(['suite', suite, '--store', store, '--quiet']);
    const expected: Record<string, string> = {
      'kv-single-register-partition-s1': 'valid',
      'kv-single-register-kill_pause-s1': 'valid',
      'primary-backup-register-partition-s1': 'valid',
      'primary-backup-register-kill_pause-s1': 'valid',
      'raft-kv-register-partition-s1': 'valid',
      'raft-kv-register-kill_pause-s1': 'valid',
      'kv-single-set-partition-s2': 'valid',
      'primary-backup-register-async-replication-partition-s1': 'INVALID',
      'primary-backup-register-lost-failover-partition_kill-s1': 'INVALID',
      'raft-kv-register-stale-read-partition.primary-s1': 'INVALID',
      'raft-kv-register-commit-without-majority-partition.primary-minority-s1': 'INVALID',
    };
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /suite ci-sim: 11 tests, 7 valid, 4 invalid/);
    const rows = r.stdout.split('\n').filter((l) => /^(valid|INVALID|unknown|CRASHED|ERROR)\s/.test(l));
    assert.equal(rows.length, 11, r.stdout);
    const index = readFileSync(join(store, 'index.html'), 'utf8');
    for (const [name, verdict] of Object.entries(expected)) {
      const row = rows.find((l) => l.split(/\s+/)[1] === name);
      assert.ok(row, `${name} in the table:\n${r.stdout}`);
      assert.equal(row.split(/\s+/)[0], verdict, row);
      const runs = storedRuns(store, name);
      assert.equal(runs.length, 1, `${name} has one store entry`);
      const results = JSON.parse(readFileSync(join(runs[0], 'results.json'), 'utf8'));
      assert.equal(results.valid, verdict === 'valid', name);
      assert.ok(row.endsWith(join(runs[0], 'report.html')), `the row names the report: ${row}`);
      assert.ok(index.includes(name), `the store index lists ${name}`);
    }
    // An anomaly's row says what was found.
    assert.match(rows.find((l) => l.includes('stale-read'))!, /not linearizable/i);
  });

  it('a bad suite file: exit 254 with one line naming the file and line, before anything runs', () => {
    const store = join(mkdtempSync(join(tmpdir(), 'faultline-suite-bad-')), 'store');
    const suite = file('bad.yaml', ['targets: [kv-single, primary-backup]', 'workloads:', '  - register', '  - set', `store: ${store}`].join('\n'));
    const r = faultline(['suite', suite]);
    assert.equal(r.code, 254, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /bad\.yaml:4: target primary-backup, workload set, .*cannot run workload 'set'/);
    assert.ok(!existsSync(store), 'nothing ran, nothing stored');
    const unknown = faultline(['suite', file('typo.yaml', 'targets: [kv-single]\nseed: [1]\n')]);
    assert.equal(unknown.code, 254);
    assert.match(unknown.stderr, /^faultline: .*typo\.yaml:2: seed: /);
  });

  it('Ctrl-C stops the suite: the test running is recorded as interrupted, the rest not run, the table printed, exit 130', async () => {
    const store = mkdtempSync(join(tmpdir(), 'faultline-suite-int-'));
    const suite = file(
      'long.yaml',
      ['targets: [kv-single]', 'seeds: [1]', `store: ${store}`, 'include:', '  - {name: endless, target: kv-single, timeLimit: 86400}', '  - {name: never, target: kv-single}'].join('\n'),
    );
    const child = startFaultline(['suite', suite, '--parallel', '1']);
    // The endless test has started once its store entry exists.
    for (let i = 0; i < 600 && !existsSync(join(store, 'endless')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(join(store, 'endless')), 'the long test started');
    process.kill(child.pid, 'SIGINT');
    const r = await child.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stdout, /suite long: 2 tests, 1 valid, 1 interrupted; 1 not run \(interrupted\)/);
    assert.match(r.stdout, /^valid\s+kv-single-register-partition-s1\s/m);
    assert.match(r.stdout, /^interrupted\s+endless\s/m);
    assert.doesNotMatch(r.stdout, /never/);
    assert.equal(storedRuns(store, 'kv-single-register-partition-s1').length, 1);
  });
});

describe('faultline run --json', function () {
  this.timeout(120_000);

  it('prints exactly one JSON object on stdout: verdict, test, seed, where it is stored, figures, the replay command', () => {
    const store = mkdtempSync(join(tmpdir(), 'faultline-json-'));
    const r = faultline(['run', '--target', 'primary-backup', '--bug', 'async-replication', '--time-limit', '3', '--nemesis-interval', '1', '--seed', '1', '--store', store, '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1, 'one line');
    const j = JSON.parse(r.stdout);
    assert.equal(j.status, 'invalid');
    assert.equal(j.valid, false);
    assert.equal(j.exitCode, 1);
    assert.equal(j.test, 'primary-backup-register-async-replication');
    assert.equal(j.seed, 1);
    assert.match(j.summary, /not linearizable/i);
    assert.ok(existsSync(join(j.runDir, 'results.json')));
    assert.equal(j.report, join(j.runDir, 'report.html'));
    assert.ok(j.stats.ops.invoke > 0);
    assert.match(j.replay, /^faultline run .*--seed 1/);
    assert.match(r.stderr, /primary-backup-register-async-replication on sim, seed 1/, 'progress goes to stderr');
  });
});
