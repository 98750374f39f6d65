import type { BugTable } from '../bugs.js';

/**
 * What the harness's clients and the coordinator say to each other (JSON over the process transport, each request
 * answered with a reply carrying its `rid`), and the names both sides share: the bank's layout over the
 * participants, the global transaction ids, the coordinator's bugs.
 */

/** The coordinator's node id, and the port it listens on inside its container. */
export const COORDINATOR = 'c1';
export const COORDINATOR_PORT = 7000;

/** Every account starts with this balance; each participant holds ACCOUNTS_PER_PARTICIPANT of them. */
export const INITIAL_BALANCE = 100;
export const ACCOUNTS_PER_PARTICIPANT = 2;
/** Participants when the run does not say (the bank workload draws its accounts from this many). */
export const DEFAULT_PARTICIPANTS = 3;

/** A transfer of `amount` from one account to another: one distributed transaction, `id` unique in the run. */
export interface Transfer {
  id: number;
  from: number;
  to: number;
  amount: number;
}

export type Request =
  | ({ type: 'transfer' } & Transfer)
  | { type: 'read'; since: number }
  | { type: 'final-read' }
  /** Whether the coordinator is up and done with recovery (the harness's readiness probe). */
  | { type: 'status' };

/** What one participant showed a read: balances by account id (as a string key), marker ids ascending. */
export interface ParticipantRead {
  balances: Record<string, number>;
  markers: number[];
}

/** The final read adds the ids of the `fl-` transactions still prepared (in doubt) there. */
export interface ParticipantFinalRead extends ParticipantRead {
  prepared: number[];
}

/**
 * A reply: `ok` (it happened), `fail` (it certainly did not), or `info` (the coordinator cannot tell). A read's
 * value is `{since, participants}`, a final read's `{participants}`. `status` answers `{type: 'ok', recovered}`.
 */
export interface Reply {
  type: 'ok' | 'fail' | 'info';
  value?: unknown;
  error?: string;
  recovered?: boolean;
}

/** Errors the coordinator answers while it cannot serve yet (the client may ask again). */
export const RECOVERING = 'recovering';

/** Participant names for P participants: p1…pP. */
export function participantNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `p${i + 1}`);
}

/** Account a lives on participant a mod P (0-based index into the participant list). */
export const homeOf = (account: number, participants: number): number => account % participants;

/** The accounts participant `index` holds: index, index + P, … (ACCOUNTS_PER_PARTICIPANT of them). */
export function accountsOf(index: number, participants: number): number[] {
  return Array.from({ length: ACCOUNTS_PER_PARTICIPANT }, (_, k) => index + k * participants);
}

/** The participants a transfer touches, in participant order (the names as the history records them). */
export function participantsOf(t: Pick<Transfer, 'from' | 'to'>, names: readonly string[]): string[] {
  const homes = new Set([homeOf(t.from, names.length), homeOf(t.to, names.length)]);
  return [...homes].sort((a, b) => a - b).map((i) => names[i]);
}

/** The PREPARE TRANSACTION identifier of transfer `id`, and back (undefined: not one of ours). */
export const gidOf = (id: number): string => `fl-${id}`;
export function idOfGid(gid: string): number | undefined {
  const m = /^fl-(\d+)$/.exec(gid);
  return m ? Number(m[1]) : undefined;
}

/**
 * How the coordinator runs two-phase commit: correctly, or with one of the bugs below switched on.
 * - `decisionLog`: the commit decision is written (fsynced) before the first COMMIT PREPARED;
 * - `commitEarly`: COMMIT PREPARED goes to a participant as soon as it has prepared, before the others have;
 * - `recovery`: on start, and every few seconds after, prepared transactions are resolved by the decision log.
 */
export interface Behaviour {
  decisionLog: boolean;
  commitEarly: boolean;
  recovery: boolean;
}

export const CORRECT: Behaviour = { decisionLog: true, commitEarly: false, recovery: true };

export const BUGS: BugTable<Behaviour> = {
  // Commit decisions live in memory only: a coordinator killed between its COMMIT PREPARED calls comes back,
  // presumes abort for what it finds prepared, and rolls back the half it had not committed yet.
  'no-decision-log': { decisionLog: false },
  // A participant commits as soon as it has prepared; when a later participant cannot prepare (it is down or cut
  // off), the transfer is reported failed, yet the first participant's half stays committed.
  'commit-before-all-prepared': { commitEarly: true },
  // A restarted coordinator leaves what it finds prepared alone: in-doubt transactions hold their row locks forever.
  'no-recovery': { recovery: false },
};
