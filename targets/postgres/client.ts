import pg from 'pg';
import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import { Rng } from '../../harness/rng.js';

/** How the client talks to PostgreSQL: the correct behaviour, or a bug's (targets/postgres/docker.ts). */
export interface Behaviour {
  /** The isolation level of every transaction. */
  isolation: 'SERIALIZABLE' | 'READ COMMITTED';
}

export const CORRECT: Behaviour = { isolation: 'SERIALIZABLE' };

/** The server gives up on a statement after this long (a clean error, the connection stays usable)… */
export const STATEMENT_TIMEOUT_MS = 1000;
/** …and the client after this long, for a server that does not answer at all (paused, or gone without a FIN). */
export const QUERY_TIMEOUT_MS = 1500;
export const CONNECT_TIMEOUT_MS = 1000;
/** Attempts of one op's transaction when PostgreSQL aborts it as a serialization failure or a deadlock. */
export const MAX_ATTEMPTS = 5;

/** SQLSTATEs of transactions PostgreSQL rolled back so that the client may retry them: nothing was committed. */
const RETRYABLE = new Set(['40001', '40P01']);

export const SCHEMA = 'CREATE TABLE IF NOT EXISTS registers (key text PRIMARY KEY, value int)';
const SELECT = 'SELECT value FROM registers WHERE key = $1';
const UPSERT = 'INSERT INTO registers (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value';
const UPDATE = 'UPDATE registers SET value = $2 WHERE key = $1';

/** How one attempt of an op's transaction ended. */
type Attempt = { done: Completion } | { retry: string };

/**
 * Where a transaction stood when it broke, which decides what the history may say. Before COMMIT is sent,
 * nothing can have committed: PostgreSQL rolls back an open transaction on any error and when its connection
 * goes, and this client never sends another statement on a connection it gave up on — so `fail`. While COMMIT
 * is in flight the transaction may have committed with the answer lost (a timeout, a reset, a server killed
 * after its commit record reached disk): `info`.
 */
class TxError extends Error {
  constructor(
    readonly stage: 'statement' | 'commit',
    override readonly cause: unknown,
  ) {
    super(describe(cause));
  }
}

/**
 * A logical process's connection to one PostgreSQL server: read, write and cas of the `registers` table, each
 * op one transaction at the behaviour's isolation level. One pg.Client, opened on the first op and again on the
 * op after one that broke it; one op in flight at a time (the harness's contract).
 */
