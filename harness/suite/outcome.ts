import type { Checker, CheckerResult } from '../../checkers/registry.js';
import type { SuiteTestResult } from '../../reports/suite-result.js';
import { describeError, isUserError } from '../errors.js';
import type { Registry } from '../registry.js';
import type { RunOutcome } from '../run.js';

/** What a suite keeps of one run: the verdict as a status and exit code, one line saying why, where it is stored. */
export type RunRecord = Omit<SuiteTestResult, 'name' | 'definition' | 'durationMs'>;

/** Jepsen's exit codes, per status; an interrupted run is 130 (SIGINT's). */
export const STATUS_EXIT: Record<SuiteTestResult['status'], number> = { valid: 0, invalid: 1, unknown: 2, error: 254, crashed: 255, interrupted: 130 };

export function recordOf(outcome: RunOutcome, registry: Registry): RunRecord {
  const status = outcome.valid === true ? 'valid' : outcome.valid === false ? 'invalid' : 'unknown';
  const checker = registry.checkerOf(outcome.check) as Checker<CheckerResult> | undefined;
  return {
    status,
    exitCode: STATUS_EXIT[status],
    summary: summaryOf(checker, outcome),
    runDir: outcome.runDir,
    ...(outcome.report !== undefined && { report: outcome.report }),
  };
}

/** A run that threw: the user's mistake (a target Docker cannot start, an unreachable node) or a crash of faultline. */
export function failureOf(e: unknown): RunRecord {
  const status = isUserError(e) ? 'error' : 'crashed';
  return { status, exitCode: STATUS_EXIT[status], summary: describeError(e).split('\n')[0] };
}

const MAX_SUMMARY = 300;

/**
 * One line: for an anomaly, the checker's headline and its first finding (`NOT linearizable: … Key "k3" is not
 * linearizable: …`); for unknown, why; for valid, the checker's counts.
 */
function summaryOf(checker: Checker<CheckerResult> | undefined, outcome: RunOutcome): string {
  const r = outcome.check;
  if (outcome.valid === 'unknown') return `unknown: ${r.unknownReason ?? 'budget'}`;
  if (outcome.valid === true) {
    const columns = checker?.summarize?.(r);
    const o = outcome.stats.ops;
    return columns?.length ? `${r.checker}: ${columns.map(([k, v]) => `${v} ${k}`).join(', ')}` : `${o.ok} ok, ${o.fail} fail, ${o.info} info`;
  }
  const lines = (checker?.explain(r) ?? 'anomaly found').split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.slice(0, 2).join(' ');
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line;
}
