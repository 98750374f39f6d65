import { stateIdentity } from '../models/identity.js';
import type { Model, ModelOp } from '../models/model.js';
import { StateIndex } from './state-index.js';
import { TransitionTable } from './transitions.js';

const UNKNOWN = -2;
const REFUSED = -1;
/** Transitions from the first DENSE states are kept in a flat array; later states in a bounded cache (transitions.ts). */
const DENSE = 32;

/**
 * Interns model states as small integers and caches every transition, so the search itself only moves integers
 * and the model's step runs once per distinct (state, op) pair.
 */
export class StateTable<S> {
  readonly states: S[] = [];
  private ids = new Map<string | number, number>();
  private dense: Int32Array;
  private sparse = new TransitionTable();
  /** Exact keys of states (Model.fingerprint), or else hash and equals (given, or identity.ts's defaults). */
  private readonly fingerprint?: (s: S) => string | number;
  private readonly hash?: (s: S) => number;
  private readonly equals?: (a: S, b: S) => boolean;

  constructor(private readonly model: Model<S>, private readonly ops: readonly ModelOp[]) {
    const identity = stateIdentity(model);
    if ('fingerprint' in identity) this.fingerprint = identity.fingerprint;
    else ({ hash: this.hash, equals: this.equals } = identity);
    this.dense = new Int32Array(ops.length * DENSE).fill(UNKNOWN);
  }

  /**
   * An estimate of the bytes held: each state is charged for itself, its fingerprint (in the Map) and its entry,
   * in proportion to the fingerprint's length; the transition table its arrays. The search also watches the real
   * heap (see wgl.ts), so this only needs to be of the right order.
   */
  get bytes(): number {
    return this.dense.byteLength + this.sparse.bytes + this.byHash.bytes + this.stateBytes;
  }

  private stateBytes = 0;

  /** States by hash, when they are told apart by hash and equals. */
  private readonly byHash = new StateIndex();

  intern(s: S): number {
    const { hash, equals } = this;
    if (hash) {
      const h = hash(s);
      const known = this.byHash.find(h, s, this.states, equals!);
      if (known >= 0) return known;
      const id = this.states.length;
      this.states.push(s);
      this.byHash.add(h, id);
      this.stateBytes += 160;
      return id;
    }
    const fp = this.fingerprint!(s);
    let id = this.ids.get(fp);
    if (id === undefined) {
      id = this.states.length;
      this.states.push(s);
      this.ids.set(fp, id);
      this.stateBytes += 160 + (typeof fp === 'string' ? 4 * fp.length : 16);
    }
    return id;
  }

  /** The state after op `i` from state `state`, or -1 when the model refuses it. */
  next(state: number, i: number): number {
    if (state < DENSE) {
      const at = i * DENSE + state;
      const t = this.dense[at];
      if (t !== UNKNOWN) return t;
      return (this.dense[at] = this.compute(state, i));
    }
    const key = state * this.ops.length + i;
    const t = this.sparse.get(key);
    if (t !== undefined) return t;
    const r = this.compute(state, i);
    this.sparse.set(key, r);
    return r;
  }

  /** Why op `i` cannot follow `state` (evidence only: not cached). */
  reason(state: number, i: number): string {
    const r = this.model.step(this.states[state], this.ops[i]);
    if (r.ok) return 'no linearization of the remaining operations continues from here';
    return this.model.whyNot?.(this.states[state], this.ops[i]) ?? r.reason;
  }

  private compute(state: number, i: number): number {
    const r = this.model.step(this.states[state], this.ops[i]);
    return r.ok ? this.intern(r.state) : REFUSED;
  }
}
