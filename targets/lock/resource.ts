import { usageError } from '../../harness/errors.js';
import type { NodeCredentials } from '../../harness/runtimes/docker/target.js';
import { sessionOptions } from '../postgres/client.js';
import { refusedByServer } from '../postgres/errors.js';
import { PgSession, type Sql, type Statement } from '../postgres/session.js';

/** Counters the resource holds, one per lock key (keys 0 … MAX_KEYS - 1). */
export const MAX_KEYS = 64;

/**
 * The protected resource's tables in PostgreSQL: a counter per lock key with the highest fencing token it has seen,
 * and the sequence fencing tokens are drawn from. Idempotent: a cluster used again keeps its counters (the checker
 * judges increments, not absolute values) and its sequence only grows.
 */
const schema = (sql: Sql): Statement[] => [
  sql`CREATE SEQUENCE IF NOT EXISTS faultline_fencing`,
  sql`CREATE TABLE IF NOT EXISTS faultline_lock_counters (key int PRIMARY KEY, value int NOT NULL, max_token bigint NOT NULL)`,
  sql`INSERT INTO faultline_lock_counters SELECT k, 0, 0 FROM generate_series(0, ${MAX_KEYS - 1}) AS k ON CONFLICT (key) DO NOTHING`,
];

/** Creates the resource's tables on the server (the target's ready check calls it once the server answers). */
export async function createResource(endpoint: { host: string; port: number }, credentials?: NodeCredentials): Promise<void> {
  const session = new PgSession(sessionOptions(endpoint, 'lock-setup', credentials));
  try {
    await session.batch(schema);
  } finally {
    session.close();
  }
}

/** An access the resource took, or refused because its token was lower than one it had seen. */
export type Access = { value: number } | { refused: string };

/**
 * The resource as one process reaches it: a counter per key in PostgreSQL, each access one autocommitted statement.
 *
 * Fenced (Kleppmann's fencing token, checked by the resource itself): every access, read or write, carries the
 * holder's token; the row keeps the highest token it has seen and refuses any access with a lower one, in the same
 * statement that does the access (an UPDATE … WHERE max_token <= token: PostgreSQL re-checks the condition after
 * waiting for a concurrent update, so two accesses never both pass on a stale maximum). Checking reads too is what
 * keeps a read-modify-write safe: a holder that read before a newer holder did cannot write its stale value back.
 * Unfenced: plain SELECT and UPDATE, whatever the token.
 */
export class LockResource {
  private session: PgSession | undefined;

  constructor(
    private readonly endpoint: { host: string; port: number },
    private readonly process: number,
    private readonly fenced: boolean,
    private readonly credentials?: NodeCredentials,
  ) {}

  /** A fresh fencing token from the resource's sequence. */
  async token(): Promise<number> {
    const rows = await this.run((sql) => sql`SELECT nextval('faultline_fencing')::int AS token`);
    return rows[0].token as number;
  }

  async read(key: number, token: number | null): Promise<Access> {
    if (!this.fenced || token === null) {
      const rows = await this.run((sql) => sql`SELECT value FROM faultline_lock_counters WHERE key = ${key}`);
      return { value: valueOf(rows, key) };
    }
    const rows = await this.run(
      (sql) => sql`UPDATE faultline_lock_counters SET max_token = ${token} WHERE key = ${key} AND max_token <= ${token} RETURNING value`,
    );
    return rows.length ? { value: rows[0].value as number } : { refused: await this.refusal(key, token) };
  }

  async write(key: number, token: number | null, value: number): Promise<Access> {
    if (!this.fenced || token === null) {
      const rows = await this.run((sql) => sql`UPDATE faultline_lock_counters SET value = ${value} WHERE key = ${key} RETURNING value`);
      return { value: valueOf(rows, key) };
    }
    const rows = await this.run(
      (sql) =>
        sql`UPDATE faultline_lock_counters SET value = ${value}, max_token = ${token} WHERE key = ${key} AND max_token <= ${token} RETURNING value`,
    );
    return rows.length ? { value: rows[0].value as number } : { refused: await this.refusal(key, token) };
  }

  /** The counter as it is, with no token (the final read, after every fault is healed). */
  async final(key: number): Promise<number> {
    const rows = await this.run((sql) => sql`SELECT value FROM faultline_lock_counters WHERE key = ${key}`);
    return valueOf(rows, key);
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }

  /** Why an access was refused, in the words of the evidence: the token against the highest one seen. */
  private async refusal(key: number, token: number): Promise<string> {
    try {
      const rows = await this.run((sql) => sql`SELECT max_token::int AS max FROM faultline_lock_counters WHERE key = ${key}`);
      return `fenced: token ${token} < ${String(rows[0]?.max)}, the highest the resource has seen`;
    } catch {
      return `fenced: token ${token} is lower than one the resource has seen`;
    }
  }

  /**
   * Opens this process's session when it has none that works (a round trip): what fails here sent nothing, so the
   * access that asked certainly did not happen.
   */
  async connect(): Promise<void> {
    if (this.session?.usable) return;
    this.session?.close();
    const session = new PgSession(sessionOptions(this.endpoint, `lock-${this.process}`, this.credentials));
    this.session = session;
    await session.connect();
  }

  /** One statement on this process's session (connect() opened it). */
  private async run(build: (sql: Sql) => Statement) {
    if (!this.session?.usable) throw new Error('no session (connect first)');
    return this.session.one(build);
  }
}

function valueOf(rows: readonly Record<string, unknown>[], key: number): number {
  if (rows.length !== 1) throw usageError(`the lock resource has no counter ${key} (keys 0 to ${MAX_KEYS - 1})`);
  return rows[0].value as number;
}

