import type { Redis } from 'ioredis';

/** A key's entry in Redis, and its lease: both named from the history's key, so a user's own keys are never touched. */
export const entryKey = (key: string): string => `faultline-cache:${key}`;
export const leaseKey = (key: string): string => `faultline-cache-lease:${key}`;
/** Every key the target writes matches this (the ready check deletes what an earlier run left). */
export const KEY_PATTERN = 'faultline-cache*';

/**
 * A miss's first step under leases, atomically: the entry if there is one; else a lease for this reader if nobody
 * holds one (SET NX PX); else word that another reader holds it. Replies: {1, value} hit, {2} lease granted, {3} held.
 */
const LOOKUP_OR_LEASE = `
local v = redis.call('GET', KEYS[1])
if v then return {1, v} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
return {3}`;

/**
 * A lease holder's fill: lands only while the lease is still this reader's (no invalidation deleted it, it did not
 * expire), and gives the lease back either way. ARGV: token, value, ttl ms (0: no expiry). Reply 1 filled, 0 refused.
 */
const FILL_WITH_LEASE = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) else redis.call('SET', KEYS[1], ARGV[2]) end
redis.call('DEL', KEYS[2])
return 1`;

export type Lookup = { hit: number } | { lease: true } | { held: true };

/** A cached value as the target wrote it (a decimal integer); anything else was not put there by this target. */
export function parseCached(key: string, raw: unknown): number {
  const s = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  if (typeof s !== 'string' || !/^-?\d{1,15}$/.test(s)) throw new Error(`the cache holds ${JSON.stringify(s)} for ${key}, which no write of this run put there`);
  return Number(s);
}

/** The cache as one process reaches it: a Redis connection and the operations cache-aside makes of it. */
export class Cache {
  constructor(private readonly conn: Redis) {}

  async get(key: string): Promise<number | null> {
    const raw = await this.conn.get(entryKey(key));
    return raw === null ? null : parseCached(key, raw);
  }

  /** How long the entry has left, ms: -1 no expiry, -2 no entry (Redis's PTTL). */
  pttl(key: string): Promise<number> {
    return this.conn.pttl(entryKey(key));
  }

  async lookupOrLease(key: string, token: string, leaseMs: number): Promise<Lookup> {
    const r = (await this.conn.eval(LOOKUP_OR_LEASE, 2, entryKey(key), leaseKey(key), token, String(leaseMs))) as [number, string?];
    if (r[0] === 1) return { hit: parseCached(key, r[1]) };
    if (r[0] === 2) return { lease: true };
    return { held: true };
  }

  async fillWithLease(key: string, token: string, value: number, ttlMs: number): Promise<boolean> {
    return (await this.conn.eval(FILL_WITH_LEASE, 2, entryKey(key), leaseKey(key), token, String(value), String(ttlMs))) === 1;
  }

  /** The blind fill of the textbook: SET, with PX when entries expire. */
  async fill(key: string, value: number, ttlMs: number): Promise<void> {
    if (ttlMs > 0) await this.conn.set(entryKey(key), String(value), 'PX', ttlMs);
    else await this.conn.set(entryKey(key), String(value));
  }

  /** The invalidation: the entry, and any lease taken before it (whose fill may carry a value read before the write). */
  async invalidate(key: string): Promise<void> {
    await this.conn.del(entryKey(key), leaseKey(key));
  }
}
