import { usageError } from './errors.js';
import type { Format } from './formats/index.js';
import { splitIndependent } from './history/independent.js';
import { checkHistoryFile } from './linearizability/check-file.js';
import type { History } from './history/history.js';
import type { Op } from './history/op.js';
import { check, explainResult as explainLinearizable } from './linearizability/index.js';
import type { CheckOptions, CheckResult, Validity } from './linearizability/result.js';
import type { ModelRef, ModelSpec } from './models/model.js';
import { MODEL_NAMES } from './models/index.js';
import { checkSet, explainSet, type SetResult } from './set/index.js';
import { checkLock, explainLock, presentLock, summarizeLock, type LockResult } from './lock/index.js';
import { checkCache, explainCache, presentCache, summarizeCache, type CacheResult } from './cache/index.js';
import { checkLog, explainLog, presentLog, summarizeLog, type LogResult } from './log/index.js';
import { checkTwoPhaseCommit, explainTwoPhaseCommit, type TwoPhaseCommitResult } from './two-phase-commit/index.js';
import { presentLinearizable, summarizeLinearizable } from './linearizability/present.js';
import { presentSet, summarizeSet } from './set/present.js';
import { presentTwoPhaseCommit, summarizeTwoPhaseCommit } from './two-phase-commit/present.js';
import { PRESENT_LIMITS, type Presentation, type PresentLimits } from './presentation.js';

/** What every checker's result says, whatever else it carries (Jepsen's `{:valid? …}`). */
export interface CheckerVerdict {
  /** The name of the checker that gave it: the discriminant of CheckerResult. */
  checker: string;
  valid: Validity;
  /** Why the verdict is unknown. */
  unknownReason?: string;
  ms: number;
}

/** The linearizability checker's result, named. */
export type LinearizableResult = CheckResult & { checker: 'linearizable' };

/** Options for any checker; each reads the ones it knows. */
export interface CheckerOptions extends CheckOptions {
  /**
   * The model the history is held to (the linearizable checker; required there): a built-in's name or spec, a model
   * value, or a module to load it from (see checkers/models/model.ts ModelRef).
   */
  model?: ModelRef;
  /** The total of all balances (the 2pc checker; else its first ok read's total). */
  total?: number;
  /** Split Jepsen's independent `[key value]` tuples first (the linearizable checker only; history/independent.ts). */
  independent?: boolean;
}

/** A checker: pure, a history in, a verdict with evidence out; `explain` renders that verdict as prose. */
export interface Checker<R extends CheckerVerdict = CheckerVerdict> {
  readonly name: R['checker'];
  readonly description: string;
  /** Whether `options.model` must be given (default: no). */
  readonly needsModel?: boolean;
  check(history: History | Op[], options?: CheckerOptions): Promise<R>;
  explain(result: R): string;
  /**
   * The verdict as the report shows it (checkers/presentation.ts): facts, lists, tables, prose and the ops to mark,
   * from the result and the history it judged. Absent: the verdict and `explain`'s prose.
   */
  present?(result: R, history: readonly Op[], limits: PresentLimits): Presentation;
  /** The checker's own columns in the terminal's table (`faultline check`, the line after a run). Absent: none. */
  summarize?(result: R): [string, string | number][];
  /** How the terminal words a valid and an invalid verdict. Default: valid, INVALID. */
  readonly verdictWords?: readonly [valid: string, invalid: string];
  /** The result as `faultline check --json` prints it (default: the whole result). */
  toJson?(result: R): Record<string, unknown> & { ms: number };
  /**
   * The checker's own options from user input (`faultline check --checker-options <json>`), checked: a bad one is a
   * usage error. Absent: the checker takes none.
   */
  parseOptions(raw: Record<string, unknown>): CheckerOptions;
  /**
   * Checks a history file in one pass, holding what the checker needs rather than every op (optional: a checker
   * without it is given the history read whole). `clientOps` counts client invocations.
   */
  checkFile?(path: string, format: Format | undefined, options: CheckerOptions): Promise<{ result: R; format: string; clientOps: number }>;
}

