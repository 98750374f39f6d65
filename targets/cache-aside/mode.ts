import { z } from 'zod';
import type { OptionSpecs } from '../../harness/target.js';
import { behaviourWith, type BugTable } from '../bugs.js';

/**
 * How one run's application code uses the cache: in which order a write updates the database and invalidates the
 * cache, how a read that missed fills it, and whether entries expire.
 */
export interface CacheMode {
  /** `update-then-delete`: the database, then the cache entry (the textbook); `delete-then-update`: the other way. */
  write: 'update-then-delete' | 'delete-then-update';
  /**
   * `lease`: a miss takes a lease (Facebook's memcache leases, Nishtala et al., NSDI 2013) before it reads the
   * database, and its fill lands only if the lease is still its own; an invalidation deletes the lease, so a fill
   * whose read came before a newer write can never land. A miss that finds the lease taken waits for the holder's
   * fill rather than reading the database itself. `blind`: the fill is a plain SET, whatever happened meanwhile.
   */
  fill: 'lease' | 'blind';
  /** Entries expire after the `ttl` option (PX); without it a stale entry stays until the key is written again. */
  expires: boolean;
}

const CORRECT: CacheMode = { write: 'update-then-delete', fill: 'lease', expires: true };

export const BUGS: BugTable<CacheMode> = {
  // The textbook cache-aside: a reader that missed reads the old row, a writer updates it and deletes the entry,
  // then the reader's fill lands: the old value is cached until it expires.
  'fill-race': { fill: 'blind' },
  // The usual "fix": delete the entry first, then update the database. A reader that misses in between reads the
  // old row and caches it, with no delete left to come.
  'delete-first': { write: 'delete-then-update', fill: 'blind' },
  // fill-race with no expiry: the stale entry stays until the key is written again, so the cache may never agree
  // with the database.
  'no-ttl': { fill: 'blind', expires: false },
};

/** How long a cache entry lives (PX), ms. */
export const DEFAULT_TTL_MS = 2000;
/** How long a miss's lease lives, ms: a holder that died or stalled blocks the key's fills for no longer. */
export const DEFAULT_LEASE_MS = 1000;

export const CACHE_OPTIONS: OptionSpecs = {
  ttl: { schema: z.int().min(10).max(600_000), description: `how long a cache entry lives, ms (PX; default ${DEFAULT_TTL_MS}; no-ttl sets none)` },
  lease: { schema: z.int().min(10).max(600_000), description: `how long a miss's lease lives, ms (default ${DEFAULT_LEASE_MS}; the correct mode only)` },
};

export const cacheMode = (bug: string | undefined): CacheMode => behaviourWith(CORRECT, BUGS, bug);
export const ttlOf = (options: Readonly<Record<string, unknown>>): number => (typeof options.ttl === 'number' ? options.ttl : DEFAULT_TTL_MS);
export const leaseOf = (options: Readonly<Record<string, unknown>>): number => (typeof options.lease === 'number' ? options.lease : DEFAULT_LEASE_MS);
