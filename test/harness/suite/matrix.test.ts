import assert from 'node:assert/strict';
import { builtinRegistry } from '../../../harness/builtins.js';
import { parseSuiteText } from '../../../harness/suite/file.js';
import { suiteTests } from '../../../harness/suite/matrix.js';
import { suiteExitCode } from '../../../harness/suite/run-suite.js';
import type { SuiteTestResult } from '../../../reports/suite-result.js';
import { inputErrorAt } from '../../support/cli.js';

const registry = builtinRegistry().definitions();
const tests = (yaml: string) => suiteTests(parseSuiteText(yaml, 'suite.yaml'), registry);

describe('suite files: the matrix of tests', () => {
  it('multiplies the axes, shares the other fields, and names each test target-workload[-bug]-nemesis-seed', () => {
    const t = tests(['targets: [kv-single, primary-backup]', 'nemeses: [partition, "kill:primary+pause", none]', 'seeds: [1, 2]', 'timeLimit: 3', 'nemesis: {interval: 1}'].join('\n'));
    assert.equal(t.length, 12);
    assert.deepEqual(t.slice(0, 3).map((d) => d.name), ['kv-single-register-partition-s1', 'kv-single-register-partition-s2', 'kv-single-register-kill.primary_and_pause-s1']);
    assert.equal(new Set(t.map((d) => d.name)).size, 12, 'no two tests share a store entry');
    for (const d of t) {
      assert.equal(d.timeLimit, 3);
      assert.equal(d.nemesis.interval, 1, 'the shared interval stays under each fault list');
    }
    assert.deepEqual(t[4].nemesis.faults, [], 'none: no faults');
    // Without axes, only the included tests.
    assert.deepEqual(tests('include:\n  - {target: kv-single, seed: 3}').map((d) => d.name), ['kv-single-register-partition-s3']);
  });

  it('include adds tests with their own fields; exclude drops the combinations a pattern matches (with *)', () => {
    const t = tests(
      [
        'targets: [kv-single, primary-backup, raft-kv]',
        'nemeses: [partition, kill]',
        'seeds: [7]',
        'exclude:',
        '  - {target: "raft-*", nemesis: kill}',
        'include:',
        '  - {target: primary-backup, bug: async-replication, seed: 1}',
        '  - {name: my-raft, target: raft-kv, bug: stale-read, nemesis: "partition:primary", seed: 1}',
      ].join('\n'),
    );
    const names = t.map((d) => d.name);
    assert.equal(t.length, 7);
    assert.ok(!names.includes('raft-kv-register-kill-s7'));
    assert.ok(names.includes('raft-kv-register-partition-s7'));
    assert.ok(names.includes('primary-backup-register-async-replication-partition-s1'));
    assert.equal(t.find((d) => d.name === 'my-raft')?.bug, 'stale-read');
  });

  it('a combination the registry refuses is an error of the suite file, naming the combination and its line', () => {
    const yaml = ['targets:', '  - kv-single', '  - primary-backup', 'workloads: [register, set]', 'seeds: [1]'].join('\n');
    // The conflict is the workload's: the line of `set` in the workloads axis.
    assert.throws(() => tests(yaml), inputErrorAt(4, /target primary-backup, workload set, nemesis partition, seed 1, runtime sim: workload: .*exclude it/));
    // Excluded, the same matrix is fine.
    assert.equal(tests(`${yaml}\nexclude:\n  - {target: primary-backup, workload: set}`).length, 3);
  });

  it('bad suite files: one line with the line number', () => {
    assert.throws(() => tests('targets: [kv-single]\nconcurency: 3'), inputErrorAt(2, /concurency: unknown field \(did you mean concurrency\?\)/));
    assert.throws(() => tests('targets: []'), inputErrorAt(1, /targets: expected a list of target names, not an empty one/));
    assert.throws(() => tests('seeds: [1]\nnemeses:\n  - partition\n  - explode'), inputErrorAt(4, /nemeses\[1\]: .*explode/));
    assert.throws(() => tests('seeds: [1]\nname: x\ninclude:\n  - {target: kv-single, timeLimit: -1}'), inputErrorAt(4, /include\[0\]\.timeLimit: expected a positive number of seconds/));
    assert.throws(() => tests('targets: [kv-single]\nexclude:\n  - {target: redis}'), inputErrorAt(3, /exclude\[0\]: matches no test/));
    assert.throws(() => tests('seeds: [1]\ninclude:\n  - {seed: 1}'), inputErrorAt(3, /the test name 'primary-backup-register-partition-s1' is taken/));
    assert.throws(() => tests('targets: [kv-single\n'), inputErrorAt(2, /invalid YAML/));
    assert.throws(() => tests('timeLimit: 3'), /suite\.yaml: the suite has no tests/);
    assert.throws(() => tests('targets: [kv-single]\nexclude:\n  - {target: kv-*}'), /the suite has no tests/);
  });

  it('the exit code is the worst verdict: a crash, then a test that could not start, an anomaly, unknown; 130 when interrupted', () => {
    const of = (...s: SuiteTestResult['status'][]) => suiteExitCode({ interrupted: false, results: s.map((status) => ({ status }) as SuiteTestResult) });
    assert.equal(of('valid', 'valid'), 0);
    assert.equal(of('valid', 'unknown'), 2);
    assert.equal(of('unknown', 'invalid', 'valid'), 1);
    assert.equal(of('invalid', 'error'), 254);
    assert.equal(of('error', 'crashed', 'invalid', 'unknown'), 255);
    assert.equal(suiteExitCode({ interrupted: true, results: [] }), 130);
  });
});
