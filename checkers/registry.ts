import { usageError } from './errors.js';
import type { Format } from './formats/index.js';
import { splitIndependent } from './history/independent.js';
import { checkHistoryFile } from './linearizability/check-file.js';
import type { History } from './history/history.js';
import type { Op } from './history/op.js';
import { check, explainResult as explainLinearizable } from './linearizability/index.js';
import type { CheckOptions, CheckResult, Validity } from './linearizability/result.js';
import type { ModelRef } from './models/model.js';
import { MODEL_NAMES } from './models/index.js';
import { checkSet, explainSet, type SetResult } from './set/index.js';
import { checkTwoPhaseCommit, explainTwoPhaseCommit, type TwoPhaseCommitResult } from './two-phase-commit/index.js';

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
  /** Whether `options.model` must be given. */
  readonly needsModel: boolean;
  check(history: History | Op[], options?: CheckerOptions): Promise<R>;
  explain(result: R): string;
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
function noOptions(name: string, hint = '') {
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

const linearizable: Checker<LinearizableResult> = {
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
  parseOptions: noOptions('linearizable', "; a model's options go in --model-options"),
};

const set: Checker<SetResult> = {
  name: 'set',
  description: "Jepsen's set: every acknowledged add is in the final read, and nothing else is",
  needsModel: false,
  check: async (history, options) => {
    notIndependent('set', options);
    return checkSet(history);
  },
  explain: (r) => explainSet(r),
  parseOptions: noOptions('set'),
};

const twoPhaseCommit: Checker<TwoPhaseCommitResult> = {
  name: '2pc',
  description: 'atomic commitment of distributed transfers: all-or-nothing at their participants, none left in doubt, money conserved',
  needsModel: false,
  check: async (history, options = {}) => {
    notIndependent('2pc', options);
    return checkTwoPhaseCommit(history, options.total !== undefined ? { total: options.total } : {});
  },
  explain: (r) => explainTwoPhaseCommit(r),
  parseOptions(raw) {
    const { total, ...rest } = raw;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw usageError(`the 2pc checker has no option '${unknown[0]}' (known: total)`);
    if (total !== undefined && (typeof total !== 'number' || !Number.isFinite(total))) throw usageError(`the 2pc checker's total must be a number, got ${JSON.stringify(total)}`);
    return total === undefined ? {} : { total };
  },
};

/** Every checker. Adding one is adding it here: its result joins CheckerResult by itself. */
const ALL = [linearizable, set, twoPhaseCommit] as const;

/** Any checker's result, told apart by `checker`. */
export type CheckerResult = ResultOf<(typeof ALL)[number]>;
type ResultOf<C> = C extends Checker<infer R> ? R : never;
export type CheckerName = CheckerResult['checker'];

/** Every checker by the name workloads and `--checker` use. */
export const CHECKERS: ReadonlyMap<string, Checker<CheckerResult>> = new Map(ALL.map((c) => [c.name, c as Checker<CheckerResult>]));
export const CHECKER_NAMES: readonly CheckerName[] = ALL.map((c) => c.name);

/** The checker of that name; an unknown name is a usage error naming the known ones. */
export function checkerFor(name: string): Checker<CheckerResult> {
  const c = CHECKERS.get(name);
  if (!c) throw usageError(`unknown checker '${name}' (known: ${CHECKER_NAMES.join(', ')})`);
  return c;
}

/** Any result as prose, by the checker that gave it. */
export function explainResult(result: CheckerResult): string {
  return checkerFor(result.checker).explain(result);
}

/** A result as the linearizability checker's own API returns it (unnamed) or as any checker does (named). */
export function asCheckerResult(r: CheckerResult | CheckResult): CheckerResult {
  return typeof (r as Partial<CheckerVerdict>).checker === 'string' ? (r as CheckerResult) : { ...(r as CheckResult), checker: 'linearizable' };
}

/**
 * A checker result read back from a results.json. Results stored before checkers had names were all the
 * linearizability checker's; anything that is not a result at all is undefined.
 */
export function storedResult(stored: unknown): CheckerResult | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const r = stored as Partial<CheckerVerdict> & Record<string, unknown>;
  if (typeof r.checker === 'string') return CHECKERS.has(r.checker) ? (r as unknown as CheckerResult) : undefined;
  if (typeof r.model === 'string' && Array.isArray(r.partitions)) return { ...(r as unknown as CheckResult), checker: 'linearizable' };
  return undefined;
}
