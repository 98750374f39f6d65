import { Redis } from 'ioredis';
import { UsageError, usageError } from '../../harness/errors.js';
import type { ClusterView } from '../../harness/runtimes/docker/target.js';
import { pollUntil } from '../../harness/runtimes/docker/poll.js';
import { authOf, isAuthRefusal, refusal, type RedisAuth } from './auth.js';
import { CONNECTION_OPTIONS, messageOf } from './client.js';
import { REDIS_PORT } from './server.js';

/** How long an admin question (PING, ROLE, SENTINEL …) may take before its node counts as not answering. */
export const PROBE_TIMEOUT_MS = 500;

/**
 * A connection for the harness's own questions (PING, ROLE, SENTINEL …), each bounded by PROBE_TIMEOUT_MS. It does
 * not reconnect by itself (ioredis's own reconnection can leave a connection marked ready on a closed socket):
 * a question finding it broken opens a new one.
 *
 * A server that refuses the credentials is the user's to fix, and asking again will not change its mind: that is a
 * UsageError (one line), which a ready check's polling passes on at once.
 */
export class AdminConnection {
  private conn: Redis | undefined;
  /** The last error the connection reported: why a connect ended in "Connection is closed" (ioredis's own words). */
  private lastError: Error | undefined;

  /** `label` names the server in errors ("n2's sentinel"). */
  constructor(
    private readonly endpoint: { host: string; port: number },
    private readonly label: string,
    private readonly auth: RedisAuth = {},
  ) {}

  async ask<T>(question: (conn: Redis) => Promise<T>): Promise<T> {
    try {
      return await bounded(this.connected().then(question));
    } catch (e) {
      this.disconnect();
      if (e instanceof UsageError) throw e;
      if (isAuthRefusal(messageOf(e))) throw usageError(refusal(this.label, messageOf(e)));
      throw new Error(`${this.label}: ${messageOf(e)}`);
    }
  }

  disconnect(): void {
    this.conn?.disconnect();
    this.conn = undefined;
  }

  private async connected(): Promise<Redis> {
    if (this.conn?.status === 'ready') return this.conn;
    this.disconnect();
    // The clients' options (autoResendUnfulfilledCommands is moot here: with no reconnection nothing is resent).
    const conn = new Redis({
      ...this.endpoint,
      ...CONNECTION_OPTIONS,
      ...this.auth,
      connectTimeout: PROBE_TIMEOUT_MS,
      commandTimeout: PROBE_TIMEOUT_MS,
    });
    this.lastError = undefined;
    conn.on('error', (e: Error) => {
      this.lastError = e;
    });
    this.conn = conn;
    try {
      await conn.connect();
    } catch (e) {
      // A refused AUTH (or the ready check's INFO refused for want of one) closes the connection; the reason is
      // only in the error event.
      const why = this.lastError as Error | undefined;
      if (why && isAuthRefusal(why.message)) throw usageError(refusal(this.label, why.message));
      throw e;
    }
    return conn;
  }
}

/** Answers `ask`, or rejects after PROBE_TIMEOUT_MS whatever the connection does. */
function bounded<T>(ask: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    ask,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The primaries as the servers themselves say: every node whose ROLE is `master` now. During a partition that is
 * both the isolated old primary and the one Sentinel promoted, as both take writes; a node that does not answer
 * (down, paused) is not counted.
 */
export class RoleProbe {
  private readonly conns: ReadonlyMap<string, AdminConnection>;

  constructor(view: ClusterView, port: number) {
    this.conns = new Map(view.nodes.map((n) => [n, new AdminConnection(view.endpoint(n, port), n, authOf(view, n))]));
  }

  async primaries(): Promise<string[]> {
    const roles = await Promise.all(
      [...this.conns].map(async ([node, conn]) => {
        try {
          const role = (await conn.ask((c) => c.call('ROLE'))) as unknown[];
          return role[0] === 'master' ? node : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    return roles.filter((n): n is string => n !== undefined);
  }

  close(): void {
    for (const c of this.conns.values()) c.disconnect();
  }
}

/** Until the server answers PING (it answers LOADING while its append-only file is replayed). */
export async function untilPong(view: ClusterView, node: string, deadline: number): Promise<void> {
  const conn = new AdminConnection(view.endpoint(node, REDIS_PORT), `redis on ${node}`, authOf(view, node));
  try {
    await pollUntil(deadline, async () => ((await conn.ask((c) => c.ping())) === 'PONG' ? undefined : `redis on ${node}: no PONG`));
  } finally {
    conn.disconnect();
  }
}
