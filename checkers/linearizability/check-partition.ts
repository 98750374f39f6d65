import type { Model } from '../models/model.js';
import { expandCrashed } from './alternatives.js';
import { anomalyOf } from './evidence.js';
import type { Partition } from './prepare.js';
import type { PartitionResult } from './result.js';
import type { SearchBudget } from './wgl.js';
import { search } from './wgl.js';

/** Checks one key; never throws (a checker bug becomes 'unknown' with the reason, as Jepsen's check-safe). */
export function checkPartition(p: Partition, model: Model<unknown>, budget: SearchBudget): PartitionResult {
  const start = performance.now();
  const base = { ops: p.ops.length, ...(p.key !== undefined ? { key: p.key } : {}) };
  try {
    if (budget.cancel && Atomics.load(budget.cancel, 0) !== 0) {
      return { ...base, valid: 'unknown', unknownReason: 'cancelled', explored: 0, cached: 0, ms: 0 };
    }
    const { ops, group } = expandCrashed(p.ops, model);
    const out = search(ops, model, budget, group);
    const r: PartitionResult = { ...base, valid: out.valid, explored: out.explored, cached: out.cached, ms: performance.now() - start };
    if (out.unknownReason) r.unknownReason = out.unknownReason;
    if (out.valid === false) r.anomaly = anomalyOf(ops, model, out, p.key);
    return r;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { ...base, valid: 'unknown', unknownReason: `checker error: ${why}`, explored: 0, cached: 0, ms: performance.now() - start };
  }
}
