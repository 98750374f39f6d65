import type { Checker, CheckerResult } from '../../checkers/registry.js';
import type { SuiteTestResult } from '../../reports/suite-result.js';
import type { TestDefinition } from '../config/index.js';
import { describeError, isUserError } from '../errors.js';
import type { RunOutcome } from '../run.js';

/** A one-line summary is cut here: a JUnit message attribute and a table cell are read at a glance. */
const SUMMARY_CHARS = 300;

/**
 * A finished run as the CI outputs show it (`faultline run` and `faultline suite` both call this), with Jepsen's
 * exit codes: 0 valid, 1 invalid, 2 unknown.
 */
export function testResultOf(def: TestDefinition, outcome: RunOutcome, checker: Checker<CheckerResult> | undefined, durationMs: number): SuiteTestResult {
  const status = outcome.valid === true ? 'valid' : outcome.valid === false ? 'invalid' : 'unknown';
  return {
    name: def.name,
    definition: def,
    status,
    exitCode: status === 'valid' ? 0 : status === 'invalid' ? 1 : 2,
    summary: anomalySummary(checker, outcome),
    runDir: outcome.runDir,
    ...(outcome.report !== undefined && { report: outcome.report }),
    durationMs,
  };
}

/**
 * A run that threw: the user's to fix (Docker unreachable, a node that does not answer) is an `error` with exit
 * 254; anything else is a crash of faultline, 255 — as main.ts exits for each.
 */
export function failedTestResult(def: TestDefinition, error: unknown, durationMs: number, runDir?: string): SuiteTestResult {
  const user = isUserError(error);
  return {
    name: def.name,
    definition: def,
    status: user ? 'error' : 'crashed',
    exitCode: user ? 254 : 255,
    summary: oneLine(describeError(error)),
    ...(runDir !== undefined && { runDir }),
    durationMs,
  };
}

/**
 * The verdict in one line: the checker's own findings ("2 keys not linearizable", "7 lost") when it presents them,
 * else the first line of its explanation; unknown says why.
 */
export function anomalySummary(checker: Checker<CheckerResult> | undefined, outcome: Pick<RunOutcome, 'check' | 'history' | 'stats'>): string {
  const r = outcome.check;
  if (r.valid === 'unknown') return oneLine(`unknown: ${r.unknownReason ?? 'no verdict within the budget'}`);
  if (r.valid === true) return `no anomaly in ${outcome.stats.ops.invoke} ops`;
  const findings = checker?.present?.(r, outcome.history, { items: 1, anomalyOps: 1, valueChars: 80 }).findings ?? [];
  if (findings.length > 0) return oneLine(findings.join(', '));
  const prose = checker?.explain(r).split('\n').find((l) => l.trim() !== '');
  return oneLine(prose ?? `${r.checker}: anomaly found`);
}

function oneLine(s: string): string {
  const line = s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return line.length <= SUMMARY_CHARS ? line : `${line.slice(0, SUMMARY_CHARS - 1)}…`;
}
