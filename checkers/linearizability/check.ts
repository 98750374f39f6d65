// The clock is imported, not taken from the global: the global loads perf_hooks on first use, a few ms that
// would be charged to the first check of a process.
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { complete, type Completed } from '../history/complete.js';
import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import { resolveModel, type ResolvedModel } from '../models/index.js';
import { usageError } from '../errors.js';
import { isModelSource, loadModel, sourceText } from '../models/load.js';
import type { Model, ModelRef, ModelSource } from '../models/model.js';
import { checkPartition } from './check-partition.js';
import { partition, type Partition } from './prepare.js';
import type { CheckOptions, CheckResult, PartitionResult } from './result.js';
import { mergeValid } from './result.js';
import { STEP_BUDGET, type SearchBudget } from './wgl.js';

export type { CheckOptions, CheckResult } from './result.js';

export const DEFAULT_MEMORY_LIMIT = 2 * 1024 ** 3;
/**
 * Configurations every key may explore in the first round. Most keys of a real history finish in far fewer, and a
 * small first budget lets a key refuted in a few hundred steps be found before a key no budget decides has spent
 * much (Porcupine's c50-bad.txt: key 4 is refuted in 25 configurations, key 0 is never decided). A big key gets
 * at least two per op in every round (checkPartition, which knows its size, on a thread or in a worker).
 */
const FIRST_ROUND = 500;
/**
 * Rounds with smaller budgets than this stay in this thread: copying keys to worker threads, which start cold,
 * costs more than checking a key that finishes in this many configurations. The keys still undecided are "hard".
 */
const TRIAGE_STEPS = 20_000;

/**
 * Checks a history for linearizability against a model in this thread: a built-in's name (or name and options) or a
 * model value (a module must be loaded first: `check` does, or loadModel). Bad input (an op the model does not
 * know, an ill-formed history, a malformed model) throws an InputError; everything else is a verdict.
 */
export function checkSync(history: History | Op[], ref: ModelRef, opts: CheckOptions = {}): CheckResult {
  const start = performance.now();
  const { model, parts, stats, ops, name } = prepare(completeHistory(history), resolveModel(ref));
  const budget = budgetOf(opts, 1);
  const search = rounds(parts, model, budget, opts);
  let round = search.next();
  while (!round.done) round = search.next(checkInThread(round.value.keys, model, { ...budget, maxExplored: round.value.steps }, opts));
  const { results, hardKeys } = round.value;
  return summarize(name, ops, results, { ...stats, hardKeys, threads: 1 }, performance.now() - start);
}

/**
 * The library API for the harness and the CLI. Keys are triaged in this thread (each may explore a few thousand
 * configurations); the keys that need a real search are then checked on worker threads, one per core, with the
 * memory budget split between them. The first key found not linearizable cancels every other search.
 *
 * The model is a built-in's name (or name and options), a model value, or a module to load it from (ModelSource).
 * Worker threads cannot be handed a model value, only told how to build it: a built-in by name, a model from its
 * module (`source`, which defineModel and loadModel set). A model value without a source is searched in this
 * thread alone, as with `workers: 1`, and the result says so (`stats.mainThreadOnly`).
 */
export async function check(history: History | Op[], ref: ModelRef, opts: CheckOptions = {}): Promise<CheckResult> {
  const start = performance.now();
  return checkCompleted(completeHistory(history), ref, opts, start);
}

/**
 * `check` for a history already completed (Completer): the CLI completes a file while reading it, so its ops are
 * never all held at once. `source` names the file in errors.
 */
export async function checkCompleted(
  completed: Completed & { source?: string },
  ref: ModelRef,
  opts: CheckOptions = {},
  start = performance.now(),
): Promise<CheckResult> {
  const resolved = resolveModel(isModelSource(ref) ? await loadModel(ref) : ref);
  const { model, parts, stats, ops, name, rebuild } = prepare(completed, resolved);
  const cores = availableParallelism();
  const requested = opts.workers ?? cores;
  // A thread beyond the keys has nothing to search, and one beyond the cores only waits for one: each costs its
  // start-up and a share of the memory budget. So the threads are capped at both, and the result says so.
  const asked = Math.max(1, Math.min(requested, parts.length, cores));
  const threadsCapped = asked < requested && opts.workers !== undefined ? cappedWhy(requested, asked, parts.length, cores) : undefined;
  // Workers build the model again from its name or module; a model value that has neither stays in this thread.
  const threads = rebuild === undefined ? 1 : asked;
  const mainThreadOnly = asked > 1 && rebuild === undefined ? NO_SOURCE : undefined;
  if (threads > 1 && isModelSource(rebuild!)) await sameModel(rebuild, model);
  const done = (results: PartitionResult[], hardKeys: number, used: number) =>
    summarize(name, ops, results, { ...stats, hardKeys, threads: used, ...(mainThreadOnly && { mainThreadOnly }), ...(threadsCapped && { threadsCapped }) }, performance.now() - start);
  const budget = budgetOf(opts, 1);
  const search = rounds(parts, model, budget, opts);
  let used = 1;
  let round = search.next();
  while (!round.done) {
    const { keys, steps } = round.value;
    if (threads <= 1 || keys.length === 1) {
      round = search.next(checkInThread(keys, model, { ...budget, maxExplored: steps }, opts));
    } else {
      const { checkInPool } = await import('./pool.js');
      const shared = { ...budget, maxExplored: steps, memoryLimitBytes: budget.memoryLimitBytes! / threads };
      used = Math.max(used, Math.min(threads, keys.length));
      round = search.next(await checkInPool(keys, rebuild!, shared, threads, opts.cancelOnInvalid !== false));
    }
  }
  return done(round.value.results, round.value.hardKeys, used);
}

