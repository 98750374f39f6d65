import { z } from 'zod';
import type { ClientOp } from '../harness/runtime.js';
import type { Workload } from './workload.js';

/**
 * Jepsen's set workload: every op adds a new integer, 0, 1, 2, …, and after the faults are healed one read returns
 * the whole set; the set checker then looks for acknowledged adds the read lost. The generator is the one stream
 * every process takes its ops from, so one counter keeps the elements unique across processes (a fresh process
 * after an info gets the next number, never a repeat). No key: the set is the target's one set (a fixed Redis key,
 * say). Nothing is random, so the seed changes nothing here; the schedule around the adds is seeded by the run.
 */
export const set: Workload = {
  name: 'set',
  description: 'add unique integers to one set, read it once at the end; checked by the set checker (lost adds)',
  checker: 'set',
  operations: { add: z.int().min(0), read: z.null() },
  generator() {
    let next = 0;
    return (): ClientOp => ({ f: 'add', value: next++ });
  },
  finalOps: () => [{ f: 'read', value: null }],
};
