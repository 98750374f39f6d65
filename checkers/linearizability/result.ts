import type { Key } from '../history/op.js';

/** Jepsen's three verdicts: false beats unknown beats true when results are merged. */
export type Validity = true | false | 'unknown';

export function mergeValid(a: Validity, b: Validity): Validity {
  if (a === false || b === false) return false;
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return true;
}

/** One op as it appears in evidence: enough to find it in the history and to read it. */
export interface OpRef {
  /** Dense op id in the completed history. */
  id: number;
  process: number;
  f: string;
  value: unknown;
  key?: Key;
  status: 'ok' | 'info';
  invokeIndex: number;
  completeIndex: number;
  line?: number;
  completeLine?: number;
  /** The model's rendering, e.g. "cas 3→4". */
  text: string;
}

/** One step of a candidate linearization: the op and the state it left the model in. */
export interface LinearizedStep {
  op: OpRef;
  state: string;
}

/**
 * A linearization the search found for everything up to the failing op, and why the failing op could not follow it
 * (Knossos's final-paths).
 */
export interface Candidate {
  /** The last steps of the linearization (the full one can be long), oldest first. */
  steps: LinearizedStep[];
  /** How many linearized steps precede `steps` and were left out. */
  omitted: number;
  /** State after the last step: the one that refused `op`. */
  state: string;
  /** The model's reason, e.g. "can't read 3 from register 4". */
  reason: string;
}

/** Evidence that a partition (key) is not linearizable. */
export interface LinearizabilityAnomaly {
  type: 'nonlinearizable';
  key?: Key;
  /** The first op (by completion) that no linearization of the ops before it can take. */
  op: OpRef;
  /** The last op completed before it: everything up to here linearizes. */
  previousOk?: OpRef;
  candidates: Candidate[];
  /** Ops concurrent with `op` (invoked before it returned and not returned before it was invoked). */
  concurrent: OpRef[];
}

export interface PartitionResult {
  key?: Key;
  valid: Validity;
  ops: number;
  /** Why the verdict is unknown (time limit, memory limit, cancelled). */
  unknownReason?: string;
  anomaly?: LinearizabilityAnomaly;
  /** Search effort: configurations visited and cached. */
  explored: number;
  cached: number;
  ms: number;
}

export interface CheckResult {
  valid: Validity;
  model: string;
  /** Client operations checked (ok + info; fail ops are not). */
  ops: number;
  keys: number;
  ms: number;
  anomalies: LinearizabilityAnomaly[];
  unknownReason?: string;
  /** Per-key results that are not valid (valid keys are only counted, to keep results small). */
  partitions: PartitionResult[];
  stats: {
    ok: number;
    fail: number;
    info: number;
    pending: number;
    nemesis: number;
    validKeys: number;
    unknownKeys: number;
    invalidKeys: number;
    /** Keys that needed more than the triage's step budget, and the threads that searched them. */
    hardKeys: number;
    threads: number;
    /** Why the search stayed in this thread although workers were allowed (a model value without a source). */
    mainThreadOnly?: string;
    /** Why fewer worker threads ran than `workers` asked for: no more than the keys, nor than the cores. */
    threadsCapped?: string;
  };
}

export interface CheckOptions {
  /** Wall-clock budget for the whole check; past it, unchecked keys are unknown. */
  timeLimitMs?: number;
  /** Budget for the search's memo tables (bytes, all keys together); past it a key is unknown. */
  memoryLimitBytes?: number;
  /** Worker threads for the keys that need a real search: 0 or 1 = this thread only; default one per core. */
  workers?: number;
  /** How many candidate linearizations to keep as evidence per illegal key. */
  candidates?: number;
  /**
   * Configurations a key may explore in this thread before it counts as hard and goes to a worker thread (default
   * 20,000). Rounds start below it (500, or two per op) and grow four times each.
   */
  triageSteps?: number;
  /** Stop checking other keys once one is illegal (default true). */
  cancelOnInvalid?: boolean;
}
