import type { CallRef } from '../history/calls.js';
import type { CheckResult, Validity } from '../linearizability/result.js';

/**
 * A read that returned a value already overwritten for certain: a write W' of the same key began after the write of
 * the value read had completed, and completed before the read began (for a read of nothing, any acknowledged write
 * did). With unique values, every linearization puts the value's write, then W', then the read: a sound subset of
 * the linearizability violations, with the age a reader cares about.
 */
export interface StaleRead {
  key: unknown;
  read: CallRef;
  /** What the read returned (null: nothing, the key never written). */
  value: number | null;
  /** The write the value came from (absent for a read of nothing). */
  write?: CallRef;
  /** The first write W' that made it stale (the earliest acknowledged), and its value. */
  newer: number;
  newerWrite: CallRef;
  /** From W's acknowledgement to the read's invocation (ms): how old the value served was. */
  ageMs: number;
  /** Whether the cache served it (true), the database on a miss (false), or the client did not say. */
  hit?: boolean;
}

/** A key's convergence after the faults healed, from its settle. */
export interface KeyConvergence {
  key: unknown;
  /** converged: the cache agreed with the database; stale: still not at the settle's deadline; unknown: no ok settle. */
  status: 'converged' | 'stale' | 'unknown';
  /** The settle's call (absent: the key was written but had none). */
  settle?: CallRef;
  db?: number | null;
  /** The cache's value (null: absent from the cache). */
  cache?: number | null;
  /** How long the cache disagreed from the settle's start (ms); when stale, how long it waited. */
  staleMs?: number;
  /** Why the status is unknown. */
  why?: string;
}

/** Median, 95th percentile (nearest rank) and maximum, ms. */
export interface Spread {
  count: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

/**
 * The cache's figures, from the history alone: how often reads hit, how fast hits and misses were, and how old the
 * stale values served were. Unknown (hitRatio null, with a reason) when no read says whether it hit.
 */
export interface CacheFigures {
  /** Reads that returned ok. */
  okReads: number;
  /** Of those, the ones whose completion carries `hit`. */
  withHit: number;
  hits: number;
  misses: number;
  /** hits / withHit; null when no read carries `hit`. */
  hitRatio: number | null;
  unknownReason?: string;
  /** Invocation to ok of the hits and of the misses. */
  hitLatency?: Spread;
  missLatency?: Spread;
  /** The ages of the stale values served (every stale read, not only those listed). */
  staleAge: { count: number; medianMs?: number; maxMs?: number };
}

/**
 * The cache checker's verdict: the conjunction of its guarantees, each kept apart so that a report can say which
 * one a mode kept. `valid` = linearizable ∧ converged (false beats unknown beats true); stale reads are evidence of
 * non-linearizability with their age; the figures are never part of the verdict.
 */
export interface CacheResult {
  checker: 'cache';
  valid: Validity;
  unknownReason?: string;
  /** Client invocations (reads, writes, settles). */
  ops: number;
  /** The reads and writes checked under the register model, per key (faultline's linearizability checker). */
  linearizable: Validity;
  linearizability: CheckResult;
  /** Stale reads, the first MAX_LISTED (staleReadCount counts them all). */
  staleReads: StaleRead[];
  staleReadCount: number;
  converged: Validity;
  convergence: KeyConvergence[];
  /** The longest a converged key's cache disagreed during its settle (ms); absent when none converged. */
  maxStaleMs?: number;
  figures: CacheFigures;
  ms: number;
}
