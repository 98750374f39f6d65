import { writeJUnit } from './junit.js';
import { appendStepSummary } from './step-summary.js';
import type { SuiteTestResult } from './suite-result.js';

export interface CiOutputOptions {
  /** Where to write JUnit XML (`--junit <path>`); absent, none is written. */
  junit?: string;
  /** The JUnit testsuite's name (default: faultline). */
  suiteName?: string;
  /** Where GITHUB_STEP_SUMMARY is read (default: the process's environment). */
  env?: NodeJS.ProcessEnv;
}

/** Everything a CI job reads besides the exit code, for `faultline run` (one test) and `faultline suite` alike. */
export async function writeCiOutputs(tests: readonly SuiteTestResult[], o: CiOutputOptions = {}): Promise<void> {
  if (o.junit !== undefined) await writeJUnit(tests, o.junit, o.suiteName === undefined ? {} : { suiteName: o.suiteName });
  await appendStepSummary(tests, o.env);
}
