import type { CallRef } from '../history/calls.js';
import type { CompletionType } from '../history/op.js';
import type { Validity } from '../linearizability/result.js';

/** How a transfer ended: `pending` = invoked and never completed (as unknown as `info`). */
export type TransferStatus = CompletionType | 'pending';

/** One transfer as evidence: its id, how it ended, what it asked, where it touched, and where to find its op. */
export interface TransferRef extends CallRef {
  id: number;
  status: TransferStatus;
  /** The invocation's accounts and amount, when it gave them. */
  from?: unknown;
  to?: unknown;
  amount?: unknown;
  /** The participants the transfer touches (absent: neither its invocation nor its completion said). */
  participants?: string[];
}

/** A read (or the final read) as evidence. */
export interface ReadRef extends CallRef {
  /** `read` or `final-read`. */
  f: string;
  /** A read judges only the transfers with an id ≥ `since` (absent for the final read: it holds every marker). */
  since?: number;
  completeTime: number;
}

/** The kinds of anomaly, in the order results list them and prose explains them. */
export const ANOMALY_KINDS = [
  'partial-commit',
  'lost-commit',
  'aborted-visible',
  'in-doubt-left',
  'fractured-read',
  'balance-not-conserved',
  'unexpected-marker',
  'misplaced-marker',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** Where a transfer's marker is, and is not, among the participants it touches. */
interface Presence {
  presentAt: string[];
  absentAt: string[];
}

/** The final read holds the transfer's marker at some of its participants but not all (whatever its outcome). */
export interface PartialCommit extends Presence {
  kind: 'partial-commit';
  id: number;
  transfer: TransferRef;
}

/**
 * An acknowledged (ok) transfer whose marker the final read lacks at some participant: everywhere, or at some (a
 * partial commit that was acknowledged is both a partial-commit and a lost-commit).
 */
export interface LostCommit extends Presence {
  kind: 'lost-commit';
  id: number;
  transfer: TransferRef;
}

/** A failed transfer (certainly aborted) whose marker the final read holds at some participant. */
export interface AbortedVisible extends Presence {
  kind: 'aborted-visible';
  id: number;
  transfer: TransferRef;
}

/** A transaction still prepared (PREPARE TRANSACTION, never COMMIT/ROLLBACK PREPARED) after recovery. */
export interface InDoubtLeft {
  kind: 'in-doubt-left';
  id: number;
  /** The transfer of that id (absent: no transfer had it). */
  transfer?: TransferRef;
  /** The participants whose pg_prepared_xacts still hold it. */
  preparedAt: string[];
}

/** An ok read saw a transfer's marker at some of its participants but not all, though it read all of them. */
export interface FracturedRead extends Presence {
  kind: 'fractured-read';
  id: number;
  transfer: TransferRef;
  read: ReadRef;
}

/** A read (or the final read) whose total of all balances is not the expected total: money made or destroyed. */
export interface BalanceNotConserved {
  kind: 'balance-not-conserved';
  read: ReadRef;
  /** Whether it is the final read. */
  final: boolean;
  expected: number;
  observed: number;
}

/** A marker in the final read with an id no transfer had. */
export interface UnexpectedMarker {
  kind: 'unexpected-marker';
  id: number;
  /** The participants holding it. */
  presentAt: string[];
}

/** A marker in the final read at a participant its transfer does not touch. */
export interface MisplacedMarker {
  kind: 'misplaced-marker';
  id: number;
  transfer: TransferRef;
  /** The participants holding it that the transfer does not touch. */
  presentAt: string[];
}

export type AtomicityAnomaly = PartialCommit | LostCommit | AbortedVisible | InDoubtLeft | FracturedRead | BalanceNotConserved | UnexpectedMarker | MisplacedMarker;

/** Where the expected total of all balances came from. */
export type TotalFrom = 'option' | 'first-read' | 'final-read';

/**
 * Counts over the whole history; every count is exact (the lists of anomalies may be cut short, see
 * `TwoPhaseCommitOptions.maxListed`).
 */
export interface TwoPhaseCommitCounts {
  /** Transfers invoked (distinct ids). */
  transfers: number;
  ok: number;
  fail: number;
  /** Ended info, or never completed: outcome unknown. */
  info: number;
  /** Neither invocation nor completion named the participants: not judged for atomicity. */
  withoutParticipants: number;
  /** Named a participant the final read did not read: not judged by it. */
  uncovered: number;
  /** Invoked, or completed, only after the final read began: a final read need not see them; not judged. */
  concurrentWithFinalRead: number;
  /** Judged against the final read (0 without one). */
  judged: number;
  /** Of those: marker at every participant the transfer touches. */
  committed: number;
  /** Marker at none of them. */
  aborted: number;
  /** Marker at some but not all: partial commits. */
  partial: number;
  /** Of unknown outcome and judged: committed everywhere, and aborted everywhere. */
  infoCommitted: number;
  infoAborted: number;
  /** Ok reads (not counting the final read). */
  reads: number;
  /** Ok reads that did not read every participant of the final read: their totals are not judged. */
  partialReads: number;
  /** Markers the ok reads returned (≥ their `since`). */
  readMarkers: number;
  /** Markers in the final read, over all participants. */
  finalMarkers: number;
  /** Distinct ids still prepared somewhere in the final read. */
  prepared: number;
}

/**
 * The 2PC-atomicity checker's verdict: every distributed transaction (a transfer) committed at all of its
 * participants or at none; acknowledged ones at all, failed ones at none; nothing left prepared; reads that never
 * see half a transaction; money neither made nor destroyed.
 */
export interface TwoPhaseCommitResult {
  checker: '2pc';
  /** false: any anomaly; 'unknown': no ok final read (and no anomaly in the reads); true otherwise. */
  valid: Validity;
  unknownReason?: string;
  /** Client ops looked at: transfer, read and final-read invocations. */
  ops: number;
  counts: TwoPhaseCommitCounts;
  /** Exact count of each kind of anomaly (0 for the kinds not found). */
  anomalyCounts: Record<AnomalyKind, number>;
  /**
   * The anomalies, by kind in ANOMALY_KINDS order; within a kind by id (fractured reads and balances by the
   * read's position in the history, the final read first). Each kind cut at `maxListed`.
   */
  anomalies: AtomicityAnomaly[];
  /** The participants the final read covers (else every participant named in the history), sorted. */
  participants: string[];
  /** The last ok final read, the one commitment is judged by. */
  finalRead?: ReadRef;
  /** The total of all balances the history is held to, and where it came from (absent: nothing to take it from). */
  expectedTotal?: number;
  totalFrom?: TotalFrom;
  /** The final read's total of all balances. */
  finalTotal?: number;
  /** Participant → ids still prepared there in the final read (each list sorted, cut at `maxListed`). */
  inDoubt: Record<string, number[]>;
  ms: number;
}

export interface TwoPhaseCommitOptions {
  /** The total of all balances (else the first ok read's total, else the final read's). */
  total?: number;
  /** Longest list of anomalies kept per kind (default 1,000); counts are always exact. */
  maxListed?: number;
}
