import type { Op } from '../checkers/history/op.js';
import type { TestDefinition } from './config/index.js';
import { describeError } from './errors.js';
import type { Reporter } from './reporter.js';
import { runStats, updateLatest, writeResults, type HistoryRecorder, type RunLog, type RunResults, type RunStatus } from './store/index.js';

const recorded = new WeakMap<object, StoppedRunRef>();

/** Where the record of a run that an error stopped is, and how it ended. */
export interface StoppedRunRef {
  runDir: string;
  status: Exclude<RunStatus, 'ok'>;
}

/**
 * The stored record of the run an error thrown by runTest stopped (undefined for an error that stopped no run, such
 * as a definition refused before anything was stored): a caller that reports runs (a suite, JUnit) can name it.
 */
export function stoppedRunOf(e: unknown): StoppedRunRef | undefined {
  return typeof e === 'object' && e !== null ? recorded.get(e) : undefined;
}

/** How run.log's last line names each way a run can end without a verdict. */
const ENDING: Record<Exclude<RunStatus, 'ok'>, string> = {
  error: 'the run could not go on',
  interrupted: 'the run was interrupted',
  crashed: 'faultline crashed',
};

export interface RunParts {
  def: TestDefinition;
  runDir: string;
  log: RunLog;
  recorder: HistoryRecorder;
  /** The run's history as it grows: the record keeps what it holds when the run stops. */
  history: readonly Op[];
  replay: string;
  reporters: readonly Reporter[];
}

/**
 * The record of a run that ended without a verdict — it could not start, it crashed, a signal stopped it — so that
 * the store tells the truth about every run it lists: results.json with `valid: 'unknown'`, the status and the
 * one-line reason (and the stats of the history so far), `latest` pointing at it, the reporters' `stopped` (the
 * store's index shows the reason), and run.log ending with the reason. The history is closed where it stopped:
 * `faultline check <run>/history.jsonl` reads it like any other (an op invoked and never completed is pending).
 * Written once; whatever fails while writing it is logged, never thrown over the error that stopped the run.
 */
export class StoppedRecord {
  /** Set once the run has stopped: no op or log line comes after the record. */
  ended = false;

  constructor(private readonly run: RunParts) {}

  /** A line in run.log while the run goes on; none once its record is written (its reason is the last line). */
  note(line: string): void {
    if (!this.ended) this.run.log.info(line);
  }

  /**
   * The run has its verdict and is about to store it: from here on its own results are its record, and a signal only
   * exits. False when a signal came first and is writing the record: the run must store nothing more.
   */
  claim(): boolean {
    if (this.ended) return false;
    this.ended = true;
    return true;
  }

  async write(status: Exclude<RunStatus, 'ok'>, why: unknown): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (typeof why === 'object' && why !== null) recorded.set(why, { runDir: this.run.runDir, status });
    const { def, runDir, log, recorder, history, replay } = this.run;
    const reason = typeof why === 'string' ? why : describeError(why);
    // faultline's own failure keeps its stack in the log, above the line that ends it.
    if (status === 'crashed' && why instanceof Error && why.stack !== undefined) log.error(why.stack);
    const attempt = async (what: string, step: () => Promise<unknown> | unknown) => {
      try {
        await step();
      } catch (e) {
        log.warn(`${what} failed: ${describeError(e)}`);
      }
    };
    await attempt('closing the history', () => recorder.close());
    const results: RunResults = { valid: 'unknown', status, reason, test: def, replay };
    await attempt('the history so far', () => {
      results.stats = runStats(history);
    });
    await attempt('writing results.json', () => writeResults(runDir, results));
    await attempt('pointing latest at the run', () => updateLatest(def.store, runDir));
    for (const r of this.run.reporters) {
      if (r.stopped) await attempt(`the ${r.name} reporter`, () => r.stopped!({ def, runDir, history, replay, results }));
    }
    log.error(`${ENDING[status]}: ${reason}`);
    log.close();
  }
}
