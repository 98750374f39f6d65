import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { create } from 'xmlbuilder2';
import { replayCommand } from '../harness/config/index.js';
import type { SuiteTestResult } from './suite-result.js';

/**
 * JUnit XML, as Jenkins, GitLab and the GitHub test-report actions read it (Surefire's dialect; the Jenkins xUnit
 * plugin's junit-10.xsd in test/fixtures/junit/ is the schema the tests hold it to).
 *
 * The mapping follows what each verdict means for the system under test: an anomaly is the test catching the
 * system out, a JUnit *failure*; unknown (no verdict within the budget), a crash of faultline, a run that could not
 * start and an interrupted run all say nothing about the system, so they are *errors*, as JUnit calls a test that
 * could not complete.
 */
export async function writeJUnit(tests: readonly SuiteTestResult[], path: string, o: { suiteName?: string } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderJUnit(tests, o), 'utf8');
}

/** The JUnit XML document of the tests (writeJUnit's text). */
export function renderJUnit(tests: readonly SuiteTestResult[], o: { suiteName?: string } = {}): string {
  const failures = tests.filter((t) => t.status === 'invalid').length;
  const errors = tests.filter((t) => t.status !== 'valid' && t.status !== 'invalid').length;
  const time = seconds(tests.reduce((s, t) => s + t.durationMs, 0));
  const counts = { tests: String(tests.length), failures: String(failures), errors: String(errors), time };
  const name = o.suiteName ?? 'faultline';
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', { name, ...counts });
  const suite = doc.ele('testsuite', { name, ...counts, skipped: '0', timestamp: new Date().toISOString() });
  for (const t of tests) {
    const c = suite.ele('testcase', { name: t.name, classname: `${t.definition.target}.${t.definition.workload}`, time: seconds(t.durationMs) });
    if (t.status === 'invalid') c.ele('failure', { type: 'anomaly', message: t.summary }).txt(detail(t));
    else if (t.status !== 'valid') c.ele('error', { type: t.status, message: t.summary }).txt(detail(t));
  }
  return doc.end({ prettyPrint: true }) + '\n';
}

/** A failure's text: where to look and how to run it again. */
function detail(t: SuiteTestResult): string {
  const lines = [`${t.status === 'invalid' ? 'anomaly' : t.status} (exit ${t.exitCode}): ${t.summary}`];
  if (t.report !== undefined) lines.push(`report: ${t.report}`);
  if (t.runDir !== undefined) lines.push(`store: ${t.runDir}`);
  lines.push(`replay: ${replayCommand(t.definition)}`);
  return lines.join('\n');
}

/** Seconds with at most three decimals: Surefire's time type (SUREFIRE_TIME in the schema) allows no more. */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}