/** The linearizable checker's model, which must be given. */
function needModel(model: CheckerOptions['model']): ModelRef {
  if (model === undefined) throw usageError(`the linearizable checker needs a model (one of: ${MODEL_NAMES.join(', ')}, or your own)`);
  return model;
}

/** Refuses every option (a checker that takes none): names the key, and where a model's options go. */
export function noOptions(name: string, hint = '') {
  return (raw: Record<string, unknown>): CheckerOptions => {
    const keys = Object.keys(raw);
    if (keys.length > 0) throw usageError(`the ${name} checker has no option '${keys[0]}' (known: none)${hint}`);
    return {};
  };
}

/** A usage error for --independent given to a checker other than the linearizable one. */
function notIndependent(name: string, options: CheckerOptions | undefined): void {
  if (options?.independent) throw usageError(`--independent applies to the linearizable checker, not to ${name}`);
}

export const linearizableChecker: Checker<LinearizableResult> = {
  name: 'linearizable',
  description: 'linearizability against a model (Knossos/Porcupine), per key',
  needsModel: true,
  async check(history, options = {}) {
    const { model, independent, ...opts } = options;
    const h: History | Op[] = independent ? splitIndependent(Array.isArray(history) ? { ops: history } : history) : history;
    return { checker: 'linearizable', ...(await check(h, needModel(model), opts)) };
  },
  async checkFile(path, format, options) {
    const { model, ...opts } = options;
    const { result, ...rest } = await checkHistoryFile(path, format, needModel(model), opts);
    return { result: { checker: 'linearizable', ...result }, ...rest };
  },
  explain: (r) => explainLinearizable(r),
  present: (r, history, limits) => presentLinearizable(r, history, limits),
  summarize: (r) => summarizeLinearizable(r),
  verdictWords: ['linearizable', 'NOT linearizable'],
  // Valid keys are only counted; an invalid or unknown verdict carries its evidence and which keys were unknown.
  toJson: (r) => ({
    checker: r.checker,
    valid: r.valid,
    model: r.model,
    ops: r.ops,
    keys: r.keys,
    ms: r.ms,
    ...(r.unknownReason && { unknownReason: r.unknownReason }),
    ...(r.valid !== true && {
      anomalies: r.anomalies,
      unknownKeys: r.partitions.filter((p) => p.valid === 'unknown').map((p) => ({ key: p.key ?? null, reason: p.unknownReason, explored: p.explored })),
    }),
    stats: r.stats,
  }),
  parseOptions: noOptions('linearizable', "; a model's options go in --model-options"),
};

export const setChecker: Checker<SetResult> = {
  name: 'set',
  description: "Jepsen's set: every acknowledged add is in the final read, and nothing else is",
  needsModel: false,
  check: async (history, options) => {
    notIndependent('set', options);
    return checkSet(history);
  },
  explain: (r) => explainSet(r),
  present: (r, _history, limits) => presentSet(r, limits),
  summarize: (r) => summarizeSet(r),
  parseOptions: noOptions('set'),
};

export const twoPhaseCommitChecker: Checker<TwoPhaseCommitResult> = {
  name: '2pc',
  description: 'atomic commitment of distributed transfers: all-or-nothing at their participants, none left in doubt, money conserved',
  needsModel: false,
  check: async (history, options = {}) => {
    notIndependent('2pc', options);
    return checkTwoPhaseCommit(history, options.total !== undefined ? { total: options.total } : {});
  },
  explain: (r) => explainTwoPhaseCommit(r),
  present: (r, _history, limits) => presentTwoPhaseCommit(r, limits),
  summarize: (r) => summarizeTwoPhaseCommit(r),
  parseOptions(raw) {
    const { total, ...rest } = raw;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw usageError(`the 2pc checker has no option '${unknown[0]}' (known: total)`);
    if (total !== undefined && (typeof total !== 'number' || !Number.isFinite(total))) throw usageError(`the 2pc checker's total must be a number, got ${JSON.stringify(total)}`);
    return total === undefined ? {} : { total };
  },
};

