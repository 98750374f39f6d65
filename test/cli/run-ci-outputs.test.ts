import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultline } from '../support/cli.js';
import { elements, junitSchemaErrors } from '../support/junit.js';

/** `faultline run --junit` and GITHUB_STEP_SUMMARY, through the real CLI: what a CI job reads besides the exit code. */
describe('faultline run: CI outputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-run-ci-'));
  const store = join(dir, 'store');
  const summary = join(dir, 'summary.md');

  it('an anomaly: exit 1, a JUnit failure naming the report and the replay, a summary row', async () => {
    const junit = join(dir, 'stale.xml');
    const r = faultline(
      ['run', '--target', 'raft-kv', '--workload', 'register', '--bug', 'stale-read', '--time-limit', '5', '--seed', '1', '--store', store, '--junit', junit, '--quiet'],
      undefined,
      { GITHUB_STEP_SUMMARY: summary },
    );
    assert.equal(r.code, 1, r.stderr);
    const xml = readFileSync(junit, 'utf8');
    assert.deepEqual(await junitSchemaErrors(xml), []);
    const [c] = elements(xml, 'testcase');
    assert.equal(c.getAttribute('name'), 'raft-kv-register-stale-read');
    assert.equal(c.getAttribute('classname'), 'raft-kv.register');
    const failure = c.getElementsByTagName('failure')[0];
    const message = failure.getAttribute('message') ?? '';
    assert.match(message, /^\d+ keys? not linearizable$/);
    const report = /^report: (.*)$/m.exec(r.stdout)?.[1];
    const replay = /^replay: (.*)$/m.exec(r.stdout)?.[1];
    assert.ok(report && replay, r.stdout);
    assert.ok(failure.textContent?.includes(`report: ${report}`), failure.textContent ?? '');
    assert.ok(failure.textContent?.includes(`replay: ${replay}`), failure.textContent ?? '');
    const text = readFileSync(summary, 'utf8');
    assert.ok(text.includes(`| ❌ anomaly | raft-kv-register-stale-read | ${message} | ${report} |`), text);
  });

  it('a run that cannot start (Docker unreachable): exit 254, a JUnit error with the reason, a summary row', async () => {
    const junit = join(dir, 'no-docker.xml');
    const r = faultline(
      ['run', '--runtime', 'docker', '--target', 'redis', '--workload', 'register', '--time-limit', '2', '--store', store, '--junit', junit, '--quiet'],
      undefined,
      { GITHUB_STEP_SUMMARY: summary, DOCKER_HOST: `unix://${join(dir, 'no-such.sock')}` },
    );
    assert.equal(r.code, 254, r.stderr);
    const xml = readFileSync(junit, 'utf8');
    assert.deepEqual(await junitSchemaErrors(xml), []);
    const [suite] = elements(xml, 'testsuite');
    assert.deepEqual(['tests', 'failures', 'errors'].map((a) => suite.getAttribute(a)), ['1', '0', '1']);
    const [error] = elements(xml, 'error');
    assert.match(error.getAttribute('message') ?? '', /cannot reach Docker/);
    assert.match(error.textContent ?? '', /^replay: faultline run .*--runtime docker/m);
    const text = readFileSync(summary, 'utf8');
    // Both runs' tables, in the order they ran.
    assert.ok(text.indexOf('raft-kv-register-stale-read') < text.indexOf('| redis-register |'), text);
    assert.match(text, /\| ⚠️ error \| redis-register \| cannot reach Docker/);
  });
});
