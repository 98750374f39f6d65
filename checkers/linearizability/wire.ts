import type { Operation } from '../history/op.js';
import { decodeKey, valueKey } from '../values/key.js';
import type { Partition } from './prepare.js';
import type { LinearizabilityAnomaly, OpRef, PartitionResult } from './result.js';

/*
 * Values crossing to worker threads. Structured clone keeps primitives, bigints, arrays and plain objects, but turns
 * the classes of values/types.ts (an EDN keyword, set, double…) into plain objects, which would then compare as
 * maps. So a value that is not plain data travels as its value key and is decoded on the other side; the results'
 * keys and evidence values are put back from the main thread's own operations.
 */

/** Structured clone recurses, and overflows the stack a few thousand levels down: deeper values go as keys. */
const MAX_CLONE_DEPTH = 256;

/** True when structured clone carries the value unchanged: no class instance anywhere inside, and not deep. */
function plainData(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return true;
  const stack: unknown[] = [v];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const x = stack.pop();
    const d = depths.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (d > MAX_CLONE_DEPTH) return false;
    const proto = Object.getPrototypeOf(x);
    if (Array.isArray(x)) {
      for (const y of x) {
        stack.push(y);
        depths.push(d + 1);
      }
    } else if (proto === Object.prototype || proto === null) {
      for (const k of Object.keys(x)) {
        stack.push((x as Record<string, unknown>)[k]);
        depths.push(d + 1);
      }
    } else return false;
  }
  return true;
}

/** An operation whose value or key is not plain data carries their keys instead. */
interface WireOperation extends Operation {
  valueKey?: string;
  keyKey?: string;
}

export function toWire(parts: readonly Partition[]): Partition[] {
  return parts.map((p) => {
    let ops: Operation[] | undefined;
    for (let i = 0; i < p.ops.length; i++) {
      const o = p.ops[i];
      const plainValue = plainData(o.value);
      const plainKey = plainData(o.key);
      if (plainValue && plainKey) continue;
      ops ??= p.ops.slice();
      const w: WireOperation = { ...o };
      if (!plainValue) {
        w.valueKey = valueKey(o.value);
        w.value = null;
      }
      if (!plainKey) {
        w.keyKey = valueKey(o.key);
        w.key = undefined;
      }
      ops[i] = w;
    }
    const key = plainData(p.key) ? p.key : undefined;
    return ops ? { key, ops } : { key, ops: p.ops };
  });
}

/** In the worker: the values back from their keys. */
export function fromWire(parts: Partition[]): Partition[] {
  for (const p of parts) {
    for (const o of p.ops as WireOperation[]) {
      if (o.valueKey !== undefined) o.value = decodeKey(o.valueKey);
      if (o.keyKey !== undefined) o.key = decodeKey(o.keyKey);
    }
  }
  return parts;
}

/**
 * In the worker: results without keys and values (they may not survive the way back); restore puts them back from
 * the main thread's own operations.
 */
export function stripped(results: PartitionResult[]): PartitionResult[] {
  for (const r of results) {
    delete r.key;
    const a = r.anomaly;
    if (!a) continue;
    delete a.key;
    forEachRef(a, (ref) => {
      ref.value = null;
      delete ref.key;
    });
  }
  return results;
}

/** Every op an anomaly's evidence names. */
function forEachRef(a: LinearizabilityAnomaly, visit: (ref: OpRef) => void): void {
  visit(a.op);
  if (a.previousOk) visit(a.previousOk);
  for (const c of a.concurrent) visit(c);
  for (const c of a.candidates) for (const s of c.steps) visit(s.op);
}

/** In the main thread: each result's key and its evidence's values from the partition it was made from. */
export function restore(results: PartitionResult[], parts: readonly Partition[]): PartitionResult[] {
  return results.map((r, i) => {
    const p = parts[i];
    if (p.key !== undefined) r.key = p.key;
    if (r.anomaly) restoreAnomaly(r.anomaly, p);
    return r;
  });
}

function restoreAnomaly(a: LinearizabilityAnomaly, p: Partition): void {
  const byId = new Map<number, Operation>();
  for (const o of p.ops) byId.set(o.id, o);
  if (p.key !== undefined) a.key = p.key;
  forEachRef(a, (ref) => {
    const o = byId.get(ref.id);
    if (!o) return;
    ref.value = o.value;
    if (o.key !== undefined) ref.key = o.key;
  });
}
