import { randomBytes } from 'node:crypto';
import { ReplyError, type Redis } from 'ioredis';
import { messageOf, ReconnectingConnection, UNSENT, WAIT_TIMEOUT_MS } from '../redis/client.js';
import { COMPARE_AND_DELETE } from '../lock/redis-compare-and-delete.js';
import type { LockGrant, LockService } from '../lock/service.js';
import { PER_SECOND_EXPIRY_S, RETRY_MS, type LockMode } from './mode.js';


export interface RedisLockOptions {
  mode: LockMode;
  /** The lease a token lock asks for (PX), ms. */
  ttlMs: number;
  /** A new connection, not yet connected (`lazyConnect`): to the one server, or through the sentinels to the primary. */
  connection(): Redis;
  /** The node a connection reached (from the address it is connected to), for the grant's evidence. */
  nodeOf(conn: Redis): string;
  /** After a granting SET, `WAIT` for this many replicas (the `wait` option); 0: none. */
  waitReplicas: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A lock on Redis as one process uses it, over its own connection (kept while it is up, so that after a failover a
 * process that still reaches the old primary goes on asking it, as a real client does).
 *
 * What a reply proves: an error reply (READONLY from a server that turned replica) and a command never written
 * (no connection) change nothing, so acquire tries again until its deadline; a command sent and never answered
 * (time-out, connection lost) may have set the lock, so acquire rejects and the op is info. A release that met
 * anything but a reply rejects likewise: whether the lock is gone is unknown.
 */
export class RedisLock implements LockService {
  private readonly link: ReconnectingConnection;

  constructor(private readonly o: RedisLockOptions) {
    this.link = new ReconnectingConnection(() => o.connection());
  }

  async acquire(name: string, deadline: number): Promise<LockGrant | undefined> {
    for (;;) {
      const grant = await this.attempt(name);
      if (grant) return grant;
      if (Date.now() + RETRY_MS > deadline) return undefined;
      await sleep(RETRY_MS);
    }
  }

  async release(grant: LockGrant): Promise<boolean> {
    const c = await this.connected();
    try {
      if (this.o.mode.release === 'del') {
        // The bug: whatever the key holds now, it goes (and the holder is told its release worked).
        await c.del(grant.redisKey);
        return true;
      }
      return (await c.eval(COMPARE_AND_DELETE, 1, grant.redisKey, grant.lease)) === 1;
    } catch (e) {
      this.afterError(e);
      throw e;
    }
  }

  close(): void {
    this.drop();
  }

  /** One SET: the grant, or undefined when it certainly set nothing (held by another, no connection, an error reply). */
  private async attempt(name: string): Promise<LockGrant | undefined> {
    let c: Redis;
    try {
      c = await this.connected();
    } catch {
      return undefined;
    }
    const { key, value, set } = this.request(name);
    let reply: string | null;
    try {
      reply = await set(c);
    } catch (e) {
      if (this.afterError(e)) return undefined;
      throw new Error(`SET ${key} NX: ${messageOf(e)} (the lock may be held)`);
    }
    if (reply !== 'OK') return undefined;
    if (this.o.waitReplicas > 0) {
      let acked: number;
      try {
        acked = await c.wait(this.o.waitReplicas, WAIT_TIMEOUT_MS);
      } catch (e) {
        this.drop();
        throw new Error(`WAIT after SET ${key}: ${messageOf(e)} (the lock is held on ${this.o.nodeOf(c)}, maybe not replicated)`);
      }
      if (acked < this.o.waitReplicas) {
        throw new Error(`WAIT after SET ${key}: ${acked} of ${this.o.waitReplicas} replicas acknowledged (the lock is held, maybe not replicated)`);
      }
    }
    return { lease: value, redisKey: key, nodes: [this.o.nodeOf(c)] };
  }

  /** The key, the value and the SET of an acquisition in this run's mode. */
  private request(name: string): { key: string; value: string; set: (c: Redis) => Promise<string | null> } {
    if (this.o.mode.key === 'per-second') {
      // The seeds' `name + str(int(time.time()))`: the second of this client's clock.
      const key = `${name}:${Math.floor(Date.now() / 1000)}`;
      return { key, value: '1', set: (c) => c.set(key, '1', 'EX', PER_SECOND_EXPIRY_S, 'NX') };
    }
    const value = randomBytes(16).toString('hex');
    return { key: name, value, set: (c) => c.set(name, value, 'PX', this.o.ttlMs, 'NX') };
  }

  /**
   * After a command's error: true when the command certainly did nothing (an error reply, or never written). The
   * connection is dropped unless the server answered and is still what it was; the next command opens a new one.
   */
  private afterError(e: unknown): boolean {
    if (e instanceof ReplyError) {
      // READONLY: this server is a replica now; the next attempt asks the sentinels again.
      if (/^READONLY/.test(messageOf(e))) this.drop();
      return true;
    }
    this.drop();
    return UNSENT.some((re) => re.test(messageOf(e)));
  }

  private connected(): Promise<Redis> {
    return this.link.get();
  }

  private drop(): void {
    this.link.drop();
  }
}
