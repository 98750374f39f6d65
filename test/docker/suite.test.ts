import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultline, tempFiles } from '../support/cli.js';
import { removeByPid, runResources } from '../support/docker.js';
import { elements, junitSchemaErrors } from '../support/junit.js';

const file = tempFiles('faultline-docker-suite-');

describe('faultline suite with Docker tests', function () {
  this.timeout(600_000);

  it('runs 8 simulated tests (3 with bugs) and 2 Docker tests one at a time after them: each stored, listed, torn down; the exit code is the worst verdict; JUnit valid against the schema; the step summary written', async () => {
    const store = mkdtempSync(join(tmpdir(), 'faultline-docker-suite-store-'));
    const junit = join(store, 'junit.xml');
    const summary = join(store, 'step-summary.md');
    const suite = file(
      'docker.yaml',
      [
        'name: ci-docker',
        'seed: 1',
        'timeLimit: 5',
        'nemesis: {interval: 2}',
        `store: ${store}`,
        'include:',
        '  - {target: primary-backup, bug: async-replication, nemesis: partition}',
        '  - {target: primary-backup, bug: lost-failover, nemesis: "partition,kill"}',
        '  - {target: raft-kv, bug: stale-read, nemesis: "partition:primary"}',
        '  - {target: kv-single, nemesis: partition}',
        '  - {target: kv-single, workload: set, nemesis: partition}',
        '  - {target: primary-backup, nemesis: partition}',
        '  - {target: raft-kv, nemesis: partition}',
        '  - {target: raft-kv, nemesis: "kill,pause"}',
        '  - {target: redis, runtime: docker, nemesis: kill}',
        '  - {target: postgres, runtime: docker, bug: read-committed, nemesis: none}',
      ].join('\n'),
    );
    const child = startFaultline(['suite', suite, '--junit', junit], { GITHUB_STEP_SUMMARY: summary });
    let r: Awaited<typeof child.done>;
    try {
      r = await child.done;
    } finally {
      await removeByPid(child.pid);
    }
    assert.deepEqual(await runResources(child.pid), { containers: [], networks: [] }, 'every cluster removed');
    const rows = r.stdout.split('\n').filter((l) => /^(valid|INVALID|unknown|CRASHED|ERROR)\s/.test(l));
    assert.equal(rows.length, 10, r.stdout + r.stderr);
    const verdictOf = (name: string) => rows.find((l) => l.split(/\s+/)[1] === name)?.split(/\s+/)[0];
    const names = ['primary-backup-register-async-replication-partition-s1', 'redis-register-kill-s1-docker', 'postgres-register-read-committed-none-s1-docker'];
    assert.equal(verdictOf(names[0]), 'INVALID', 'the simulated bug is found');
    assert.equal(verdictOf('raft-kv-register-stale-read-partition.primary-s1'), 'INVALID');
    for (const valid of ['kv-single-register-partition-s1', 'kv-single-set-partition-s1', 'primary-backup-register-partition-s1', 'raft-kv-register-partition-s1']) assert.equal(verdictOf(valid), 'valid', valid);
    assert.equal(verdictOf(names[1]), 'valid', `redis under kill: ${r.stdout}`);
    assert.ok(['valid', 'INVALID'].includes(verdictOf(names[2]) ?? ''), `postgres ran to a verdict: ${r.stdout}`);
    // The Docker tests run after the simulated ones, in the suite's order.
    assert.deepEqual(rows.slice(-2).map((l) => l.split(/\s+/)[1]), names.slice(1));
    const verdicts = rows.map((l) => l.split(/\s+/)[0]);
    for (const row of rows) assert.equal(readdirSync(join(store, row.split(/\s+/)[1])).length, 1, `one store entry for ${row}`);
    // JUnit: valid against Jenkins' schema, one testcase per test, an anomaly a failure.
    const xml = readFileSync(junit, 'utf8');
    assert.deepEqual(await junitSchemaErrors(xml), []);
    assert.equal(elements(xml, 'testcase').length, 10);
    assert.equal(elements(xml, 'failure').length, verdicts.filter((v) => v === 'INVALID').length);
    // The step summary: a table row per test.
    const md = readFileSync(summary, 'utf8');
    for (const row of rows) assert.ok(md.includes(row.split(/\s+/)[1]), `the summary lists ${row}`);
    const worst = verdicts.includes('INVALID') ? 1 : verdicts.includes('unknown') ? 2 : 0;
    assert.equal(r.code, worst, r.stderr);
    const [redisRun] = readdirSync(join(store, names[1])).map((d) => join(store, names[1], d));
    const [pgRun] = readdirSync(join(store, names[2])).map((d) => join(store, names[2], d));
    for (const run of [redisRun, pgRun]) assert.ok(existsSync(join(run, 'results.json')), run);
    assert.ok(readFileSync(join(store, 'index.html'), 'utf8').includes(names[2]));
    // Run directories are named by their start time: the suite's order, postgres after redis.
    assert.ok(pgRun.split('/').at(-1)! > redisRun.split('/').at(-1)!, 'postgres started after redis');
  });
});

describe('faultline suite: Ctrl-C during a Docker test', function () {
  this.timeout(300_000);

  it('tears the cluster down, records the test as interrupted, starts nothing more, prints the table and exits 130', async () => {
    const store = mkdtempSync(join(tmpdir(), 'faultline-docker-suite-int-'));
    const suite = file(
      'interrupted.yaml',
      [`store: ${store}`, 'seed: 1', 'include:', '  - {name: endless-redis, target: redis, runtime: docker, nemesis: kill, timeLimit: 86400}', '  - {name: never, target: redis, runtime: docker}'].join('\n'),
    );
    const child = startFaultline(['suite', suite]);
    let r: Awaited<typeof child.done>;
    try {
      // The run is stored once its cluster has started: interrupt it mid-test.
      for (let i = 0; i < 1200 && !existsSync(join(store, 'endless-redis')); i++) await new Promise((res) => setTimeout(res, 100));
      assert.ok(existsSync(join(store, 'endless-redis')), 'the Docker test started');
      await new Promise((res) => setTimeout(res, 2000));
      process.kill(child.pid, 'SIGINT');
      r = await child.done;
    } finally {
      await removeByPid(child.pid);
    }
    assert.deepEqual(await runResources(child.pid), { containers: [], networks: [] }, 'the cluster was torn down by the signal');
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stdout, /suite interrupted: 1 test, 1 interrupted; 1 not run \(interrupted\)/);
    assert.match(r.stdout, /^interrupted\s+endless-redis\s/m);
    assert.ok(!existsSync(join(store, 'never')), 'nothing started after the signal');
  });
});
