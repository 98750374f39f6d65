import type { TestDefinition } from '../harness/config/index.js';

/**
 * One test of a suite (or the one test of `faultline run`) as CI outputs show it: JUnit XML, the step summary, the
 * closing table. `faultline run` and `faultline suite` build the same shape, so every CI output reads both alike.
 */
export interface SuiteTestResult {
  name: string;
  definition: TestDefinition;
  status: 'valid' | 'invalid' | 'unknown' | 'crashed' | 'error' | 'interrupted';
  exitCode: number;
  summary: string /* one line: the anomaly summary, or the error */;
  runDir?: string;
  report?: string;
  durationMs: number;
}
