import { performance } from 'node:perf_hooks';
import type { Model } from '../models/model.js';
import { expandCrashed } from './alternatives.js';
import { anomalyOf } from './evidence.js';
import type { Partition } from './prepare.js';
import type { PartitionResult } from './result.js';
import type { SearchBudget } from './wgl.js';
import { search } from './wgl.js';

/** Configurations per op every round allows a key, whatever the round's budget. */
const OPS_BUDGET = 2;

/** Checks one key; never throws (a checker bug becomes 'unknown' with the reason, as Jepsen's check-safe). */
export function checkPartition(p: Partition, model: Model<unknown>, budget: SearchBudget): PartitionResult {
  const start = performance.now();
  const base = { ops: p.ops.length, ...(p.key !== undefined ? { key: p.key } : {}) };
  try {
    if (budget.cancel && Atomics.load(budget.cancel, 0) !== 0) {
      return { ...base, valid: 'unknown', unknownReason: 'cancelled', explored: 0, cached: 0, ms: 0 };
    }
    const { ops, group } = expandCrashed(p.ops, model);
    // A linearization explores at least one configuration per op: a round's budget below two per op would only
    // restart a big key that is not hard at all (1,000-op keys of a million-op history).
    const maxExplored = budget.maxExplored === undefined ? undefined : Math.max(budget.maxExplored, OPS_BUDGET * ops.length);
    const out = search(ops, model, { ...budget, maxExplored, evidence: false }, group);
    const r: PartitionResult = { ...base, valid: out.valid, explored: out.explored, cached: out.cached, ms: 0 };
    if (out.unknownReason) r.unknownReason = out.unknownReason;
    if (out.valid === false) {
      // The same search again, this time keeping evidence: it takes the same path, so it ends the same way, at
      // no more cost than the first. Only the memory budget applies: the verdict is known, the evidence is owed.
      const again = search(ops, model, { memoryLimitBytes: budget.memoryLimitBytes, candidates: budget.candidates }, group);
      if (again.valid !== false) throw new Error(`the evidence search of key ${String(p.key)} ended ${String(again.valid)}, not false`);
      r.anomaly = anomalyOf(ops, model, again, p.key);
    }
    r.ms = performance.now() - start;
    return r;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { ...base, valid: 'unknown', unknownReason: `checker error: ${why}`, explored: 0, cached: 0, ms: performance.now() - start };
  }
}
