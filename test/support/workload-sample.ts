import type { ClientOp } from '../../harness/runtime.js';
import { processGenerator, type Workload } from '../../workloads/workload.js';

/**
 * The first `n` ops a workload's generator makes for seed `seed`, drawn by process 0 alone and every op reported
 * `ok` (what a generator that follows outcomes sees of a healthy system).
 */
export function sampleOps(w: Workload, seed: number, n: number): ClientOp[] {
  const g = processGenerator(w.generator(seed));
  return Array.from({ length: n }, () => {
    const { op } = g.next(0);
    g.update?.(0, op, { type: 'ok' });
    return op;
  });
}
