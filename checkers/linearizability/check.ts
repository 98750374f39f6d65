import { availableParallelism } from 'node:os';
import { complete } from '../history/complete.js';
import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import { modelFor } from '../models/index.js';
import type { Model, ModelSpec } from '../models/model.js';
import { checkPartition } from './check-partition.js';
import { partition, type Partition } from './prepare.js';
import type { CheckOptions, CheckResult, PartitionResult } from './result.js';
import { mergeValid } from './result.js';
import type { SearchBudget } from './wgl.js';

export type { CheckOptions, CheckResult } from './result.js';

/** Below this many operations, worker start-up costs more than it saves. */
const PARALLEL_THRESHOLD = 20_000;
export const DEFAULT_MEMORY_LIMIT = 2 * 1024 ** 3;

/**
 * Checks a history for linearizability against a model in this thread. Bad input (an op the model does not know,
 * an ill-formed history) throws an InputError; everything else is a verdict.
 */
export function checkSync(history: History | Op[], spec: ModelSpec | string, opts: CheckOptions = {}): CheckResult {
  const start = performance.now();
  const { model, parts, stats, ops, modelSpec } = prepare(history, spec);
  const results = checkInThread(parts, model, opts);
  return summarize(modelSpec.name, ops, results, stats, performance.now() - start);
}

/**
 * The library API for the harness and the CLI: like checkSync, but keys are checked on worker threads (one per
 * core) when the history is large enough, and the first illegal key cancels the others.
 */
export async function check(history: History | Op[], spec: ModelSpec | string, opts: CheckOptions = {}): Promise<CheckResult> {
  const start = performance.now();
  const prepared = prepare(history, spec);
  const { parts, stats, ops, modelSpec } = prepared;
  const workers = opts.workers ?? (ops >= PARALLEL_THRESHOLD && parts.length > 1 ? availableParallelism() : 0);
  if (workers <= 1 || parts.length <= 1) {
    return summarize(modelSpec.name, ops, checkInThread(parts, prepared.model, opts), stats, performance.now() - start);
  }
  const { checkInPool } = await import('./pool.js');
  const results = await checkInPool(parts, modelSpec, budgetOf(opts, workers), workers, opts.cancelOnInvalid !== false);
  return summarize(modelSpec.name, ops, results, stats, performance.now() - start);
}

function checkInThread(parts: Partition[], model: Model<unknown>, opts: CheckOptions): PartitionResult[] {
  const budget = budgetOf(opts, 1);
  return parts.map((p) => {
    const r = checkPartition(p, model, budget);
    if (r.valid === false && opts.cancelOnInvalid !== false) budget.cancel![0] = 1;
    return r;
  });
}

function prepare(history: History | Op[], spec: ModelSpec | string) {
  const h: History = Array.isArray(history) ? { ops: history } : history;
  const modelSpec = typeof spec === 'string' ? { name: spec } : spec;
  const model = modelFor(modelSpec);
  const { operations, stats } = complete(h);
  const parts: Partition[] = partition(operations, model, h.source);
  // Biggest keys first: they bound the wall time, so start them early.
  parts.sort((a, b) => b.ops.length - a.ops.length);
  return { model, parts, stats, ops: operations.length, modelSpec };
}

/** One budget for every key; the memory budget is split between the threads searching at once. */
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
  base: ReturnType<typeof complete>['stats'],
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
