import type { Operation } from '../history/op.js';
import { canonical } from '../models/model.js';

/**
 * Symmetry reduction for identical operations (same f, value and status, and the same key when the ops of several
 * keys are searched together: so the same transition from every state, ModelOp being all a step may look at).
 *
 * If A and B are identical, A was invoked before B and A returned no later than B (crashed ops "return" at
 * infinity), then any linearization that puts B before A stays valid with the two swapped. Scheduling every group
 * of identical ops earliest-deadline-first gives a linearization in which A always precedes B, so the search may
 * refuse to linearize B while A is not linearized. This is what tames histories full of crashed writes of the same
 * few values (Porcupine's slowest etcd files) without ever changing a verdict.
 *
 * Returns, for each op, the op that must be linearized before it (-1 for none). Each op is constrained only by its
 * predecessor in its group; a subset of valid constraints is still valid.
 */
export function dominators(ops: readonly Operation[], group?: Int32Array, keyed = false): Int32Array {
  const pred = new Int32Array(ops.length).fill(-1);
  const last = new Map<string, number>();
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    // Alternatives of a crashed op are exclusive with their siblings: swapping two of them across groups could
    // need a sibling already used, so the exchange argument does not hold for them.
    if (group && group[i] >= 0) continue;
    let sig = `${o.f}\u0000${o.status === 'info' ? 'i' : 'o'}${signatureValue(o.value)}`;
    // A key's ops are searched alone (Model.partition 'key'), unless the model sees every key at once.
    if (keyed && o.key !== undefined) sig += `\u0000${signatureValue(o.key)}`;
    // Reads that returned different values differ; ok and info ops of the same write share effects but an
    // ok op's value can be a completion value, so they are kept in separate groups to stay obviously safe.
    const prev = last.get(sig);
    if (prev !== undefined && ops[prev].ret <= o.ret) pred[i] = prev;
    last.set(sig, i);
  }
  return pred;
}

function signatureValue(v: unknown): string {
  return typeof v === 'number' ? `n${v}` : canonical(v ?? null);
}
