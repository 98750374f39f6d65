import type { FinishedRun, Reporter, StoppedRun } from '../harness/reporter.js';
import { writeReport, writeStoreIndex, type StoredResults } from './write.js';

/** The run's report.html, presented by the checker that judged it. */
export const htmlReport: Reporter = {
  name: 'html',
  write: (run: FinishedRun) =>
    writeReport(run.runDir, {
      checker: run.checker,
      history: run.history,
      results: run.results as StoredResults,
    }),
};

/** The store's index.html, refreshed to list the run, also one that ended without a verdict (with its reason). */
export const storeIndex: Reporter = {
  name: 'index',
  write: (run: FinishedRun) => writeStoreIndex(run.def.store),
  stopped: (run: StoppedRun) => writeStoreIndex(run.def.store),
};

/** What `faultline run` writes after every run: the report, then the store's index. */
export const DEFAULT_REPORTERS: readonly Reporter[] = [htmlReport, storeIndex];
