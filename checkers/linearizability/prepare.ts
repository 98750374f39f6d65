import { historyError } from '../errors.js';
import type { Key, Operation } from '../history/op.js';
import type { Model } from '../models/model.js';

export interface Partition {
  /** undefined for the history as a whole (ops without a key, or a model that does not partition). */
  key?: Key;
  ops: Operation[];
}

/**
 * Readies completed operations for the search: every op must be one the model knows (else bad input, naming the
 * line); crashed read-only ops are dropped (they change nothing and need never be linearized); and the history is
 * split per key when the model allows it (P-compositionality: a history is linearizable iff each key's is).
 */
export function partition(operations: readonly Operation[], model: Model<unknown>, source?: string): Partition[] {
  const byKey = new Map<Key | undefined, Operation[]>();
  const perKey = model.partition !== 'none';
  for (const o of operations) {
    const why = model.validate(o);
    if (why !== null) throw historyError(source, o.line, why);
    if (o.status === 'info' && model.isReadOnly?.(o)) continue;
    const key = perKey ? o.key : undefined;
    let ops = byKey.get(key);
    if (!ops) byKey.set(key, (ops = []));
    ops.push(o);
  }
  return [...byKey].map(([key, ops]) => (key === undefined ? { ops } : { key, ops }));
}
