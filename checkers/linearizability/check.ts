import { availableParallelism } from 'node:os';
import { complete, type Completed } from '../history/complete.js';
import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import { modelFor } from '../models/index.js';
import type { Model, ModelSpec } from '../models/model.js';
import { checkPartition } from './check-partition.js';
import { partition, type Partition } from './prepare.js';
import type { CheckOptions, CheckResult, PartitionResult } from './result.js';
import { mergeValid } from './result.js';
import { STEP_BUDGET, type SearchBudget } from './wgl.js';

export type { CheckOptions, CheckResult } from './result.js';

export const DEFAULT_MEMORY_LIMIT = 2 * 1024 ** 3;
/**
 * Configurations a key may explore in the triage pass before it counts as hard. Most keys of a real history
 * finish in far fewer; copying a key to a worker thread costs more than checking an easy one.
 */
const TRIAGE_STEPS = 20_000;

/**
 * Checks a history for linearizability against a model in this thread. Bad input (an op the model does not know,
 * an ill-formed history) throws an InputError; everything else is a verdict.
 */
export function checkSync(history: History | Op[], spec: ModelSpec | string, opts: CheckOptions = {}): CheckResult {
  const start = performance.now();
  const { model, parts, stats, ops, modelSpec } = prepare(completeHistory(history), spec);
  const results = checkInThread(parts, model, budgetOf(opts, 1), opts);
  return summarize(modelSpec.name, ops, results, { ...stats, hardKeys: 0, threads: 1 }, performance.now() - start);
}

/**
 * The library API for the harness and the CLI. Keys are triaged in this thread (each may explore a few thousand
 * configurations); the keys that need a real search are then checked on worker threads, one per core, with the
 * memory budget split between them. The first key found not linearizable cancels every other search.
 */
export async function check(history: History | Op[], spec: ModelSpec | string, opts: CheckOptions = {}): Promise<CheckResult> {
  const start = performance.now();
  return checkCompleted(completeHistory(history), spec, opts, start);
}

/**
 * `check` for a history already completed (Completer): the CLI completes a file while reading it, so its ops are
 * never all held at once. `source` names the file in errors.
 */
export async function checkCompleted(
  completed: Completed & { source?: string },
  spec: ModelSpec | string,
  opts: CheckOptions = {},
  start = performance.now(),
): Promise<CheckResult> {
  const { model, parts, stats, ops, modelSpec } = prepare(completed, spec);
  const threads = opts.workers ?? availableParallelism();
  const done = (results: PartitionResult[], hardKeys = 0, used = 1) =>
    summarize(modelSpec.name, ops, results, { ...stats, hardKeys, threads: used }, performance.now() - start);
  if (threads <= 1 || parts.length <= 1) return done(checkInThread(parts, model, budgetOf(opts, 1), opts));

  const budget = budgetOf(opts, 1);
  const triaged = checkInThread(parts, model, { ...budget, maxExplored: opts.triageSteps ?? TRIAGE_STEPS }, opts);
  const hard = parts.filter((_, i) => triaged[i].unknownReason === STEP_BUDGET);
  const results = triaged.filter((r) => r.unknownReason !== STEP_BUDGET);
  if (hard.length === 0) return done(results);
  if (hard.length === 1) return done([...results, ...checkInThread(hard, model, budget, opts)], 1);
  const { checkInPool } = await import('./pool.js');
  const pooled = await checkInPool(hard, modelSpec, { ...budget, memoryLimitBytes: budget.memoryLimitBytes! / threads }, threads, opts.cancelOnInvalid !== false);
  return done([...results, ...pooled], hard.length, Math.min(threads, hard.length));
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

function prepare({ operations, stats, source }: Completed & { source?: string }, spec: ModelSpec | string) {
  const modelSpec = typeof spec === 'string' ? { name: spec } : spec;
  const model = modelFor(modelSpec);
  const parts: Partition[] = partition(operations, model, source);
  // Biggest keys first: they bound the wall time, so start them early.
  parts.sort((a, b) => b.ops.length - a.ops.length);
  return { model, parts, stats, ops: operations.length, modelSpec };
}

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
  base: ReturnType<typeof complete>['stats'] & { hardKeys: number; threads: number },
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
