import fc from 'fast-check';
import { z } from 'zod';
import type { ClientOp } from '../harness/runtime.js';
import type { Workload } from './workload.js';

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];
/** Few values, so that reads can tell writes apart only by when they happened: what makes anomalies visible. */
const value = fc.integer({ min: 0, max: 4 });
const key = fc.constantFrom(...KEYS);

/** read / write / cas over a handful of keys (Jepsen's linearizable-register workload). */
const op: fc.Arbitrary<ClientOp> = fc.oneof(
  { weight: 5, arbitrary: key.map((k): ClientOp => ({ f: 'read', key: k, value: null })) },
  { weight: 3, arbitrary: fc.tuple(key, value).map(([k, v]): ClientOp => ({ f: 'write', key: k, value: v })) },
  { weight: 2, arbitrary: fc.tuple(key, value, value).map(([k, a, b]): ClientOp => ({ f: 'cas', key: k, value: [a, b] })) },
);

/** fast-check draws ops in batches; each batch has its own seed, derived from the run's, so the stream is fixed. */
const BATCH = 1024;

export const register: Workload = {
  name: 'register',
  description: 'read, write and cas over 5 keys, checked as a cas-register per key',
  checker: 'linearizable',
  operations: { read: z.null(), write: z.int(), cas: z.tuple([z.int(), z.int()]) },
  model: 'cas-register',
  generator(seed) {
    let batch: ClientOp[] = [];
    let n = 0;
    let i = 0;
    return () => {
      if (i >= batch.length) {
        batch = fc.sample(op, { seed: (seed ^ Math.imul(++n, 0x9e3779b1)) | 0, numRuns: BATCH });
        i = 0;
      }
      return batch[i++];
    };
  },
  finalOps: () => KEYS.map((k) => ({ f: 'read', key: k, value: null })),
};
