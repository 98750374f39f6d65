import { historyError } from '../errors.js';
import type { Key, Operation } from '../history/op.js';
import type { Model } from '../models/model.js';
import { valueKey } from '../values/key.js';

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
  // Keys compare by value: strings and doubles are their own Map keys; anything else (a bigint, an EDN keyword…)
  // goes by its value key, in a Map of its own so that no string key can meet a value key.
  const plain = new Map<string | number | undefined, Partition>();
  const other = new Map<string, Partition>();
  const perKey = model.partition !== 'none';
  // Without validate every op is the model's: step judges it.
  const validate = model.validate;
  for (const o of operations) {
    const why = validate ? validate(o) : null;
    if (typeof why === 'string') throw historyError(source, o.line, why);
    if (o.status === 'info' && model.isReadOnly?.(o)) continue;
    const key = perKey ? o.key : undefined;
    const byPlain = key === undefined || typeof key === 'string' || (typeof key === 'number' && (Number.isSafeInteger(key) || !Number.isInteger(key)));
    const at = byPlain ? (key as string | number | undefined) : valueKey(key);
    let p = byPlain ? plain.get(at) : other.get(at as string);
    if (!p) {
      p = key === undefined ? { ops: [] } : { key, ops: [] };
      if (byPlain) plain.set(at, p);
      else other.set(at as string, p);
    }
    p.ops.push(o);
  }
  return [...plain.values(), ...other.values()];
}
