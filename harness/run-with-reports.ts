import { DEFAULT_REPORTERS } from '../reports/reporters.js';
import type { TestDefinition } from './config/index.js';
import { runTest as run, type RunOptions, type RunOutcome } from './run.js';

/**
 * runTest as the package offers it: a run writes its report.html and refreshes the store's index, as `faultline
 * run` does, unless `reporters` says otherwise. The harness's own run loop (run.ts) knows no reporter: this is
 * where the package puts the two together.
 */
export function runTest(def: TestDefinition, options: RunOptions = {}): Promise<RunOutcome> {
  return run(def, { reporters: DEFAULT_REPORTERS, ...options });
}
