import { stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { usageError } from '../harness/errors.js';
import type { Op } from '../checkers/history/op.js';
import type { ModelRef } from '../checkers/models/model.js';
import { readHistoryFile } from '../checkers/formats/index.js';
import { storedResult, type Checker, type CheckerResult, type CheckerVerdict } from '../checkers/registry.js';
import { HISTORY_FILE, listRuns, readResults as readStoredResults, RESULTS_FILE, writeFileAtomically, type RunStats } from '../harness/store/index.js';
import { buildReport } from './build.js';
import { renderReportHtml } from './html.js';
import { renderStoreIndex, type StoreIndexRun } from './index-page.js';

export const REPORT_FILE = 'report.html';
export const INDEX_FILE = 'index.html';

/** What a stored run's results.json holds (harness/run.ts writes it). */
export interface StoredResults {
  valid?: unknown;
  /** How the run ended (RunStatus; absent in results stored before runs had one) and, unless `ok`, why. */
  status?: string;
  reason?: string;
  test?: Record<string, unknown>;
  replay?: string;
  /** Any checker's result (results stored before checkers had names are the linearizable checker's). */
  checker?: CheckerResult | CheckerVerdict;
  stats?: RunStats;
  /** What the target saw (harness/observations.ts), when it observed anything. */
  observations?: unknown;
}

export interface ReportOptions {
  /**
   * The checker that judged the run (it presents its result), or that is to judge it: absent, a stored result is
   * presented by faultline's checker of that name, or as its prose.
   */
  checker?: Checker<any>;
  /** Check the history again with `checker` (and this model, for one that needs one), whatever results.json holds. */
  recheck?: { model?: ModelRef };
  /** The history and results, when the caller has them in memory (the harness at the end of a run). */
  history?: readonly Op[];
  results?: StoredResults;
}

/**
 * Writes `<runDir>/report.html` from the run's history and results.json, checking the history with the given
 * checker when asked to or when no result is stored. Which checker that is, is the caller's to say (the CLI looks it
 * up in the registry): a history without a result and without a checker is a usage error. The file is written
 * whole and renamed into place, so a reader never sees half a report. Returns its path.
 */
export async function writeReport(runDir: string, options: ReportOptions = {}): Promise<string> {
  const historyPath = join(runDir, HISTORY_FILE);
  if (!(await isFile(historyPath))) throw usageError(`${runDir}: no ${HISTORY_FILE} (not a run directory)`);
  const results = options.results ?? (await readRunResults(runDir));
  const history = options.history ?? (await readHistoryFile(historyPath)).ops;
  const { checker } = options;
  let checked: CheckerVerdict | undefined = options.recheck ? undefined : storedResult(results?.checker);
  if (!checked) {
    if (checker === undefined) throw usageError(`${runDir}: no result in results.json to report, and no checker to check the history with`);
    const model = options.recheck?.model;
    if (checker.needsModel && model === undefined) throw usageError(`${runDir}: the ${checker.name} checker needs a model`);
    checked = (await checker.check(history as Op[], { model, cancelOnInvalid: false })) as CheckerVerdict;
  }
  // A run of the store is named by its test; a bare directory holding a history, by itself.
  const title = typeof results?.test?.name === 'string' ? results.test.name : basename(resolve(runDir));
  const data = buildReport({ history, check: checked as CheckerVerdict, ...(checker && { checker }), title, test: results?.test, replay: results?.replay, stats: results?.stats, observations: results?.observations });
  const path = join(runDir, REPORT_FILE);
  await writeFileAtomically(path, renderReportHtml(data));
  return path;
}

/** A stored results.json that reads back badly is a one-line input error: a report is asked for by a user. */
function badResults(runDir: string) {
  return (e: unknown): never => {
    throw usageError(`${join(runDir, RESULTS_FILE)}: not valid results (${(e as Error).message})`);
  };
}

/** Reads a run's results.json (undefined when it has none), for a caller that works out the checker itself. */
export async function readRunResults(runDir: string): Promise<StoredResults | undefined> {
  return (await readStoredResults(runDir).catch(badResults(runDir))) as StoredResults | undefined;
}

/** Writes `<store>/index.html`: every run in the store, newest first, linked to its report. Returns its path. */
export async function writeStoreIndex(storeRoot: string): Promise<string> {
  const runs: StoreIndexRun[] = [];
  for (const run of await listRuns(storeRoot)) {
    const results = (await readStoredResults(run.dir).catch(() => undefined)) as StoredResults | undefined;
    const ops = results?.stats?.ops?.invoke;
    const seed = results?.test?.seed;
    runs.push({
      name: run.test,
      dir: relative(storeRoot, run.dir).split(sep).join('/'),
      time: run.time.toISOString(),
      verdict: run.verdict ?? null,
      ...(run.status !== undefined && { status: run.status }),
      ...(run.reason !== undefined && { reason: run.reason }),
      ops: typeof ops === 'number' ? ops : null,
      hasReport: await isFile(join(run.dir, REPORT_FILE)),
      ...(typeof seed === 'number' && { seed }),
    });
  }
  const path = join(storeRoot, INDEX_FILE);
  await writeFileAtomically(path, renderStoreIndex(runs));
  return path;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
