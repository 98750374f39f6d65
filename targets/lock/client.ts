import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import { describe, refusedByServer } from '../postgres/errors.js';
import type { LockResource } from './resource.js';
import { LockRefused, type LockGrant, type LockService } from './service.js';

/** How a lock client is set up: the lock, the resource, and whether tokens are taken and checked. */
export interface LockClientOptions {
  service: LockService;
  resource: LockResource;
  /** Take a fencing token from the resource's sequence at each acquisition (the seeds' lock takes none). */
  tokens: boolean;
  /** Whether the resource checks the tokens (the `fenced` of every access's value). */
  fenced: boolean;
  /** How long an acquire keeps trying, ms. */
  acquireTimeoutMs: number;
}

/** The Redis key of lock `key` (the history's key). */
export const lockName = (key: unknown) => `faultline-lock:${String(key)}`;

/** What this process holds: the grant, its fencing token, and what it last read under it. */
interface Holding {
  key: number;
  grant: LockGrant;
  token: number | null;
  read?: number;
}

/**
 * One logical process of the lock workload: it holds at most one lock at a time, and its reads and writes of the
 * protected counter carry that lock's fencing token. What each op records:
 * - acquire: ok `{token, lease, redisKey, nodes}` (the fencing token, the value stored in Redis and its key, the servers that granted
 *   it); fail when not acquired within the time-out; info when a SET may have landed unanswered.
 * - read, write: ok `{value, token, fenced}` (what was read, or written: the last read plus one); fail when the
 *   resource refused the token (`fenced: …`) or this process holds no lock; info when a statement went unanswered.
 * - release: ok `{lease}` when the lock was still this holder's and is gone; fail when it was not (it expired, or
 *   someone else's was deleted in its place — the no-token bug's release answers ok then); info when unknown.
 * - final-read: ok with the counter.
 */
export function lockClient(options: LockClientOptions): Client {
  const { service, resource } = options;
  let holding: Holding | undefined;

  const access = async (op: ClientOp, h: Holding, write: boolean): Promise<Completion> => {
    try {
      await resource.connect();
    } catch (e) {
      return { type: 'fail', error: `resource: connect: ${describe(e)}` };
    }
    try {
      const value = write ? (h.read ?? 0) + 1 : undefined;
      const r = write ? await resource.write(h.key, h.token, value!) : await resource.read(h.key, h.token);
      if ('refused' in r) return { type: 'fail', value: { value: write ? value : null, token: h.token, fenced: options.fenced }, error: r.refused };
      if (!write) h.read = r.value;
      return { type: 'ok', value: { value: write ? value : r.value, token: h.token, fenced: options.fenced } };
    } catch (e) {
      if (refusedByServer(e)) return { type: 'fail', error: `resource: ${describe(e)}` };
      // An unfenced read changes nothing; anything else may have taken effect.
      if (!write && !options.fenced) return { type: 'fail', error: `resource: ${describe(e)}` };
      return { type: 'info', error: `resource: ${describe(e)}` };
    }
  };

  const perform = async (op: ClientOp): Promise<Completion> => {
    const key = op.key as number;
    switch (op.f) {
      case 'acquire': {
        if (holding) return { type: 'fail', error: `already holding lock ${holding.key}` };
        let grant: LockGrant | undefined;
        try {
          grant = await service.acquire(lockName(key), Date.now() + options.acquireTimeoutMs);
        } catch (e) {
          if (e instanceof LockRefused) return { type: 'fail', error: e.message };
          return { type: 'info', error: `lock: ${describe(e)}` };
        }
        if (grant === undefined) return { type: 'fail', error: `not acquired within ${options.acquireTimeoutMs} ms` };
        let token: number | null = null;
        if (options.tokens) {
          try {
            await resource.connect();
            token = await resource.token();
          } catch (e) {
            // A holder without a token cannot touch the resource: give the lock back (or let it expire).
            await service.release(grant).catch(() => false);
            return { type: 'fail', error: `no fencing token: ${describe(e)}` };
          }
        }
        holding = { key, grant, token };
        return { type: 'ok', value: { token, lease: grant.lease, redisKey: grant.redisKey, nodes: [...grant.nodes] } };
      }
      case 'read':
      case 'write': {
        if (!holding || holding.key !== key) return { type: 'fail', error: `not holding lock ${String(key)}` };
        if (op.f === 'write' && holding.read === undefined) return { type: 'fail', error: 'nothing read under this lock' };
        return access(op, holding, op.f === 'write');
      }
      case 'release': {
        if (!holding || holding.key !== key) return { type: 'fail', error: `not holding lock ${String(key)}` };
        const h = holding;
        holding = undefined;
        try {
          return (await service.release(h.grant))
            ? { type: 'ok', value: { lease: h.grant.lease } }
            : { type: 'fail', value: { lease: h.grant.lease }, error: 'the lock was no longer this holder\'s (expired or taken)' };
        } catch (e) {
          return { type: 'info', error: `lock: ${describe(e)}` };
        }
      }
      case 'final-read': {
        try {
          await resource.connect();
          return { type: 'ok', value: await resource.final(key) };
        } catch (e) {
          return { type: 'fail', error: `resource: ${describe(e)}` };
        }
      }
      default:
        return { type: 'fail', error: `unknown operation ${op.f}` };
    }
  };

  return {
    invoke(op, done) {
      perform(op).then(done, (e: unknown) => done({ type: 'info', error: describe(e) }));
    },
    close() {
      service.close();
      resource.close();
    },
  };
}