export class PostgresClient implements Client {
  private conn: pg.Client | undefined;
  private closed = false;
  private readonly rng: Rng;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly behaviour: Behaviour,
    process: number,
  ) {
    this.rng = new Rng(process);
  }

  invoke(op: ClientOp, done: (c: Completion) => void): void {
    // perform() settles every outcome itself; a throw here would be a bug, and its outcome is unknown.
    this.perform(op).then(done, (e: unknown) => done({ type: 'info', error: describe(e) }));
  }

  close(): void {
    this.closed = true;
    this.discard();
  }

  private async perform(op: ClientOp): Promise<Completion> {
    if (op.f !== 'read' && op.f !== 'write' && op.f !== 'cas') return { type: 'fail', value: op.value, error: `unknown operation ${op.f}` };
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(op);
      if ('done' in outcome) return outcome.done;
      // A serialization failure or deadlock: PostgreSQL rolled the whole transaction back, so it is safe to run
      // again. After MAX_ATTEMPTS it certainly did not happen.
      if (attempt >= MAX_ATTEMPTS) return { type: 'fail', value: op.value, error: `${outcome.retry} (${attempt} attempts)` };
      await sleep(this.rng.int(5 << attempt));
    }
  }

  private async attempt(op: ClientOp): Promise<Attempt> {
    let conn: pg.Client;
    try {
      conn = await this.connection();
    } catch (e) {
      return { done: { type: 'fail', value: op.value, error: `connect: ${describe(e)}` } };
    }
    try {
      return { done: await this.transaction(conn, op) };
    } catch (e) {
      if (!(e instanceof TxError)) throw e;
      await this.rollback(conn, e.cause);
      // Serialization failures also come as the answer to COMMIT (SSI checks at commit), before anything is
      // committed: retried like the others. Any other error while COMMIT was in flight is taken as unknown.
      if (e.cause instanceof pg.DatabaseError && RETRYABLE.has(e.cause.code ?? '')) return { retry: e.message };
      // A read changes nothing, so a read that broke anywhere certainly did not happen.
      if (e.stage === 'commit' && op.f !== 'read') return { done: { type: 'info', error: `commit: ${e.message}` } };
      return { done: { type: 'fail', value: op.value, error: e.message } };
    }
  }

  /** One op as one transaction; a broken statement is thrown as a TxError saying where it broke. */
  private async transaction(conn: pg.Client, op: ClientOp): Promise<Completion> {
    const key = String(op.key);
    const statement = async (text: string, values?: unknown[]) => {
      try {
        return await conn.query(text, values);
      } catch (e) {
        throw new TxError('statement', e);
      }
    };
    await statement(`BEGIN ISOLATION LEVEL ${this.behaviour.isolation}`);
    let completion: Completion;
    switch (op.f) {
      case 'read': {
        const rows = (await statement(SELECT, [key])).rows as { value: number | null }[];
        // The value is not yet known to be serializable: PostgreSQL's SSI vouches for what a SERIALIZABLE
        // transaction read only once it commits, read-only ones included. So reads commit too.
        completion = { type: 'ok', value: rows[0]?.value ?? null };
        break;
      }
      case 'write':
        await statement(UPSERT, [key, op.value]);
        completion = { type: 'ok', value: op.value };
        break;
      default: {
        const [from, to] = op.value as [unknown, unknown];
        const rows = (await statement(SELECT, [key])).rows as { value: number | null }[];
        const current = rows[0]?.value ?? null;
        if (current !== from) {
          await this.rollback(conn);
          return { type: 'fail', value: op.value, error: 'cas mismatch' };
        }
        // Not `WHERE value = $from`: the check above is the cas. Under SERIALIZABLE that is enough — a row
        // changed since this transaction's snapshot makes the UPDATE (or COMMIT) fail with 40001. Under
        // READ COMMITTED it is the classic lost update: two cas from the same value both succeed.
        await statement(UPDATE, [key, to]);
        completion = { type: 'ok', value: op.value };
      }
    }
    let result: pg.QueryResult;
    try {
      result = await conn.query('COMMIT');
    } catch (e) {
      throw new TxError('commit', e);
    }
    // COMMIT of a transaction PostgreSQL had already aborted answers with the tag ROLLBACK, not an error.
    if (result.command !== 'COMMIT') return { type: 'fail', value: op.value, error: `COMMIT answered ${result.command}` };
    return completion;
  }

  /**
   * Ends the transaction after an error or a cas mismatch, so the connection can serve the next op. A
   * connection that broke (no answer, reset, FATAL) or will not roll back is dropped; the next op opens another.
   */
  private async rollback(conn: pg.Client, cause?: unknown): Promise<void> {
    if (cause !== undefined && !(cause instanceof pg.DatabaseError && cause.severity === 'ERROR')) return this.discard();
    try {
      await conn.query('ROLLBACK');
    } catch {
      this.discard();
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.closed) throw new Error('client closed');
    if (this.conn) return this.conn;
    const conn = new pg.Client(this.config);
    // An idle connection whose server died emits 'error'; unheard, it would crash the harness.
    conn.on('error', () => {
      if (this.conn === conn) this.discard();
    });
    this.conn = conn;
    try {
      await conn.connect();
    } catch (e) {
      this.discard();
      throw e;
    }
    return conn;
  }

  /** Forgets the connection. end() destroys the socket at once when a query is still out (a paused server). */
  private discard(): void {
    const conn = this.conn;
    this.conn = undefined;
    conn?.end().catch(() => {});
  }
}

/** The settings every connection of the target uses. */
export function connectionConfig(endpoint: { host: string; port: number }, process: number | string): pg.ClientConfig {
  return {
    host: endpoint.host,
    port: endpoint.port,
    user: 'postgres',
    database: 'postgres',
    application_name: `faultline-${process}`,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    // A session the client abandoned mid-transaction (its socket half-open) must not hold row locks for long.
    idle_in_transaction_session_timeout: 5000,
    keepAlive: true,
  };
}

/** A PostgreSQL error as `SQLSTATE: message`, another Error as its first line (or its name); shared with pg-2pc. */
export function describe(e: unknown): string {
  if (e instanceof pg.DatabaseError) return `${e.code ?? 'error'}: ${e.message}`;
  if (e instanceof Error) return e.message.split('\n')[0] || e.name;
  return String(e);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
