import { appendFile } from 'node:fs/promises';
import type { SuiteTestResult } from './suite-result.js';

const MARK: Record<SuiteTestResult['status'], string> = {
  valid: '✅ valid',
  invalid: '❌ anomaly',
  unknown: '❔ unknown',
  crashed: '💥 crashed',
  error: '⚠️ error',
  interrupted: '⏹️ interrupted',
};

/**
 * GitHub Actions' job summary: when the runner sets GITHUB_STEP_SUMMARY (a file path), a Markdown table of the
 * tests is appended to it, which the run's page shows. Outside Actions (the variable unset) nothing is written.
 * Returns whether it wrote.
 */
export async function appendStepSummary(tests: readonly SuiteTestResult[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const path = env.GITHUB_STEP_SUMMARY;
  if (path === undefined || path === '') return false;
  await appendFile(path, renderStepSummary(tests), 'utf8');
  return true;
}

/** The Markdown appended: a heading with the counts, then one row per test. */
export function renderStepSummary(tests: readonly SuiteTestResult[]): string {
  const n = (s: SuiteTestResult['status']) => tests.filter((t) => t.status === s).length;
  const others = tests.length - n('valid') - n('invalid') - n('unknown');
  const head = `### faultline: ${tests.length} ${tests.length === 1 ? 'test' : 'tests'}, ${n('valid')} valid, ${n('invalid')} with an anomaly, ${n('unknown')} unknown${others ? `, ${others} not completed` : ''}`;
  const rows = tests.map((t) => `| ${MARK[t.status]} | ${cell(t.name)} | ${cell(t.summary)} | ${t.report !== undefined ? cell(t.report) : t.runDir !== undefined ? cell(t.runDir) : ''} |`);
  return ['', head, '', '| Verdict | Test | Anomaly summary | Report |', '| --- | --- | --- | --- |', ...rows, ''].join('\n') + '\n';
}

/**
 * A table cell's text: a `|` would end the cell and a newline the row, so the first is escaped and the second
 * becomes a space; a backslash is escaped so that a trailing one cannot swallow the `|` after it.
 */
export function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r\n|\r|\n/g, ' ');
}
