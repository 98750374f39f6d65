import { modelFor } from '../models/index.js';
import { checkPartition } from './check-partition.js';
import type { PoolTask } from './pool.js';
import type { PartitionResult } from './result.js';
import { fromWire, stripped } from './wire.js';

/** A worker thread's task: rebuild the model by name, check each key of the batch. */
export default function run(task: PoolTask): PartitionResult[] {
  const model = modelFor(task.model);
  const results = fromWire(task.partitions).map((p) => {
    const r = checkPartition(p, model, task.budget);
    if (r.valid === false && task.cancelOnInvalid) Atomics.store(task.budget.cancel!, 0, 1);
    return r;
  });
  return stripped(results);
}
