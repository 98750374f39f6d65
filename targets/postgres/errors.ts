import postgres from 'postgres';

/**
 * What an error from postgres.js says about a statement's effect, shared by the postgres and pg-2pc targets.
 *
 * postgres.js raises two kinds of error. A `PostgresError` is the server's own ErrorResponse: `.code` is the
 * SQLSTATE, `.severity` ERROR (the statement was refused; the session lives on) or FATAL/PANIC (the server is
 * ending the session). Anything else — CONNECT_TIMEOUT, CONNECTION_CLOSED, CONNECTION_DESTROYED,
 * CONNECTION_ENDED, ECONNRESET, ECONNREFUSED, a time-out of ours — is the client losing the session, after which
 * nobody can tell whether a statement in flight ran.
 */

/** SQLSTATEs of transactions PostgreSQL rolled back so that the client may retry them: nothing was committed. */
export const SERIALIZATION_FAILURE = '40001';
export const DEADLOCK_DETECTED = '40P01';

/** The PostgreSQL error of a prepared transaction that does not exist (already resolved, or never prepared). */
export const UNDEFINED_OBJECT = '42704';

export function isPostgresError(e: unknown): e is postgres.PostgresError {
  return e instanceof postgres.PostgresError;
}

/** The SQLSTATE of a server error; undefined for anything the server did not say. */
export function sqlState(e: unknown): string | undefined {
  return isPostgresError(e) ? e.code : undefined;
}

/**
 * Whether the server itself refused a statement (an ERROR answer): then it certainly had no effect beyond aborting
 * the transaction, and the connection still works. Anything else (a time-out, a reset, a FATAL) leaves what the
 * server did unknown.
 */
export function refusedByServer(e: unknown): e is postgres.PostgresError {
  return isPostgresError(e) && (e.severity ?? e.severity_local) === 'ERROR';
}

/**
 * Whether the server refused the login itself: a wrong or missing password, a role or database it does not know, no
 * pg_hba.conf line for this client (class 28, invalid authorization; 3D000, no such database). The user's to fix:
 * asking again will not change the answer.
 */
export function refusedLogin(e: unknown): e is postgres.PostgresError {
  const code = sqlState(e);
  return code !== undefined && (code.startsWith('28') || code === '3D000');
}

/** Serialization failure or deadlock: PostgreSQL rolled the whole transaction back and says to run it again. */
export function retryable(e: unknown): boolean {
  const code = sqlState(e);
  return code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED;
}

/** A PostgreSQL error as `SQLSTATE: message`, another Error as its first line (or its name). */
export function describe(e: unknown): string {
  if (isPostgresError(e)) return `${e.code ?? 'error'}: ${e.message}`;
  if (e instanceof Error) return e.message.split('\n')[0] || e.name;
  return String(e);
}
