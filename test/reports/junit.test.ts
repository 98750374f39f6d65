import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeDefinition, replayCommand } from '../../harness/config/index.js';
import { renderJUnit, writeJUnit } from '../../reports/junit.js';
import type { SuiteTestResult } from '../../reports/suite-result.js';
import { elements, junitSchemaErrors } from '../support/junit.js';

/** A test result of each status, with definitions a suite could have made. */
function result(status: SuiteTestResult['status'], summary: string, extra: Partial<SuiteTestResult> = {}): SuiteTestResult {
  const definition = mergeDefinition(undefined, { name: `raft-kv-${status}`, target: 'raft-kv', workload: 'register', seed: '42', store: 'store' });
  return { name: definition.name, definition, status, exitCode: { valid: 0, invalid: 1, unknown: 2, crashed: 255, error: 254, interrupted: 130 }[status], summary, durationMs: 1234.5678, ...extra };
}

const tests: SuiteTestResult[] = [
  result('valid', 'no anomaly in 1200 ops', { runDir: 'store/raft-kv-valid/1', report: 'store/raft-kv-valid/1/report.html' }),
  result('invalid', '2 keys not linearizable', { runDir: 'store/raft-kv-invalid/1', report: 'store/raft-kv-invalid/1/report.html' }),
  result('unknown', 'unknown: the search ran out of its time budget', { runDir: 'store/raft-kv-unknown/1', report: 'store/raft-kv-unknown/1/report.html' }),
  result('crashed', "TypeError: Cannot read properties of undefined (reading 'x')"),
  result('error', 'cannot reach Docker: connect ENOENT /var/run/docker.sock'),
  result('interrupted', 'interrupted by SIGINT'),
];

describe('JUnit XML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-junit-'));

  it('writes one testcase per test, an anomaly as a failure and every verdict that is no verdict as an error, valid against junit-10.xsd', async () => {
    const path = join(dir, 'nested/out/junit.xml');
    await writeJUnit(tests, path, { suiteName: 'nightly' });
    const xml = readFileSync(path, 'utf8');
    assert.deepEqual(await junitSchemaErrors(xml), []);

    const [suite] = elements(xml, 'testsuite');
    assert.equal(suite.getAttribute('name'), 'nightly');
    assert.equal(suite.getAttribute('tests'), '6');
    assert.equal(suite.getAttribute('failures'), '1');
    assert.equal(suite.getAttribute('errors'), '4');
    assert.equal(suite.getAttribute('time'), (6 * 1.2345678).toFixed(3));

    const cases = elements(xml, 'testcase');
    assert.deepEqual(cases.map((c) => c.getAttribute('name')), tests.map((t) => t.name));
    for (const c of cases) {
      assert.equal(c.getAttribute('classname'), 'raft-kv.register');
      assert.equal(c.getAttribute('time'), '1.235');
    }
    const outcome = (i: number) => Array.from(cases[i].children).map((e) => e.tagName);
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(outcome), [[], ['failure'], ['error'], ['error'], ['error'], ['error']]);

    const failure = cases[1].getElementsByTagName('failure')[0];
    assert.equal(failure.getAttribute('message'), '2 keys not linearizable');
    assert.match(failure.textContent ?? '', /report: store\/raft-kv-invalid\/1\/report\.html/);
    assert.ok((failure.textContent ?? '').includes(`replay: ${replayCommand(tests[1].definition)}`), failure.textContent ?? '');
    for (const [i, status] of [[2, 'unknown'], [3, 'crashed'], [4, 'error'], [5, 'interrupted']] as const) {
      const error = cases[i].getElementsByTagName('error')[0];
      assert.equal(error.getAttribute('type'), status);
      assert.equal(error.getAttribute('message'), tests[i].summary);
    }
  });

  it('keeps markup, quotes and line breaks in a summary as text', async () => {
    const summary = `lost <element> "7" & 'eight' ]]> here`;
    const path = join(dir, 'escaped.xml');
    await writeJUnit([result('invalid', summary, { report: 'a&b/<report>.html' })], path);
    const xml = readFileSync(path, 'utf8');
    assert.deepEqual(await junitSchemaErrors(xml), []);
    const [failure] = elements(xml, 'failure');
    assert.equal(failure.getAttribute('message'), summary);
    assert.match(failure.textContent ?? '', /report: a&b\/<report>\.html/);
  });

  it('writes an empty suite as a valid file with zero counts', async () => {
    const xml = renderJUnit([]);
    assert.deepEqual(await junitSchemaErrors(xml), []);
    const [suite] = elements(xml, 'testsuite');
    assert.deepEqual(['tests', 'failures', 'errors'].map((a) => suite.getAttribute(a)), ['0', '0', '0']);
  });

  // The validator is only worth something if it can say no.
  it('the schema check refuses files that are not JUnit', async () => {
    const good = renderJUnit(tests);
    const wrong = {
      'a testsuite without its failure count': good.replace(/(<testsuite [^>]*?) failures="1"/, '$1'),
      'a failure outside a testcase': good.replace('</testsuite>', '<failure message="x"/></testsuite>'),
      'a time with four decimals': good.replace(/time="1\.235"/, 'time="1.2346"').replace(/(<testsuite [^>]*?time=")[^"]*"/, '$11.2345"'),
      'a testcase without a name': good.replace(/<testcase name="[^"]*"/, '<testcase'),
      'not XML at all': good.replace('</testsuites>', ''),
    };
    for (const [what, xml] of Object.entries(wrong)) {
      assert.notEqual(xml, good, what);
      const errors = await junitSchemaErrors(xml);
      assert.ok(errors.length > 0, `${what} passed the schema check`);
    }
  });
});
