import type { Checker, CheckerResult } from '../../checkers/registry.js';
import type { SuiteTestResult } from '../../reports/suite-result.js';
import { failedTestResult, testResultOf } from '../cli/test-result.js';
import type { TestDefinition } from '../config/index.js';
import type { Registry } from '../registry.js';
import type { RunOutcome } from '../run.js';

/**
 * What a suite keeps of one run, as it crosses from a worker thread: the CI result (harness/cli/test-result.ts, the
 * one place a run becomes a status, an exit code and a one-line summary) without the definition and the time,
 * which the suite adds.
 */
export type RunRecord = Omit<SuiteTestResult, 'name' | 'definition' | 'durationMs'>;

/** Jepsen's exit codes, per status; an interrupted run is 130 (SIGINT's). */
export const STATUS_EXIT: Record<SuiteTestResult['status'], number> = { valid: 0, invalid: 1, unknown: 2, error: 254, crashed: 255, interrupted: 130 };

export function recordOf(def: TestDefinition, outcome: RunOutcome, registry: Registry): RunRecord {
  const checker = registry.checkerOf(outcome.check) as Checker<CheckerResult> | undefined;
  return recordPart(testResultOf(def, outcome, checker, 0));
}

/** A run that threw: the user's mistake (a target Docker cannot start, an unreachable node) or a crash of faultline. */
export function failureOf(def: TestDefinition, e: unknown): RunRecord {
  return recordPart(failedTestResult(def, e, 0));
}

function recordPart(r: SuiteTestResult): RunRecord {
  const { name: _name, definition: _definition, durationMs: _durationMs, ...record } = r;
  return record;
}
