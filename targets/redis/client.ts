import { ReplyError, type Redis, type RedisOptions } from 'ioredis';
import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import { applyOp } from './ops.js';

/** How long a command may take once sent; then its outcome is unknown (info). */
export const COMMAND_TIMEOUT_MS = 1000;
/** How long a connection may take to become usable (through Sentinel: ask it, then reach the primary); then the op fails. */
export const CONNECT_BUDGET_MS = 2500;
/** `WAIT`'s own time-out, under the command time-out so that a short count comes back as a reply. */
export const WAIT_TIMEOUT_MS = 500;

/**
 * What every client connection shares: it fails fast rather than hiding a fault. No offline queue (a command given
 * while disconnected fails at once, unsent), no retries and no reconnection behind the op's back (the client opens
 * a new connection on its next op), and never a resend after a reconnect (a write resent unseen could apply twice).
 */
export const CONNECTION_OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
  autoResendUnfulfilledCommands: false,
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: 1000,
  // No CLIENT SETINFO on connecting: a command that is not the op's, and one more way for a connection to stall.
  disableClientInfo: true,
};

export interface RedisClientOptions {
  /** A new connection, not yet connected (`lazyConnect`), to where this process should send its ops now. */
  connection(): Redis;
  /** After each write, `WAIT` for this many replicas (redis-replicated's `wait` option); 0: no WAIT. */
  waitReplicas: number;
}

/** The errors ioredis gives a command it never wrote to the socket. */
export const UNSENT = [/Stream isn't writeable/, /enableOfflineQueue/];

/**
 * A logical process's connection to Redis. The connection it opened stays in use for as long as it is up, whatever
 * happens to the server behind it: a client that reached a primary keeps writing there after Sentinel promoted
 * another (what makes Redis's lost writes visible). A connection that broke, or whose server turned replica
 * (READONLY), is replaced on the next op.
 *
 * Outcomes, Jepsen's: `fail` when the op certainly did not happen (no connection, so nothing was sent; an error
 * reply such as READONLY; a cas whose comparison failed); `info` when it was sent and no reply came (time-out,
 * connection lost), or when a write was done but `WAIT` counted fewer replicas than asked for.
 */
export function redisClient(options: RedisClientOptions): Client {
  const link = new ReconnectingConnection(options.connection);
  const drop = () => link.drop();
  const connected = () => link.get();

  const perform = async (op: ClientOp): Promise<Completion> => {
    let c: Redis;
    try {
      c = await connected();
    } catch (e) {
      return { type: 'fail', value: op.value, error: `connect: ${messageOf(e)}` };
    }
    let applied;
    try {
      applied = await applyOp(c, op);
    } catch (e) {
      if (e instanceof ReplyError) {
        // The server answered with an error: it did not apply the op. READONLY: this server is a replica now.
        if (/^READONLY/.test(messageOf(e))) drop();
        return { type: 'fail', value: op.value, error: messageOf(e) };
      }
      drop();
      if (UNSENT.some((re) => re.test(messageOf(e)))) return { type: 'fail', value: op.value, error: messageOf(e) };
      return { type: 'info', value: op.value, error: messageOf(e) };
    }
    if (!applied.wrote || options.waitReplicas === 0) return applied.completion;
    try {
      const replicas = await c.wait(options.waitReplicas, WAIT_TIMEOUT_MS);
      if (replicas >= options.waitReplicas) return applied.completion;
      return { type: 'info', value: op.value, error: `WAIT: ${replicas} of ${options.waitReplicas} replicas acknowledged` };
    } catch (e) {
      drop();
      return { type: 'info', value: op.value, error: `WAIT: ${messageOf(e)}` };
    }
  };

  return {
    invoke(op, done) {
      void perform(op).then(done);
    },
    close() {
      drop();
    },
  };
}

/**
 * One process's connection, opened when an op needs it and replaced on the next op after it broke (or was dropped):
 * the connection every Redis client of faultline's targets holds, one at a time, never reconnecting behind an op's
 * back (CONNECTION_OPTIONS).
 */
export class ReconnectingConnection {
  private conn: Redis | undefined;

  constructor(private readonly open: () => Redis) {}

  /** The connection if it is up, else a new one, connected within CONNECT_BUDGET_MS (a rejection sent nothing). */
  async get(): Promise<Redis> {
    if (this.conn?.status === 'ready') return this.conn;
    this.drop();
    const c = this.open();
    // Errors reach the op that meets them; unheard, the event would end the process.
    c.on('error', () => {});
    this.conn = c;
    try {
      await connectWithin(c);
    } catch (e) {
      if (this.conn === c) this.drop();
      throw e;
    }
    return c;
  }

  drop(): void {
    this.conn?.disconnect();
    this.conn = undefined;
  }
}

/** Connects a new connection (`lazyConnect`), or rejects after CONNECT_BUDGET_MS: then nothing was sent on it. */
export async function connectWithin(c: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      c.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not connected within ${CONNECT_BUDGET_MS} ms`)), CONNECT_BUDGET_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The clients a session gave out, so that closing the session closes those the harness has not closed itself. */
export class OpenClients {
  private readonly open = new Set<Client>();

  add(client: Client): Client {
    this.open.add(client);
    return {
      invoke: (op, done) => client.invoke(op, done),
      close: () => {
        client.close();
        this.open.delete(client);
      },
      // A client that dies where it loses the most (crash-client) keeps doing so behind this wrapper.
      ...(client.crash && { crash: () => client.crash!() }),
    };
  }

  closeAll(): void {
    for (const c of this.open) c.close();
    this.open.clear();
  }
}
