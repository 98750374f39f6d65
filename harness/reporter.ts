import type { Op } from '../checkers/history/op.js';
import type { Checker, CheckerVerdict } from '../checkers/registry.js';
import type { TestDefinition } from './config/index.js';
import type { Observations } from './observations.js';
import type { RunResults, RunStats } from './store/index.js';

/** A run once it is over and its results are stored: what a reporter writes from. */
export interface FinishedRun {
  readonly def: TestDefinition;
  readonly runDir: string;
  readonly history: readonly Op[];
  /** The checker that judged the run, and its result. */
  readonly checker: Checker<CheckerVerdict>;
  readonly result: CheckerVerdict;
  readonly stats: RunStats;
  /** What the target saw, as figures (results.json's `observations`), when it observed anything. */
  readonly observations?: Observations;
  readonly replay: string;
  /** What results.json holds. */
  readonly results: RunResults;
}

/**
 * A run that ended without a verdict (results.json's status is `error`, `interrupted` or `crashed`): its record is
 * stored, with the history it got to write, and nothing was checked.
 */
export interface StoppedRun {
  readonly def: TestDefinition;
  readonly runDir: string;
  readonly history: readonly Op[];
  readonly replay: string;
  /** What results.json holds (its `status` and `reason` say how the run ended). */
  readonly results: RunResults;
}

/**
 * Writes something of a finished run (the HTML report, the store's index, a JUnit file), as Jepsen's checkers that
 * write files do. The harness knows only this: reports/ implements it, and whoever starts a run chooses which run.
 * Returns the path it wrote, if any.
 */
export interface Reporter {
  readonly name: string;
  write(run: FinishedRun): Promise<string | undefined>;
  /** Writes what it has of a run that ended without a verdict (the store's index lists it); absent, nothing. */
  stopped?(run: StoppedRun): Promise<string | undefined>;
}
