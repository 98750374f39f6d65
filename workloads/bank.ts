import { z } from 'zod';
import { Rng } from '../harness/rng.js';
import type { ClientOp } from '../harness/runtime.js';
import type { Workload } from './workload.js';

/**
 * The accounts transfers draw from, 0 to ACCOUNTS - 1, in GROUPS groups (account a in group a mod GROUPS): a
 * transfer's two accounts are always in different groups. The workload knows nothing of the cluster; a target that
 * spreads accounts over GROUPS participants by a mod GROUPS (pg-2pc with its default 3) makes every transfer a
 * distributed transaction.
 */
const ACCOUNTS = 6;
const GROUPS = 3;
const MAX_AMOUNT = 5;
/** One op in this many is a read. */
const READ_EVERY = 5;
/** A read asks for the markers of the last this-many transfer ids (and every balance). */
const READ_WINDOW = 200;

/**
 * Jepsen's bank, distributed: transfers of 1–5 between two accounts held by different participants, each one
 * distributed transaction with a unique, increasing id (one counter for every process, as the set workload's), and
 * reads of every balance and of the recent transfers' markers at every participant. Balances may go negative: the
 * point is atomicity and conservation. After the faults, one final read shows each participant's balances, every
 * marker, and what is still prepared there. Checked by the 2pc checker.
 */
export const bank: Workload = {
  name: 'bank',
  description: 'transfers between accounts on different participants, reads of all balances; checked by the 2pc checker (atomic commitment, conservation)',
  checker: '2pc',
  operations: {
    transfer: z.strictObject({ id: z.int().min(0), from: z.int().min(0), to: z.int().min(0), amount: z.int().positive() }),
    read: z.strictObject({ since: z.int().min(0) }),
    'final-read': z.null(),
  },
  generator(seed) {
    const rng = new Rng(seed);
    let next = 0;
    return (): ClientOp => {
      if (rng.int(READ_EVERY) === 0) return { f: 'read', value: { since: Math.max(0, next - READ_WINDOW) } };
      const from = rng.int(ACCOUNTS);
      let to = rng.int(ACCOUNTS);
      while (to % GROUPS === from % GROUPS) to = rng.int(ACCOUNTS);
      return { f: 'transfer', value: { id: next++, from, to, amount: 1 + rng.int(MAX_AMOUNT) } };
    };
  },
  finalOps: () => [{ f: 'final-read', value: null }],
};
