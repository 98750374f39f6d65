import type { Operation } from '../history/op.js';
import { show } from '../values/show.js';

/** A model's answer to "can this operation happen in this state?" (Porcupine's `step`, Knossos's `step`). */
export type Step<S> = { ok: true; state: S } | { ok: false; reason: string };

/**
 * What a model needs to look at: the function and the value (a completed read carries what it read). `status`
 * 'info' marks a crashed op: its value is the invocation's, so a read or dequeue result is unknown.
 */
export type ModelOp = Pick<Operation, 'f' | 'value' | 'key'> & { status?: Operation['status'] };

/**
 * A sequential specification: plain data and pure functions, so it can be rebuilt on a worker thread by name.
 * The search interns states by `fingerprint`, so step() runs once per distinct (state, operation) pair.
 */
export interface Model<S = unknown> {
  readonly name: string;
  init(): S;
  step(state: S, op: ModelOp): Step<S>;
  /** Equal for equal states, different otherwise. Default: a canonical JSON rendering. */
  fingerprint?(state: S): string | number;
  /**
   * Instead of a fingerprint, for states too large to render at each step: a hash (equal states, equal hashes;
   * unequal states may collide) with the exact `equals` that settles every collision.
   */
  hash?(state: S): number;
  equals?(a: S, b: S): boolean;
  /**
   * Why `op` cannot follow `state`, for evidence, when step's own refusal says less: a model whose refusals are
   * costly to word refuses with a constant during the search and words it here, once.
   */
  whyNot?(state: S, op: ModelOp): string;
  /** How a state reads in evidence ("4", "{x 1, y nil}"). Default: JSON. */
  describeState?(state: S): string;
  /** How an operation reads in evidence ("cas 3→4", "read 3"). Default: `f value`. */
  describeOp?(op: ModelOp): string;
  /** null when the op is one this model understands, else why not (reported as bad input, exit 254). */
  validate(op: ModelOp): string | null;
  /**
   * True when the op cannot change the state (a read): such an op that crashed (`info`) constrains nothing and is
   * dropped before the search.
   */
  isReadOnly?(op: ModelOp): boolean;
  /**
   * The results a crashed op may have had, when its effect depends on a result it never returned (an unordered
   * dequeue removes whichever element it got). The search tries each as a mutually exclusive alternative, as well
   * as never applying it. `ops` are the other operations of the same partition (to find the candidate values).
   */
  crashedResults?(op: ModelOp, ops: readonly ModelOp[]): unknown[] | undefined;
  /**
   * With crashedResults: whether `op` can need such an alternative applied just before it. Alternatives must
   * commute with every op for which this is false (moving one later never breaks a linearization), so the search
   * only places them right before an op that may need them. Default: every op may.
   */
  needsCrashed?(op: ModelOp): boolean;
  /**
   * True when the op succeeds from every state and leaves the same state whatever came before (a blind write).
   * A crashed op linearized just before such an op has no visible effect, so the search never puts it there.
   */
  overwrites?(op: ModelOp): boolean;
  /**
   * For a read-only op: a test of whether it could still succeed from a state if only ops that do not overwrite
   * were linearized before it. "No" must be certain: the search drops a state that some read it must still
   * linearize could never succeed from. "Yes" may be wrong (the search goes on and finds out). kv's: a get must
   * return an extension of the value held, since appends only extend it.
   */
  stillReadable?(op: ModelOp): (state: S) => boolean;
  /**
   * 'key' (default): ops carrying a `key` are checked per key (P-compositionality, Herlihy & Wing);
   * 'none': the model sees all ops in one history (e.g. multi-register transactions span keys).
   */
  readonly partition?: 'key' | 'none';
}

/** How to build a model: name plus JSON-able options (so workers can rebuild it). */
export interface ModelSpec {
  name: string;
  options?: Record<string, unknown>;
}

export type ModelFactory = (options?: Record<string, unknown>) => Model<any>;

export function describeOpDefault(op: ModelOp): string {
  return op.value === null || op.value === undefined ? op.f : `${op.f} ${show(op.value)}`;
}

/**
 * How values read in evidence (nil, "s", :k, 1.0, [1 2]) and the canonical key of a value (equal values, equal
 * keys): the exact, typed forms of checkers/values, named here for the models.
 */
export { show } from '../values/show.js';
export { valueKey as canonical } from '../values/key.js';
