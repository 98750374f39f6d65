import type { Sql, Statement } from '../postgres/session.js';
import { gidOf } from './protocol.js';

/**
 * The coordinator's SQL, built with postgres.js: tagged templates (values travel as parameters), except the
 * two-phase-commit commands, which are utility statements that take no parameters — their transaction id has to
 * be a string literal in the text, quoted here.
 */

/** A string as an SQL literal (standard_conforming_strings, PostgreSQL's default since 9.1: only ' is special). */
export function literal(s: string): string {
  if (s.includes('\0')) throw new Error('an SQL literal cannot hold NUL');
  return `'${s.replaceAll("'", "''")}'`;
}

/** One branch of a transfer: the balance changes made at one participant. */
export interface Update {
  account: number;
  delta: number;
}

/**
 * Phase 1 at one participant, sent at once: BEGIN; an UPDATE per account; the transfer's marker; PREPARE
 * TRANSACTION. The answers are in this order: [BEGIN, …updates, INSERT, PREPARE TRANSACTION].
 */
export function prepareTransfer(sql: Sql, id: number, updates: readonly Update[]): Statement[] {
  return [
    sql`BEGIN`,
    ...updates.map((u) => sql`UPDATE accounts SET balance = balance + ${u.delta} WHERE id = ${u.account}`),
    sql`INSERT INTO markers (txid) VALUES (${id})`,
    sql.unsafe(`PREPARE TRANSACTION ${literal(gidOf(id))}`),
  ];
}

/** Phase 2 at one participant: COMMIT PREPARED or ROLLBACK PREPARED of transfer `id`. */
export function resolvePrepared(sql: Sql, id: number, action: 'commit' | 'rollback'): Statement {
  return sql.unsafe(`${action === 'commit' ? 'COMMIT' : 'ROLLBACK'} PREPARED ${literal(gidOf(id))}`);
}

/** The transactions of this database still prepared by a coordinator (`fl-` gids), as rows `{gid}`. */
export const preparedGids = (sql: Sql): Statement =>
  sql`SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'fl-%' AND database = current_database() ORDER BY gid`;

/** A read's share at one participant (strict 2PL: the locks stay until COMMIT): [BEGIN, accounts, markers]. */
export function lockedRead(sql: Sql, since: number): Statement[] {
  return [
    sql`BEGIN ISOLATION LEVEL READ COMMITTED`,
    sql`SELECT id, balance FROM accounts ORDER BY id FOR SHARE`,
    sql`SELECT txid FROM markers WHERE txid >= ${since} ORDER BY txid`,
  ];
}

/** The final read at one participant, one snapshot: [BEGIN, accounts, markers, prepared gids, COMMIT]. */
export function finalRead(sql: Sql): Statement[] {
  return [
    sql`BEGIN ISOLATION LEVEL REPEATABLE READ`,
    sql`SELECT id, balance FROM accounts ORDER BY id`,
    sql`SELECT txid FROM markers ORDER BY txid`,
    preparedGids(sql),
    sql`COMMIT`,
  ];
}
