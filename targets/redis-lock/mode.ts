import { z } from 'zod';
import type { OptionSpecs } from '../../harness/target.js';
import { behaviourWith, type BugTable } from '../bugs.js';

/**
 * How one run's lock behaves: which key and value an acquisition sets, how a release deletes, and whether fencing
 * tokens are taken and checked by the resource.
 */
export interface LockMode {
  /** `token`: `SET name <random> NX PX ttl` (the textbook lock); `per-second`: the seeds' `SET name:<second> 1 EX 5 NX`. */
  key: 'token' | 'per-second';
  /** `compare`: delete only if the value is still this holder's (a Lua script); `del`: a plain DEL. */
  release: 'compare' | 'del';
  /** Take a fencing token from the resource at each acquisition (for evidence, or for the resource to check). */
  tokens: boolean;
  /** The resource checks the tokens (Kleppmann's fencing). */
  fenced: boolean;
}

const CORRECT: LockMode = { key: 'token', release: 'compare', tokens: true, fenced: true };

export const BUGS: BugTable<LockMode> = {
  // The seeds' lock as written: the key changes every second of the client's clock, so two clients in different
  // seconds both "hold" it; the value is 1 and the release a DEL. No fencing token: the seeds have none.
  'per-second-key': { key: 'per-second', release: 'del', tokens: false, fenced: false },
  // Release with a plain DEL: a holder whose lease expired deletes the next holder's lock. The textbook lock has no
  // fencing; tokens are still taken so that the evidence can name holders by them.
  'no-token': { release: 'del', fenced: false },
  // The correct lock, but the resource does not check the tokens it is handed.
  'no-fencing': { fenced: false },
};

/** The lease a correct acquisition asks for (PX), ms: shorter than the pause-client fault's default stall. */
export const DEFAULT_TTL_MS = 1000;
/** How long an acquire keeps trying, ms. */
export const DEFAULT_TIMEOUT_MS = 3000;
/** The seeds' lock: retried every 100 ms, its key expiring after 5 s. */
export const RETRY_MS = 100;
export const PER_SECOND_EXPIRY_S = 5;

export const LOCK_OPTIONS: OptionSpecs = {
  ttl: { schema: z.int().min(1), description: `the lock's lease (PX), ms (default ${DEFAULT_TTL_MS}); the per-second-key bug's key expires after ${PER_SECOND_EXPIRY_S} s whatever it says` },
  timeout: { schema: z.int().min(0), description: `how long an acquire keeps trying, ms (default ${DEFAULT_TIMEOUT_MS})` },
  fencing: {
    schema: z.boolean(),
    description: 'fencing tokens taken at acquisition and checked by the resource (default: on for the correct lock and no-fencing\'s tokens, off for per-second-key and no-token)',
  },
};

/** The run's lock: the bug's, with the `fencing` option (when given) deciding whether tokens are taken and checked. */
export function lockMode(bug: string | undefined, options: Readonly<Record<string, unknown>>): LockMode {
  const mode = behaviourWith(CORRECT, BUGS, bug);
  if (typeof options.fencing === 'boolean') return { ...mode, tokens: options.fencing || mode.tokens, fenced: options.fencing };
  return mode;
}

export const ttlOf = (options: Readonly<Record<string, unknown>>): number => (typeof options.ttl === 'number' ? options.ttl : DEFAULT_TTL_MS);
export const timeoutOf = (options: Readonly<Record<string, unknown>>): number =>
  typeof options.timeout === 'number' ? options.timeout : DEFAULT_TIMEOUT_MS;
