import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import { describe, refusedByServer } from '../postgres/errors.js';
import { messageOf, ReconnectingConnection, UNSENT } from '../redis/client.js';
import { Cache } from './cache.js';
import type { CacheMode } from './mode.js';
import type { Store } from './store.js';

/** How long a read that finds another reader's lease keeps waiting for its fill before it gives up (fail). */
export const LEASE_WAIT_MS = 2000;
/** How often a waiting reader looks again (Facebook's memcache clients retry a "hot miss" after a short wait). */
export const LEASE_POLL_MS = 10;
/** How often a settle compares the cache with the database. */
export const SETTLE_POLL_MS = 50;
/** How long past the entries' ttl a settle waits for the cache to agree (with no expiry: how long it waits at all). */
export const SETTLE_GRACE_MS = 1000;
export const SETTLE_NO_TTL_MS = 3000;

export interface CacheAsideOptions {
  mode: CacheMode;
  ttlMs: number;
  leaseMs: number;
  /** A new connection to the cache, not yet connected (`lazyConnect`). */
  connection(): Redis;
  store: Store;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A command's error: `fail` when it was never sent or the server refused it, else `info` (it may have landed). */
const maybeSent = (e: unknown): boolean => !UNSENT.some((re) => re.test(messageOf(e))) && !(e instanceof Error && e.name === 'ReplyError');

/**
 * One logical process of a service that reads through a cache (Redis) in front of its database (PostgreSQL): the
 * application's own logic, run in the harness's client as it runs in a real service. What each op records:
 * - read: ok with the value (null: never written) and `hit` (served from the cache, or a miss that read the
 *   database); fail when the cache or the database could not answer (a read changes nothing the history sees, so an
 *   unanswered read is a fail too), or when another reader's lease was still held after LEASE_WAIT_MS.
 * - write: ok once the database has the value and the cache entry is invalidated (in the mode's order); fail when
 *   nothing happened; info when the database may have taken it, or took it and the invalidation went unanswered.
 * - settle (after the faults healed): `{db, cache, converged, staleMs}`: whether the cache came to agree with the
 *   database (the entry holds its value, or there is none), and how long it disagreed.
 */
export function cacheAsideClient(options: CacheAsideOptions): Client {
  const { mode, store } = options;
  const ttl = mode.expires ? options.ttlMs : 0;
  const link = new ReconnectingConnection(options.connection);
  const drop = () => link.drop();
  const cache = async (): Promise<Cache> => new Cache(await link.get());
  /** The database as this process reaches it; a failure to connect sent nothing. */
  const db = async (): Promise<Store> => {
    await store.connect();
    return store;
  };
  /** A miss's read of the database: the row's value, or the read's failure (it changed nothing). */
  const readDb = (key: string): Promise<number | null | Completion> => db().then((s) => s.read(key)).catch(dbError);

  const read = async (key: string): Promise<Completion> => {
    let c: Cache;
    try {
      c = await cache();
    } catch (e) {
      return { type: 'fail', error: `cache: connect: ${messageOf(e)}` };
    }
    try {
      if (mode.fill === 'blind') {
        const cached = await c.get(key);
        if (cached !== null) return hit(cached);
        const value = await readDb(key);
        if (typeof value === 'object' && value !== null) return value;
        // The textbook fill: whatever happened since the database was read. Its fate shows in later reads.
        if (value !== null) await c.fill(key, value, ttl).catch(() => drop());
        return miss(value);
      }
      const token = randomBytes(8).toString('hex');
      for (const deadline = Date.now() + LEASE_WAIT_MS; ; ) {
        const found = await c.lookupOrLease(key, token, options.leaseMs);
        if ('hit' in found) return hit(found.hit);
        if ('lease' in found) {
          const value = await readDb(key);
          if (typeof value === 'object' && value !== null) return value;
          // Lands only if no invalidation came since the lease was granted (and gives the lease back); a key never
          // written is not cached (a fill of "no row" would outlive the first write's invalidation just the same).
          if (value !== null) await c.fillWithLease(key, token, value, ttl).catch(() => drop());
          return miss(value);
        }
        if (Date.now() + LEASE_POLL_MS >= deadline) return { type: 'fail', error: `another reader's lease on ${key} was held for ${LEASE_WAIT_MS} ms` };
        await sleep(LEASE_POLL_MS);
      }
    } catch (e) {
      drop();
      return { type: 'fail', error: `cache: ${messageOf(e)}` };
    }
  };

  const write = async (key: string, value: number): Promise<Completion> => {
    const invalidate = async (): Promise<Completion | undefined> => {
      let c: Cache;
      try {
        c = await cache();
      } catch (e) {
        return { type: 'fail', error: `cache: connect: ${messageOf(e)}` };
      }
      try {
        await c.invalidate(key);
        return undefined;
      } catch (e) {
        drop();
        return { type: maybeSent(e) ? 'info' : 'fail', error: `cache: ${messageOf(e)}` };
      }
    };
    const update = async (): Promise<Completion | undefined> => {
      let s: Store;
      try {
        s = await db();
      } catch (e) {
        return { type: 'fail', error: `database: connect: ${describe(e)}` };
      }
      try {
        await s.write(key, value);
        return undefined;
      } catch (e) {
        return { type: refusedByServer(e) ? 'fail' : 'info', error: `database: ${describe(e)}` };
      }
    };
    if (mode.write === 'delete-then-update') {
      // A delete that failed changed nothing a read can tell (the next read misses and fills the same row): the
      // service gives up before the update, so the write did not happen.
      const deleted = await invalidate();
      if (deleted) return { ...deleted, type: 'fail' };
      return (await update()) ?? { type: 'ok', value };
    }
    const updated = await update();
    if (updated) return updated;
    const invalidated = await invalidate();
    // The database has the value: whatever became of the invalidation, the write happened or may have (info).
    if (invalidated) return { ...invalidated, type: 'info' };
    return { type: 'ok', value };
  };

  const settle = async (key: string): Promise<Completion> => {
    const started = Date.now();
    const deadline = started + (mode.expires ? options.ttlMs + SETTLE_GRACE_MS : SETTLE_NO_TTL_MS);
    let last: { db: number | null; cache: number | null } | undefined;
    let lastError = 'no reading';
    let staleSince: number | undefined;
    for (;;) {
      try {
        const c = await cache();
        const fromDb = await (await db()).read(key);
        const cached = await c.get(key);
        last = { db: fromDb, cache: cached };
        if (cached === null || cached === fromDb) return { type: 'ok', value: { ...last, converged: true, staleMs: staleSince === undefined ? 0 : Date.now() - started } };
        staleSince ??= Date.now();
      } catch (e) {
        drop();
        lastError = messageOf(e);
      }
      if (Date.now() + SETTLE_POLL_MS >= deadline) break;
      await sleep(SETTLE_POLL_MS);
    }
    if (last === undefined) return { type: 'fail', error: `settle: could not compare the cache with the database: ${lastError}` };
    return { type: 'ok', value: { ...last, converged: false, staleMs: Date.now() - started } };
  };

  const perform = (op: ClientOp): Promise<Completion> => {
    const key = String(op.key);
    if (op.f === 'read') return read(key);
    if (op.f === 'write') return write(key, op.value as number);
    if (op.f === 'settle') return settle(key);
    return Promise.resolve({ type: 'fail', error: `cache-aside serves read, write and settle, not ${op.f}` });
  };

  return {
    invoke(op, done) {
      void perform(op).then(done);
    },
    close() {
      drop();
      store.close();
    },
  };
}

const hit = (value: number): Completion => ({ type: 'ok', value, extra: { hit: true } });
const miss = (value: number | null): Completion => ({ type: 'ok', value, extra: { hit: false } });
/** A database read that failed: the read did not happen as far as the history is concerned. */
const dbError = (e: unknown): Completion => ({ type: 'fail', error: `database: ${describe(e)}` });
