import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ModelSource, ModelSpec } from '../models/model.js';
import type { Partition } from './prepare.js';
import type { PartitionResult } from './result.js';
import type { SearchBudget } from './wgl.js';
import { restore, toWire } from './wire.js';

/** Keys are sent in batches of about this many operations, so small keys do not pay a message each. */
const BATCH_OPS = 4_000;

export interface PoolTask {
  /** How the worker builds the model: a built-in by name, or a user's model from its module. */
  model: ModelSpec | ModelSource;
  partitions: Partition[];
  budget: SearchBudget;
  cancelOnInvalid: boolean;
}

/**
 * The pools, one per thread count, kept for the life of the process. Workers are started once: a pool per check
 * started and terminated threads hundreds of times in a run of the test suite, and terminating a worker while V8
 * still compiles for it on a background thread can abort Node 20 (`NodePlatform::ForIsolate`, seen once in CI).
 * Piscina unrefs idle workers, so the pools do not keep the process alive.
 */
const pools = new Map<number, Piscina>();

function poolOf(threads: number): Piscina {
  let pool = pools.get(threads);
  if (!pool) {
    pool = new Piscina({ filename: fileURLToPath(new URL('./worker.js', import.meta.url)), minThreads: threads, maxThreads: threads });
    pools.set(threads, pool);
  }
  return pool;
}

/**
 * Checks keys on worker threads. The cancel flag lives in shared memory, so when one key is illegal every search
 * still running sees it within a few thousand steps and queued batches return at once.
 */
export async function checkInPool(
  parts: Partition[],
  model: ModelSpec | ModelSource,
  budget: SearchBudget,
  threads: number,
  cancelOnInvalid: boolean,
): Promise<PartitionResult[]> {
  const pool = poolOf(threads);
  const batches: Partition[][] = [];
  let batch: Partition[] = [];
  let size = 0;
  for (const p of parts) {
    batch.push(p);
    size += p.ops.length;
    if (size >= BATCH_OPS) {
      batches.push(batch);
      batch = [];
      size = 0;
    }
  }
  if (batch.length) batches.push(batch);
  const results = await Promise.all(
    batches.map(async (partitions) => {
      const rs: PartitionResult[] = await pool.run({ model, partitions: toWire(partitions), budget, cancelOnInvalid } satisfies PoolTask);
      if (cancelOnInvalid && rs.some((r) => r.valid === false)) Atomics.store(budget.cancel!, 0, 1);
      return restore(rs, partitions);
    }),
  );
  return results.flat();
}
