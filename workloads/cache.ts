import { z } from 'zod';
import { Rng } from '../harness/rng.js';
import type { ClientOp } from '../harness/runtime.js';
import type { Workload } from './workload.js';

/** The keys the cache sits in front of: few, so that reads meet recent writes (and a stale fill) often. */
export const CACHE_KEYS = ['k0', 'k1', 'k2', 'k3'] as const;
/** One op in this many is a write: reads dominate, as in front of any cache worth having (about 3:1). */
const WRITE_EVERY = 4;

/**
 * Cache-aside over a database (issue 19): reads of a key go to the cache, and on a miss to the database, filling the
 * cache; writes go to the database, then invalidate (or update) the cache. Every write's value is new (one counter
 * for every process, from 1, as the set workload's), so a read names the very write it saw and a stale one is
 * certain. After the faults, one `settle` per key waits for the cache to agree with the database.
 */
export const cache: Workload = {
  name: 'cache',
  description:
    'reads and writes (about 3:1) of 4 keys through a cache in front of a database, every written value unique; after the faults, a settle per key waits for the cache to agree with the database; checked by the cache checker (linearizable, stale reads with their age, convergence, hit ratio)',
  checker: 'cache',
  operations: { read: z.null(), write: z.int(), settle: z.null() },
  generator(seed) {
    const rng = new Rng(seed);
    let next = 1;
    return (): ClientOp => {
      const key = rng.pick(CACHE_KEYS);
      return rng.int(WRITE_EVERY) === 0 ? { f: 'write', key, value: next++ } : { f: 'read', key, value: null };
    };
  },
  finalOps: () => CACHE_KEYS.map((key) => ({ f: 'settle', key, value: null })),
};
