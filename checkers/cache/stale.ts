import type { CacheHistory, Write } from './history.js';
import { keyOf } from './history.js';
import type { StaleRead } from './result.js';

/**
 * Every read that returned a value overwritten for certain before it began (StaleRead). Order is by position in the
 * history, as the linearizability checker orders (so a stale read is always one of its violations); the age is from
 * the times. Per key, the acknowledged writes sorted by invocation carry the earliest acknowledgement among those
 * invoked at or after each: a read of v then asks, in one binary search, for the earliest write acknowledged of
 * those invoked after v's write was acknowledged.
 */
export function staleReads(h: CacheHistory): StaleRead[] {
  const byKey = new Map<string, Write[]>();
  for (const w of h.writes) {
    if (w.done === Infinity) continue;
    const list = byKey.get(keyOf(w.key));
    if (list) list.push(w);
    else byKey.set(keyOf(w.key), [w]);
  }
  const index = new Map<string, { invoked: number[]; first: Write[] }>();
  for (const [k, ws] of byKey) {
    ws.sort((a, b) => a.at - b.at);
    // first[i]: the earliest-acknowledged write among ws[i…].
    const first = new Array<Write>(ws.length);
    for (let i = ws.length - 1; i >= 0; i--) first[i] = i + 1 < ws.length && first[i + 1].done < ws[i].done ? first[i + 1] : ws[i];
    index.set(k, { invoked: ws.map((w) => w.at), first });
  }
  const out: StaleRead[] = [];
  for (const r of h.reads) {
    const at = index.get(keyOf(r.key));
    if (!at) continue;
    const own = r.value === null ? undefined : h.byValue.get(r.value);
    // A value no write of this key wrote is no stale read (the linearizability check refutes it); one whose write
    // was never acknowledged may have taken effect at any time since, so nothing overwrote it for certain.
    if (r.value !== null && (own === undefined || keyOf(own.key) !== keyOf(r.key) || own.done === Infinity)) continue;
    const after = own ? own.done : -1;
    const i = upperBound(at.invoked, after);
    if (i >= at.first.length) continue;
    const newer = at.first[i];
    if (newer.done >= r.at) continue;
    out.push({
      key: r.key,
      read: r.call,
      value: r.value,
      ...(own && { write: own.call }),
      newer: newer.value,
      newerWrite: newer.call,
      ageMs: (r.call.time - newer.call.completeTime!) / 1e6,
      ...(r.hit !== undefined && { hit: r.hit }),
    });
  }
  return out;
}

/** The first index whose value is greater than x (sorted ascending). */
function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
