import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import { check as checkLinearizable } from '../linearizability/index.js';
import type { CheckResult, Validity } from '../linearizability/result.js';
import { mergeValid } from '../linearizability/result.js';
import { convergence } from './convergence.js';
import { figures } from './figures.js';
import { keyOf, keyText, readCacheHistory, type CacheHistory } from './history.js';
import type { CacheResult } from './result.js';
import { staleReads } from './stale.js';

/** Stale reads kept as evidence: the count and the figures stay exact. */
const MAX_LISTED = 1_000;

/**
 * Checks a cache-aside history (workloads/cache.ts) against each of its guarantees, kept apart:
 * - linearizable: the reads and writes, per key, under the register model (faultline's linearizability checker,
 *   the path the register workload takes: the model partitions by key);
 * - stale reads: reads of a value overwritten for certain before they began, with the age of what they served
 *   (a sound subset of the linearizability violations: any makes `linearizable` false);
 * - converged: after the faults healed, every written key's cache agreed with its database (the settles).
 * valid = linearizable ∧ converged; the figures (hit ratio, latencies, ages) are reported, never judged.
 */
export async function checkCache(history: History | Op[]): Promise<CacheResult> {
  const start = performance.now();
  const h = readCacheHistory(history);
  const stale = staleReads(h);
  const lin = await checkLinearizable(registerHistory(h, history), 'register', { cancelOnInvalid: false });
  const linearizable = linearizableVerdict(lin, stale.map((s) => s.key));
  const conv = convergence(h);
  const valid = mergeValid(linearizable, conv.converged);
  const unknownReason = valid !== 'unknown' ? undefined : linearizable === 'unknown' ? `linearizability unknown: ${lin.unknownReason ?? 'the search was cut short'}` : conv.unknownReason;
  return {
    checker: 'cache',
    valid,
    ...(unknownReason !== undefined && { unknownReason }),
    ops: h.clientOps,
    linearizable,
    linearizability: lin,
    staleReads: stale.slice(0, MAX_LISTED),
    staleReadCount: stale.length,
    converged: conv.converged,
    convergence: conv.keys,
    ...(conv.maxStaleMs !== undefined && { maxStaleMs: conv.maxStaleMs }),
    figures: figures(h, stale),
    ms: performance.now() - start,
  };
}

/**
 * The reads and writes alone, as they were (indices, times, source lines): the register model's history, so the
 * linearizability checker's evidence names the ops of the whole history.
 */
function registerHistory(h: CacheHistory, history: History | Op[]): History {
  const whole: History = Array.isArray(history) ? { ops: history } : history;
  const ops = h.registerPositions.map((p) => whole.ops[p]);
  const lines = h.registerPositions.map((p) => h.calls.lineOf(p));
  return { ops, lines, ...(whole.source !== undefined && { source: whole.source }) };
}

/**
 * A stale read is a linearizability violation for certain, so any makes `linearizable` false even where the search
 * ran out of budget. The search finding a key with a stale read linearizable would mean one of the two is wrong:
 * that is faultline's bug, and it says so rather than report either.
 */
export function linearizableVerdict(lin: CheckResult, staleKeys: readonly unknown[]): Validity {
  if (staleKeys.length === 0) return lin.valid;
  const judged = new Map(lin.partitions.map((p) => [keyOf(p.key), p.valid]));
  for (const k of staleKeys) {
    if ((judged.get(keyOf(k)) ?? true) === true) {
      throw new Error(`cache checker: a stale read of ${keyText(k)} is certain, yet the linearizability checker found ${keyText(k)} linearizable (a bug in one of them)`);
    }
  }
  return false;
}
