import type { Operation } from '../history/op.js';
import type { Model } from '../models/model.js';

export interface Expanded {
  ops: Operation[];
  /** For each op, the group of alternatives it belongs to (dense, from 0; fewer groups than ops), or -1. */
  group: Int32Array;
}

/**
 * Replaces each crashed op whose effect depends on a result it never returned by one op per possible result
 * (Model.crashedResults). The copies share a group: the search linearizes at most one of them, since the real op
 * happened at most once. Everything else is passed through unchanged (and no copy is made when nothing expands).
 */
export function expandCrashed(ops: Operation[], model: Model<unknown>): Expanded {
  const results = model.crashedResults;
  if (!results || !ops.some((o) => o.status === 'info' && results(o, ops) !== undefined)) {
    return { ops, group: new Int32Array(ops.length).fill(-1) };
  }
  const out: Operation[] = [];
  const group: number[] = [];
  let groups = 0;
  ops.forEach((o) => {
    const values = o.status === 'info' ? results(o, ops) : undefined;
    if (values === undefined) {
      out.push(o);
      group.push(-1);
      return;
    }
    for (const value of values) {
      out.push({ ...o, value });
      group.push(groups);
    }
    if (values.length > 0) groups++;
  });
  return { ops: out, group: Int32Array.from(group) };
}
