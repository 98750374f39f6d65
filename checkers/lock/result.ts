import type { CallRef } from '../history/calls.js';
import type { Validity } from '../linearizability/result.js';

/** A critical section's access to the protected resource, as evidence: the call, what it read or wrote, its token. */
export interface AccessRef extends CallRef {
  f: 'read' | 'write';
  value: number;
  token: number | null;
  fenced: boolean;
}

/** A holder of a lock as its client saw it: from its acquire's ok to its release (or its crash, or the end). */
export interface Hold {
  process: number;
  /** The acquire call. */
  acquire: CallRef;
  /** The release call that ended it, if any. */
  release?: CallRef;
  token: number | null;
  lease?: string;
  redisKey?: string;
  /** The servers that granted the lock. */
  nodes: string[];
  /**
   * When the hold began (the acquire's ok) and ended (the release's invocation, the crash; open: its process's last
   * completion, or the history's end while an op of it was in flight), ns.
   */
  from: number;
  to: number;
  /** How it ended: released (ok), lost (the release found the lock was not its own), crashed (info), or open (never released). */
  end: 'released' | 'lost' | 'crashed' | 'open';
}

/** Two holders at once: both had an ok acquire and neither had begun to release. */
export interface Overlap {
  key: unknown;
  first: Hold;
  second: Hold;
  /** The time both held (ns). */
  from: number;
  to: number;
}

/** Two acknowledged writes of the same value: one read-modify-write's increment overwrote the other's. */
export interface LostUpdate {
  key: unknown;
  value: number;
  writes: AccessRef[];
}

/** An acknowledged write above the final value: a later write of a stale value took the counter back. */
export interface Overwritten {
  key: unknown;
  write: AccessRef;
  final: number;
}

/** The resource took an access with a token lower than one it had already taken (a fenced resource must refuse it). */
export interface FencingViolation {
  key: unknown;
  accepted: AccessRef;
  after: AccessRef;
}

/** Per lock: its counts, the final value, and whether the mutex model explains its acquires and releases. */
export interface LockKeyResult {
  key: unknown;
  acquired: number;
  okWrites: number;
  refused: number;
  final?: number;
  /** The mutex model (Knossos's) over the acquires and releases: true when some order of them is a lock's. */
  mutex: Validity;
  overlaps: number;
}

/**
 * The lock checker's verdict. `valid` is the resource's safety: no acknowledged increment lost (no two acknowledged
 * writes of one value, none above the final value) and, for fenced accesses, none taken after a higher token.
 * Mutual exclusion as the clients saw it is reported beside it (`mutualExclusion`), not part of the verdict: with
 * fencing, a resource can stay safe while two clients believed they held the lock.
 */
export interface LockResult {
  checker: 'lock';
  valid: Validity;
  unknownReason?: string;
  ops: number;
  keys: LockKeyResult[];
  /** Whether every lock kept mutual exclusion as its clients saw it (the mutex model, and no overlapping holds). */
  mutualExclusion: boolean;
  /** Whether the resource checked tokens on every access it took (all fenced), on none, or on some. */
  fencing: 'all' | 'none' | 'some';
  overlaps: Overlap[];
  lostUpdates: LostUpdate[];
  overwritten: Overwritten[];
  fencingViolations: FencingViolation[];
  /** Evidence from the mutex model where no two holds overlap for certain (an order none of the acquires fits). */
  mutexAnomalies: { key: unknown; op: number; reason: string }[];
  ms: number;
}