/**
 * Keys are searched in rounds, each undecided key with a step budget four times the last (restarting it): one key
 * that no budget decides cannot starve a key refuted in a few steps, in one thread as on many (Porcupine gets the
 * same by running every key at once). Restarts cost at most a third more steps than one search per key; past 2^40
 * steps the budget is unbounded (time and memory still bound it).
 */
const ESCALATION = 4;
const escalate = (steps: number) => (steps * ESCALATION > 2 ** 40 ? Infinity : Math.max(1, steps) * ESCALATION);

/**
 * The rounds, written once for every mode. Rounds below the triage budget run here, from FIRST_ROUND up; each later
 * one is yielded as the keys still undecided and their budget, and the caller sends back their results, from this
 * thread or from the pool. Returns one result per key and how many keys the triage left undecided.
 */
function* rounds(
  parts: Partition[],
  model: Model<unknown>,
  budget: SearchBudget,
  opts: CheckOptions,
): Generator<{ keys: Partition[]; steps: number }, { results: PartitionResult[]; hardKeys: number }, PartitionResult[]> {
  const triage = opts.triageSteps ?? TRIAGE_STEPS;
  const results: PartitionResult[] = [];
  let steps = Math.min(FIRST_ROUND, triage);
  let hard = parts;
  while (hard.length > 0 && steps < triage) {
    hard = undecided(hard, checkInThread(hard, model, { ...budget, maxExplored: steps }, opts), results);
    steps = Math.min(escalate(steps), triage);
  }
  const hardKeys = hard.length;
  while (hard.length > 0) {
    hard = undecided(hard, yield { keys: hard, steps }, results);
    steps = escalate(steps);
  }
  return { results, hardKeys };
}

/** The keys this round did not decide; the others' results go to `results`. */
function undecided(keys: Partition[], round: PartitionResult[], results: PartitionResult[]): Partition[] {
  const still: Partition[] = [];
  round.forEach((r, i) => (r.unknownReason === STEP_BUDGET ? still.push(keys[i]) : results.push(r)));
  return still;
}

function checkInThread(parts: Partition[], model: Model<unknown>, budget: SearchBudget, opts: CheckOptions): PartitionResult[] {
  return parts.map((p) => {
    const r = checkPartition(p, model, budget);
    if (r.valid === false && opts.cancelOnInvalid !== false) Atomics.store(budget.cancel!, 0, 1);
    return r;
  });
}

function completeHistory(history: History | Op[]): Completed & { source?: string } {
  const h: History = Array.isArray(history) ? { ops: history } : history;
  return { ...complete(h), source: h.source };
}

function prepare({ operations, stats, source }: Completed & { source?: string }, { model, name, rebuild }: ResolvedModel) {
  const parts: Partition[] = partition(operations, model, source);
  // Biggest keys first: they bound the wall time, so start them early.
  parts.sort((a, b) => b.ops.length - a.ops.length);
  return { model, parts, stats, ops: operations.length, name, rebuild };
}

/**
 * A model's source is loaded here before any worker does, so that a wrong export is a usage error now, not a
 * worker's crash later; and it must give a model of the same name, or workers would check another model.
 */
async function sameModel(source: ModelSource, model: Model<unknown>): Promise<void> {
  const loaded = await loadModel(source);
  const name = model.name ?? source.export ?? 'default';
  if (loaded.name !== name) {
    throw usageError(`model ${name}: its source ${sourceText(source)} gives a model named '${loaded.name}', so worker threads would check another model`);
  }
}

/** `workers: 64 asked, at most 2 used (2 keys)`: why fewer threads were started than were asked for. */
function cappedWhy(requested: number, cap: number, keys: number, cores: number): string {
  const by = cap === keys ? `${keys} ${keys === 1 ? 'key' : 'keys'}` : `${cores} ${cores === 1 ? 'core' : 'cores'}`;
  return `workers: ${requested} asked, at most ${cap} used (${by})`;
}

/** Why a check ran in this thread alone although more were allowed (CheckResult.stats.mainThreadOnly). */
export const NO_SOURCE = 'the model is a value without a source (defineModel): worker threads cannot build it';

/** One budget for every key, with the shared flag that cancels them all. */
function budgetOf(opts: CheckOptions, threads: number): SearchBudget {
  const memory = opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT;
  const b: SearchBudget = {
    memoryLimitBytes: memory / threads,
    candidates: opts.candidates ?? 3,
    cancel: new Int32Array(new SharedArrayBuffer(4)),
  };
  if (opts.timeLimitMs !== undefined) b.deadline = Date.now() + opts.timeLimitMs;
  return b;
}

function summarize(
  model: string,
  ops: number,
  results: PartitionResult[],
  base: ReturnType<typeof complete>['stats'] & { hardKeys: number; threads: number; mainThreadOnly?: string; threadsCapped?: string },
  ms: number,
): CheckResult {
  let valid: CheckResult['valid'] = true;
  const stats = { ...base, validKeys: 0, unknownKeys: 0, invalidKeys: 0 };
  for (const r of results) {
    valid = mergeValid(valid, r.valid);
    if (r.valid === true) stats.validKeys++;
    else if (r.valid === false) stats.invalidKeys++;
    else stats.unknownKeys++;
  }
  const partitions = results.filter((r) => r.valid !== true);
  const anomalies = partitions.flatMap((r) => (r.anomaly ? [r.anomaly] : []));
  const result: CheckResult = { valid, model, ops, keys: results.length, ms, anomalies, partitions, stats };
  const unknown = partitions.find((r) => r.valid === 'unknown' && r.unknownReason !== 'cancelled') ?? partitions.find((r) => r.valid === 'unknown');
  if (valid === 'unknown' && unknown?.unknownReason) result.unknownReason = unknown.unknownReason;
  return result;
}
