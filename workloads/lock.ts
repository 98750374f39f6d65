import { z } from 'zod';
import type { ClientOp, Completion } from '../harness/runtime.js';
import type { ProcessGenerator, Workload } from './workload.js';

/**
 * The lock the processes contend for (one: every process wants it, as in the seeds' code). The history's `key` is
 * the lock: the resource it protects is a counter of the same key.
 */
export const LOCK_KEYS = [0] as const;
/**
 * How long a holder waits between reading the resource and writing it back (the "pause" of a read-modify-write).
 * A holder spends most of its hold here, so a stall of the process (pause-client) lands inside the critical section,
 * and a second holder who acquired meanwhile reads the same value.
 */
export const HOLD_MS = 100;

/** What a process does next: Jepsen's lock workload, one critical section after another. */
type Step = 'acquire' | 'read' | 'write' | 'release';

/**
 * Each process in turn: acquire the lock (the client retries until its timeout), read the protected counter, wait,
 * write back what it read plus one, release. A failed acquire is tried again; a read or write the resource refused
 * (fenced) goes on to the release; an `info` retires the process, and its successor starts by acquiring.
 */
function lockGenerator(): ProcessGenerator {
  const step = new Map<number, Step>();
  const key = LOCK_KEYS[0];
  return {
    next(process) {
      const s = step.get(process) ?? 'acquire';
      const op: ClientOp = { f: s, key, value: null };
      return s === 'write' ? { op, delayMs: HOLD_MS } : { op };
    },
    update(process, op, c: Completion) {
      const ok = c.type === 'ok';
      const after: Record<Step, Step> = { acquire: ok ? 'read' : 'acquire', read: ok ? 'write' : 'release', write: 'release', release: 'acquire' };
      if (c.type === 'info') step.delete(process);
      else step.set(process, after[op.f as Step]);
    },
    // Holders between their acquire and their write: a stall there outlasts the lease with the read-modify-write undone.
    critical: () => [...step].filter(([, s]) => s === 'read' || s === 'write').map(([p]) => p),
  };
}

/** The value of an access the resource took: what was read or written, under which fencing token, checked or not. */
export const accessValue = z.strictObject({ value: z.int(), token: z.int().nullable(), fenced: z.boolean() });

/**
 * A lock protecting a read-modify-write (Kleppmann's "How to do distributed locking"): acquire, read the counter,
 * pause, write it back plus one, release; after the faults, a final read of the counter. Checked by the `lock`
 * checker: the verdict is the resource's safety (no acknowledged increment lost; with fencing, no access taken after
 * a higher token), with mutual exclusion as the clients saw it reported beside it.
 */
export const lock: Workload = {
  name: 'lock',
  description: 'acquire a lock, read-modify-write the counter it protects, release; checked by the lock checker (resource safety, mutual exclusion beside it)',
  checker: 'lock',
  operations: {
    acquire: z.null(),
    read: z.null(),
    write: z.null(),
    release: z.null(),
    'final-read': z.null(),
  },
  generator: () => lockGenerator(),
  finalOps: () => LOCK_KEYS.map((key) => ({ f: 'final-read', key, value: null })),
};
