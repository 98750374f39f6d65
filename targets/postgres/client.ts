import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import type { NodeCredentials } from '../../harness/runtimes/docker/target.js';
import { Rng } from '../../harness/rng.js';
import { describe, refusedByServer, retryable } from './errors.js';
import { PgSession, type SessionOptions, type Sql, type Statement } from './session.js';

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

export const schema = (sql: Sql): Statement => sql`CREATE TABLE IF NOT EXISTS registers (key text PRIMARY KEY, value int)`;

/** BEGIN at each isolation level, spelled out: a level is part of the statement, never a parameter. */
const BEGIN: Readonly<Record<Behaviour['isolation'], (sql: Sql) => Statement>> = {
  SERIALIZABLE: (sql) => sql`BEGIN ISOLATION LEVEL SERIALIZABLE`,
  'READ COMMITTED': (sql) => sql`BEGIN ISOLATION LEVEL READ COMMITTED`,
};

/** How one attempt of an op's transaction ended. */
type Attempt = { done: Completion } | { retry: string };

/**
 * Where a transaction stood when it broke, which decides what the history may say. Before COMMIT is sent,
 * nothing can have committed: PostgreSQL rolls back an open transaction on any error and when its connection
 * goes, and this client never sends another statement on a connection it gave up on (a PgSession never
 * reconnects) — so `fail`. While COMMIT is in flight the transaction may have committed with the answer lost (a
 * time-out, a reset, a server killed after its commit record reached disk): `info`.
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
 * op one transaction at the behaviour's isolation level. One PgSession (one connection), opened on the first op
 * and again on the op after one that broke it or found it lost; one op in flight at a time (the harness's contract).
 */
export class PostgresClient implements Client {
  private session: PgSession | undefined;
  private closed = false;
  private readonly rng: Rng;

  constructor(
    private readonly options: SessionOptions,
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
    let session: PgSession;
    try {
      session = await this.connection();
    } catch (e) {
      return { done: { type: 'fail', value: op.value, error: `connect: ${describe(e)}` } };
    }
    try {
      return { done: await this.transaction(session, op) };
    } catch (e) {
      if (!(e instanceof TxError)) throw e;
      await this.rollback(session, e.cause);
      // Serialization failures also come as the answer to COMMIT (SSI checks at commit), before anything is
      // committed: retried like the others. Any other error while COMMIT was in flight is taken as unknown.
      if (retryable(e.cause)) return { retry: e.message };
      // A read changes nothing, so a read that broke anywhere certainly did not happen.
      if (e.stage === 'commit' && op.f !== 'read') return { done: { type: 'info', error: `commit: ${e.message}` } };
      return { done: { type: 'fail', value: op.value, error: e.message } };
    }
  }

  /** One op as one transaction; a broken statement is thrown as a TxError saying where it broke. */
  private async transaction(session: PgSession, op: ClientOp): Promise<Completion> {
    const key = String(op.key);
    const statement = async (build: (sql: Sql) => Statement) => {
      try {
        return await session.one(build);
      } catch (e) {
        throw new TxError('statement', e);
      }
    };
    const select = async () => ((await statement((sql) => sql`SELECT value FROM registers WHERE key = ${key}`))[0]?.value ?? null) as number | null;
    await statement(BEGIN[this.behaviour.isolation]);
    let completion: Completion;
    switch (op.f) {
      case 'read': {
        // The value is not yet known to be serializable: PostgreSQL's SSI vouches for what a SERIALIZABLE
        // transaction read only once it commits, read-only ones included. So reads commit too.
        completion = { type: 'ok', value: await select() };
        break;
      }
      case 'write': {
        const value = op.value as number;
        await statement((sql) => sql`INSERT INTO registers (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`);
        completion = { type: 'ok', value: op.value };
        break;
      }
      default: {
        const [from, to] = op.value as [unknown, number];
        if ((await select()) !== from) {
          await this.rollback(session);
          return { type: 'fail', value: op.value, error: 'cas mismatch' };
        }
        // Not `WHERE value = $from`: the check above is the cas. Under SERIALIZABLE that is enough — a row
        // changed since this transaction's snapshot makes the UPDATE (or COMMIT) fail with 40001. Under
        // READ COMMITTED it is the classic lost update: two cas from the same value both succeed.
        await statement((sql) => sql`UPDATE registers SET value = ${to} WHERE key = ${key}`);
        completion = { type: 'ok', value: op.value };
      }
    }
    let command: string;
    try {
      command = (await session.one((sql) => sql`COMMIT`)).command;
    } catch (e) {
      throw new TxError('commit', e);
    }
    // COMMIT of a transaction PostgreSQL had already aborted answers with the tag ROLLBACK, not an error.
    if (command !== 'COMMIT') return { type: 'fail', value: op.value, error: `COMMIT answered ${command}` };
    return completion;
  }

  /**
   * Ends the transaction after an error or a cas mismatch, so the connection can serve the next op. A
   * connection that broke (no answer, reset, FATAL) or will not roll back is dropped; the next op opens another.
   */
  private async rollback(session: PgSession, cause?: unknown): Promise<void> {
    if (cause !== undefined && !refusedByServer(cause)) return this.discard();
    try {
      await session.one((sql) => sql`ROLLBACK`);
    } catch {
      this.discard();
    }
  }

  /** This process's session; a new one (connected here) when there is none or the last one lost its connection. */
  private async connection(): Promise<PgSession> {
    if (this.closed) throw new Error('client closed');
    if (this.session?.usable) return this.session;
    // An idle session whose server died was lost without an error to anyone: forget it, open another.
    this.discard();
    const session = new PgSession(this.options);
    this.session = session;
    try {
      await session.connect();
    } catch (e) {
      this.discard();
      throw e;
    }
    return session;
  }

  /** Forgets the session, closing it without waiting (a reset when it broke). */
  private discard(): void {
    const session = this.session;
    this.session = undefined;
    session?.close();
  }
}

/**
 * The settings every session of the target uses; `credentials` are the user's (a server they run), absent for
 * faultline's own servers (the postgres superuser, trust).
 */
export function sessionOptions(endpoint: { host: string; port: number }, process: number | string, credentials?: NodeCredentials): SessionOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    ...credentials,
    application: `faultline-${process}`,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    queryTimeoutMs: QUERY_TIMEOUT_MS,
    settings: {
      statement_timeout: STATEMENT_TIMEOUT_MS,
      // A session the client abandoned mid-transaction (its socket half-open) must not hold row locks for long.
      idle_in_transaction_session_timeout: 5000,
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
