import type { CallRef } from '../history/calls.js';
import type { CompletionType } from '../history/op.js';
import type { Validity } from '../linearizability/result.js';

/** How an add ended: `pending` = invoked and never completed (as unknown as `info`). */
export type AddStatus = CompletionType | 'pending';

/** One add as evidence: the element, how the add ended, and where to find its op. */
export interface AddRef extends CallRef {
  element: unknown;
  status: AddStatus;
}

/** The read the verdict rests on. */
export interface ReadRef extends CallRef {
  completeTime: number;
}

/** An element the final read returned although no add of it was ever invoked. */
export interface UnexpectedElement {
  element: unknown;
}

/** An element the final read returned more than once (a set holds each element once). */
export interface DuplicatedElement {
  element: unknown;
  times: number;
}

/**
 * Counts of distinct elements (an element added twice counts once: its best outcome, ok over info over fail).
 * Every count is exact; the lists of the result may be cut short (`SetCheckOptions.maxListed`).
 */
export interface SetCounts {
  /** Elements some add was invoked for. */
  attempted: number;
  /** Elements some add of was acknowledged (ok). */
  acknowledged: number;
  /** Elements every add of failed (certainly not added). */
  failed: number;
  /** Elements whose adds ended info or never completed (outcome unknown). */
  info: number;
  /** Distinct elements in the final read. */
  read: number;
  /** Acknowledged, and absent from the final read although acknowledged before it began: the anomaly. */
  lost: number;
  /** In the final read, never attempted. */
  unexpected: number;
  /** In the final read, although every add of it failed. */
  failedButPresent: number;
  /** Of unknown outcome, and in the final read: they did happen. */
  recovered: number;
  /** Acknowledged while the final read was running, and absent from it: a read need not see them (not lost). */
  unread: number;
  /** Elements the final read returned more than once (reported, not an anomaly: Jepsen reads the read as a set). */
  duplicated: number;
}

/**
 * Jepsen's set checker's verdict (`jepsen.checker/set`): every acknowledged add must be in the final read, and the
 * final read must hold nothing that was never added (or whose add failed).
 */
export interface SetResult {
  checker: 'set';
  /** false: lost, unexpected or failed-but-present elements; 'unknown': no usable final read. */
  valid: Validity;
  unknownReason?: string;
  /** Client ops looked at: add and read invocations. */
  ops: number;
  counts: SetCounts;
  /** The last ok read: the final read the verdict rests on. */
  finalRead?: ReadRef;
  /** Ok reads in the history (only the last one counts). */
  reads: number;
  /** The lists, sorted by element, each cut at `maxListed` (the counts say how many there are). */
  lost: AddRef[];
  /**
   * Every lost element, however many, by the second of the run (from the history's first op) its add was
   * invoked in: what the report plots when there are too many to mark one by one. Absent when none is lost, or
   * when the history's times span more than LOSS_SECONDS (they are not a run's nanoseconds).
   */
  lostPerSecond?: number[];
  unexpected: UnexpectedElement[];
  failedButPresent: AddRef[];
  recovered: AddRef[];
  duplicated: DuplicatedElement[];
  ms: number;
}

export interface SetCheckOptions {
  /** Longest list of elements kept per kind (default 1,000); counts are always exact. */
  maxListed?: number;
}
