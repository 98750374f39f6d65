import net from 'node:net';
import postgres from 'postgres';
import { refusedByServer } from './errors.js';

export type Sql = postgres.Sql;
/** One statement, built with postgres.js (a tagged template, or sql.unsafe where a template cannot be). */
export type Statement = postgres.PendingQuery<postgres.Row[]>;
/** A statement's answer: its rows, plus `command` (the tag: COMMIT, ROLLBACK, PREPARE TRANSACTION…) and `count`. */
export type Rows = postgres.RowList<postgres.Row[]>;

export interface SessionOptions {
  host: string;
  port: number;
  /** application_name, so that pg_stat_activity tells the harness's processes apart. */
  application: string;
  /** The role to log in as (default postgres), its password (none: trust), the database (default postgres). */
  user?: string;
  password?: string;
  database?: string;
  connectTimeoutMs: number;
  /** The client's own limit on a batch's answers, for a server that does not answer at all (paused, cut off). */
  queryTimeoutMs: number;
  /** Server settings of the session (statement_timeout, lock_timeout, options…), sent with the startup message. */
  settings: Readonly<Record<string, string | number>>;
}

/** A batch that got no complete answer within the client's time-out: what it did is unknown. */
export class QueryTimeout extends Error {
  constructor(ms: number) {
    super(`query timeout: no answer within ${ms} ms`);
    this.name = 'QueryTimeout';
  }
}

/**
 * One PostgreSQL session: a postgres.js instance (max: 1) bound to exactly one TCP connection, never another.
 *
 * postgres.js manages connections for the caller: when one closes, its next query silently opens a new one. For a
 * transaction that is the worst possible behaviour — a statement sent after the server died mid-transaction would
 * run on a fresh connection, outside the transaction, and commit on its own. So the instance gets its socket from
 * us, once: a second connect is refused (the socket factory throws), and the query that asked fails instead. A
 * session that lost its connection, or whose statement got no clean answer, is broken and only ever closed.
 *
 * Time-outs are the client's too: postgres.js has none for queries. When a batch's time-out fires the connection is
 * reset (TCP RST, not FIN: a closed socket's kernel would go on retransmitting what the server has not acknowledged,
 * so a statement sent into a partition could still land after the heal, long after we gave up on it).
 *
 * Not sql.begin(): on postgres.js 3.4.10 its own ROLLBACK after a lost connection writes to a null socket from a
 * setImmediate, an uncatchable TypeError that kills the process (porsager/postgres#1208); and it hides whether an
 * error came from COMMIT, which decides between `fail` and `info`. Transactions are BEGIN…COMMIT statements here.
 */
export class PgSession {
  readonly sql: Sql;
  private socket: net.Socket | undefined;
  private lost = false;
  private broken = false;
  private closed = false;

  constructor(private readonly options: SessionOptions) {
    const socket = (): net.Socket => {
      if (this.socket) throw new Error('connection lost (a session does not reconnect)');
      this.socket = net.connect({ host: options.host, port: options.port });
      // postgres.js names the address in its connection errors from these (it sets them on sockets it makes).
      return Object.assign(this.socket, { host: options.host, port: options.port });
    };
    this.sql = postgres({
      host: options.host,
      port: options.port,
      user: options.user ?? 'postgres',
      database: options.database ?? 'postgres',
      // Given as a function, so that postgres.js does not fall back to PGPASSWORD: the only password is the test's.
      pass: () => options.password ?? '',
      max: 1,
      // In seconds; it bounds the TCP connect, the startup and the authentication.
      connect_timeout: options.connectTimeoutMs / 1000,
      // The owner closes a session; postgres.js must not close it behind its back (no reconnect would follow).
      idle_timeout: 0,
      max_lifetime: null,
      keep_alive: 60,
      // No round trip for array types at connect: nothing here uses arrays.
      fetch_types: false,
      connection: { application_name: options.application, ...options.settings },
      // ROLLBACK outside a transaction and the like answer with a notice; postgres.js would print each one.
      onnotice: () => {},
      onclose: () => {
        this.lost = true;
      },
      socket,
    } as postgres.Options<Record<string, never>>);
  }

  /** Whether statements may still be sent: connected or not yet connected, never broken, lost or closed. */
  get usable(): boolean {
    return !this.lost && !this.broken && !this.closed;
  }

  /** Opens the connection (a round trip of `SELECT 1`). Rejects if it cannot: then nothing else was sent. */
  async connect(): Promise<void> {
    await this.batch((sql) => [sql`SELECT 1`]);
  }

  /** One statement; see batch. */
  async one(build: (sql: Sql) => Statement): Promise<Rows> {
    const [rows] = await this.batch((sql) => [build(sql)]);
    return rows;
  }

  /**
   * Sends the statements `build` makes at once (postgres.js pipelines them: one write, answers in order) and
   * resolves with their answers, or rejects with the first error among them. A server's refusal (ERROR) leaves the
   * session usable; any other error, or no answer within the time-out (QueryTimeout), breaks it.
   */
  async batch(build: (sql: Sql) => readonly Statement[]): Promise<Rows[]> {
    if (!this.usable) throw new Error(this.closed ? 'session closed' : 'session broken');
    const statements = build(this.sql);
    // allSettled listens to every statement at once: none of their rejections goes unhandled.
    const settled = Promise.allSettled(statements);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.queryTimeoutMs);
    });
    const outcome = await Promise.race([settled, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.break();
      throw new QueryTimeout(this.options.queryTimeoutMs);
    }
    const errors = outcome.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    if (errors.length === 0) return outcome.map((o) => (o as PromiseFulfilledResult<Rows>).value);
    if (!errors.every(refusedByServer)) this.break();
    throw errors[0];
  }

  /** Marks the session unusable and resets its connection: the server rolls back whatever was open on it. */
  break(): void {
    this.broken = true;
    const socket = this.socket;
    try {
      // resetAndDestroy waits for a socket still connecting; that one has sent nothing, a plain destroy will do.
      if (socket?.connecting) socket.destroy();
      else socket?.resetAndDestroy();
    } catch {
      // already destroyed
    }
    // Rejects what postgres.js still holds for this session, and anything asked of it later.
    void this.sql.end({ timeout: 0 }).catch(() => {});
  }

  /** Ends the session: politely when it is healthy (Terminate), by a reset otherwise. Never waits. */
  close(): void {
    if (this.closed) return;
    if (!this.usable) this.break();
    this.closed = true;
    void this.sql.end({ timeout: 0 }).catch(() => {});
  }
}
