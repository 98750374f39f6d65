import { stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { usageError } from '../checkers/errors.js';
import type { Op } from '../checkers/history/op.js';
import { readHistoryFile } from '../checkers/formats/index.js';
import { MODEL_NAMES, modelFor } from '../checkers/models/index.js';
import { CHECKER_NAMES, checkerFor, storedResult, type CheckerResult } from '../checkers/registry.js';
import { HISTORY_FILE, listRuns, readResults as readStoredResults, RESULTS_FILE, writeFileAtomically, type RunStats } from '../harness/store/index.js';
import { builtinWorkloads } from '../workloads/index.js';
import { buildReport } from './build.js';
import { renderReportHtml } from './html.js';
import { renderStoreIndex, type StoreIndexRun } from './index-page.js';

export const REPORT_FILE = 'report.html';
export const INDEX_FILE = 'index.html';

/** What a stored run's results.json holds (harness/run.ts writes it). */
export interface StoredResults {
  valid?: unknown;
  test?: Record<string, unknown>;
  replay?: string;
  /** Any checker's result (results stored before checkers had names are the linearizable checker's). */
  checker?: CheckerResult;
  stats?: RunStats;
}

export interface ReportOptions {
  /** Check the history with this model (else the run's own results; a bare history needs it). */
  model?: string;
  /** Check the history with this checker (else the run's workload's; with `model`, linearizable). */
  checker?: string;
  /** The history and results, when the caller has them in memory (the harness at the end of a run). */
  history?: Op[];
  results?: StoredResults;
}

/**
 * Writes `<runDir>/report.html` from the run's history and results.json, re-checking the history when there are
 * no results (a directory holding only a history.jsonl then needs a checker: `--model` for the linearizable one)
 * or when a model or checker is given; the checker is the run's workload's unless one is given. The file is
 * written whole and renamed into place, so a reader never sees half a report. Returns its path.
 */
export async function writeReport(runDir: string, options: ReportOptions = {}): Promise<string> {
  const historyPath = join(runDir, HISTORY_FILE);
  if (!(await isFile(historyPath))) throw usageError(`${runDir}: no ${HISTORY_FILE} (not a run directory)`);
  const results = options.results ?? (await readResults(runDir));
  const history = options.history ?? (await readHistoryFile(historyPath)).ops;
  let checked = options.model === undefined && options.checker === undefined ? storedResult(results?.checker) : undefined;
  if (!checked) {
    // A stored run without its results: the checker is its workload's, when the workload is one faultline has.
    const named = results?.test?.workload;
    const workload = builtinWorkloads.workloads?.find((w) => w.name === named);
    const name = options.checker ?? (options.model !== undefined ? 'linearizable' : workload?.checker);
    const checker = name === undefined ? undefined : checkerFor(name); // an unknown checker names the known ones
    const model = options.model ?? (name === workload?.checker ? workload?.model : undefined);
    if (checker === undefined || (checker.needsModel && model === undefined)) {
      throw usageError(
        `${runDir}: no results.json to take the checker from; give a model with --model (known: ${MODEL_NAMES.join(', ')}) or --checker (known: ${CHECKER_NAMES.join(', ')})`,
      );
    }
    if (model !== undefined) modelFor(model); // an unknown model is a usage error naming the known ones
    checked = await checker.check(history, { model, cancelOnInvalid: false });
  }
  // A run of the store is named by its test; a bare directory holding a history, by itself.
  const title = typeof results?.test?.name === 'string' ? results.test.name : basename(resolve(runDir));
  const data = buildReport({ history, check: checked, title, test: results?.test, replay: results?.replay, stats: results?.stats });
  const path = join(runDir, REPORT_FILE);
  await writeFileAtomically(path, renderReportHtml(data));
  return path;
}

/** Writes `<store>/index.html`: every run in the store, newest first, linked to its report. Returns its path. */
export async function writeStoreIndex(storeRoot: string): Promise<string> {
  const runs: StoreIndexRun[] = [];
  for (const run of await listRuns(storeRoot)) {
    const results = await readResults(run.dir).catch(() => undefined);
    const ops = results?.stats?.ops?.invoke;
    const seed = results?.test?.seed;
    runs.push({
      name: run.test,
      dir: relative(storeRoot, run.dir).split(sep).join('/'),
      time: run.time.toISOString(),
      verdict: run.verdict ?? null,
      ops: typeof ops === 'number' ? ops : null,
      hasReport: await isFile(join(run.dir, REPORT_FILE)),
      ...(typeof seed === 'number' && { seed }),
    });
  }
  const path = join(storeRoot, INDEX_FILE);
  await writeFileAtomically(path, renderStoreIndex(runs));
  return path;
}

/** The store's reader, with a bad results.json as a one-line input error: a report is asked for by a user. */
async function readResults(runDir: string): Promise<StoredResults | undefined> {
  try {
    return (await readStoredResults(runDir)) as StoredResults | undefined;
  } catch (e) {
    throw usageError(`${join(runDir, RESULTS_FILE)}: not valid results (${(e as Error).message})`);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