export const lockChecker: Checker<LockResult> = {
  name: 'lock',
  description: "a lock's protected resource: no acknowledged increment lost, fenced accesses in token order; mutual exclusion as the clients saw it beside it",
  needsModel: false,
  check: async (history, options) => {
    notIndependent('lock', options);
    return checkLock(history);
  },
  explain: (r) => explainLock(r),
  present: (r, history, limits) => presentLock(r, history, limits),
  summarize: (r) => summarizeLock(r),
  verdictWords: ['resource safe', 'resource UNSAFE'],
  parseOptions: noOptions('lock'),
};

export const cacheChecker: Checker<CacheResult> = {
  name: 'cache',
  description: 'a cache in front of a database: reads and writes linearizable per key (stale reads listed with their age), and the cache converged to the database after the faults; hit ratio and latencies beside it',
  needsModel: false,
  check: async (history, options) => {
    notIndependent('cache', options);
    return checkCache(history);
  },
  explain: (r) => explainCache(r),
  present: (r, history, limits) => presentCache(r, history, limits),
  summarize: (r) => summarizeCache(r),
  parseOptions: noOptions('cache'),
};

export const logChecker: Checker<LogResult> = {
  name: 'log',
  description: "a Kafka-style partitioned log, as Jepsen's Kafka checker judges one: no lost write, missing write, entry the consumer group never delivered, duplicate, inconsistent offset, nonmonotonic poll, skip or phantom",
  needsModel: false,
  check: async (history, options) => {
    notIndependent('log', options);
    return checkLog(history);
  },
  explain: (r) => explainLog(r),
  present: (r, history, limits) => presentLog(r, history, limits),
  summarize: (r) => summarizeLog(r),
  parseOptions: noOptions('log'),
};

/**
 * faultline's own checkers. They are registered in the harness's registry as a user's are (harness/builtins.ts);
 * adding one here makes its result part of CheckerResult.
 */
export const BUILTIN_CHECKERS = [linearizableChecker, setChecker, twoPhaseCommitChecker, lockChecker, cacheChecker, logChecker] as const;

/** faultline's own models, by their built-in specs: registered as a user's are (harness/builtins.ts). */
export const BUILTIN_MODELS: readonly ModelSpec[] = MODEL_NAMES.map((name) => ({ name }));

/** Any built-in checker's result, told apart by `checker` (a plugin's checker's result is a CheckerVerdict of its own). */
export type CheckerResult = ResultOf<(typeof BUILTIN_CHECKERS)[number]>;
type ResultOf<C> = C extends Checker<infer R> ? R : never;
export type CheckerName = CheckerResult['checker'];

/** A result as the linearizability checker's own API returns it (unnamed) or as any checker does (named). */
export function asCheckerResult(r: CheckerResult | CheckResult): CheckerResult {
  return typeof (r as Partial<CheckerVerdict>).checker === 'string' ? (r as CheckerResult) : { ...(r as CheckResult), checker: 'linearizable' };
}

/**
 * A checker result read back from a results.json: any checker's, a plugin's too (it names its checker). Results
 * stored before checkers had names were all the linearizability checker's; anything that is not a result at all is
 * undefined.
 */
export function storedResult(stored: unknown): CheckerResult | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const r = stored as Partial<CheckerVerdict> & Record<string, unknown>;
  if (typeof r.checker === 'string') return typeof r.ms === 'number' && 'valid' in r ? (r as unknown as CheckerResult) : undefined;
  if (typeof r.model === 'string' && Array.isArray(r.partitions)) return { ...(r as unknown as CheckResult), checker: 'linearizable' };
  return undefined;
}

/**
 * A verdict as the report shows it: the checker's own presentation, or, for a checker without one, its verdict and
 * its prose (so any checker's result has a section).
 */
export function presentationOf<R extends CheckerVerdict>(checker: Checker<R> | undefined, result: R, history: readonly Op[], limits: PresentLimits = PRESENT_LIMITS): Presentation {
  if (checker?.present) return checker.present(result, history, limits);
  const prose = checker ? checker.explain(result) : `The ${result.checker} checker's verdict: ${result.valid === true ? 'valid' : result.valid === false ? 'invalid' : 'unknown'}.`;
  return { title: `${result.checker} checker`, facts: [], findings: [], blocks: [{ kind: 'prose', text: prose }], marks: [] };
}
