import type { TestDefinition } from '../harness/config/index.js';

/** One test of a suite as the closing table, JUnit XML and the CI summary show it. */
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
