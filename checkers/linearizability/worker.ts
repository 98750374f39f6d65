import { modelFor } from '../models/index.js';
import { isModelSource, loadModel } from '../models/load.js';
import type { Model } from '../models/model.js';
import { checkPartition } from './check-partition.js';
import type { PoolTask } from './pool.js';
import type { PartitionResult } from './result.js';
import { fromWire, stripped } from './wire.js';

/**
 * A worker thread's task: build the model again (a built-in by name; a user's model by importing its module, which
 * Node does once per thread), check each key of the batch.
 */
export default function run(task: PoolTask): PartitionResult[] | Promise<PartitionResult[]> {
  if (isModelSource(task.model)) return loadModel(task.model).then((model) => checkBatch(task, model));
  return checkBatch(task, modelFor(task.model));
}

function checkBatch(task: PoolTask, model: Model<unknown>): PartitionResult[] {
  const results = fromWire(task.partitions).map((p) => {
    const r = checkPartition(p, model, task.budget);
    if (r.valid === false && task.cancelOnInvalid) Atomics.store(task.budget.cancel!, 0, 1);
    return r;
  });
  return stripped(results);
}
