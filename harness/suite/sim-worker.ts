import { parentPort, workerData } from 'node:worker_threads';
import type { TestDefinition } from '../config/index.js';
import { registryWith } from '../plugins.js';
import { runTest } from '../run-with-reports.js';
import { failureOf, recordOf, type RunRecord } from './outcome.js';

/**
 * One simulated test in a worker thread, so a suite's simulations use every core: the run (store entry, report,
 * index) exactly as `faultline run` makes it, and back to the suite only its record, not the history.
 */
const def = (workerData as { def: TestDefinition }).def;
let record: RunRecord;
try {
  const registry = await registryWith(def.plugins ?? []);
  record = recordOf(def, await runTest(def, { registry }), registry);
} catch (e) {
  record = failureOf(def, e);
}
parentPort!.postMessage(record);
