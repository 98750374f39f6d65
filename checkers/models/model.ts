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
 * A sequential specification: plain data and pure functions (Porcupine's `Model`). Only `init` and `step` are
 * required; `equals` (or `fingerprint`) makes the search fast on states that are not plain data. Every other hook is
 * for speed, evidence or input checking, and its default is always correct: it can make the search slower or the
 * evidence plainer, never change a verdict. `crashedResults` and `partition` are the exceptions: they say what the
 * model means, not how to search it.
 *
 * The contract: `step` must not change the state it is given (it returns a new one), and depends only on the op's
 * `f`, `value`, `key` and `status`. The search interns states (see `equals`), so step runs once per distinct
 * (state, operation) pair.
 *
 * A model given as a value runs in the calling thread. To run on worker threads too it says where it comes from
 * (`source`, which `defineModel` sets): a worker imports that module and takes the export again.
 */
export interface Model<S = unknown> {
  /** Named in results and errors. Default: the export it was loaded from, else 'model'. */
  readonly name?: string;
  init(): S;
  step(state: S, op: ModelOp): Step<S>;
  /**
   * Whether two states are the same (Porcupine's `Equal`): true only when step treats them alike in everything to
   * come. Without it (and without `fingerprint`) states are compared by strict structural equality (identity.ts):
   * primitives by Object.is; arrays, plain objects, Maps and Sets by their contents in their own order; any other
   * object by identity. That never merges two states a step could tell apart, but misses merges an `equals` would
   * make (a Map built in another order, a class instance built again), which costs only speed.
   */
  equals?(a: S, b: S): boolean;
  /**
   * Equal for equal states, different otherwise: an exact key, cheaper than hash and equals for small states.
   * Taken over `equals` when both are given.
   */
  fingerprint?(state: S): string | number;
  /**
   * For states too large to render at each step: a hash (equal states, equal hashes; unequal states may collide);
   * `equals` settles every collision. Default: a structural hash of the state (identity.ts).
   */
  hash?(state: S): number;
  /**
   * Why `op` cannot follow `state`, for evidence, when step's own refusal says less: a model whose refusals are
   * costly to word refuses with a constant during the search and words it here, once.
   */
  whyNot?(state: S, op: ModelOp): string;
  /** How a state reads in evidence ("4", "{x 1, y nil}"). Default: as a history value, else as Node prints it. */
  describeState?(state: S): string;
  /** How an operation reads in evidence ("cas 3→4", "read 3"). Default: `f value`. */
  describeOp?(op: ModelOp): string;
  /**
   * null when the op is one this model understands, else why not (reported as bad input, exit 254, naming the
   * line). Default: every op is accepted, and a malformed op is judged by step (a refusal there is a refusal, so an
   * ok op step cannot take makes the history not linearizable rather than bad input).
   */
  validate?(op: ModelOp): string | null;
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
   * 'none': the model sees all ops in one history (e.g. multi-register transactions span keys). 'key' is right for
   * a model of one object (a register) whose history says which object by `key`; a model whose state spans keys
   * (its step reads `op.key`, or an op without a key touches them all) must say 'none'.
   */
  readonly partition?: 'key' | 'none';
  /**
   * Where worker threads find this model again (see ModelSource). Without it the search stays in this thread. A
   * model changed after defineModel (a step replaced) must drop it, or the workers would load the original.
   */
  readonly source?: ModelSource;
}

/** How to build a model: name plus JSON-able options (so workers can rebuild it). */
export interface ModelSpec {
  name: string;
  options?: Record<string, unknown>;
}

export type ModelFactory = (options?: Record<string, unknown>) => Model<any>;

/**
 * Where a model defined outside faultline comes from, so that a worker thread can build it again: an ES module (an
 * absolute path, a path relative to the working directory, or a file: URL) and one of its exports, a Model or a
 * factory taking `options` (JSON-able: they cross to the workers).
 */
export interface ModelSource {
  module: string;
  /** Default 'default'. */
  export?: string;
  options?: Record<string, unknown>;
}

/**
 * What the checker takes as a model: a built-in's name (or name and options), a model value, or a module to load
 * one from (`check` loads it; `checkSync`, which cannot wait for an import, takes the other three).
 */
export type ModelRef = string | ModelSpec | ModelSource | Model<any>;

export function describeOpDefault(op: ModelOp): string {
  return op.value === null || op.value === undefined ? op.f : `${op.f} ${show(op.value)}`;
}

/**
 * How values read in evidence (nil, "s", :k, 1.0, [1 2]) and the canonical key of a value (equal values, equal
 * keys): the exact, typed forms of checkers/values, named here for the models.
 */
export { show } from '../values/show.js';
export { valueKey as canonical } from '../values/key.js';
