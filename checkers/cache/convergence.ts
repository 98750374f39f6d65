import type { Validity } from '../linearizability/result.js';
import { mergeValid } from '../linearizability/result.js';
import type { CacheHistory, Settle } from './history.js';
import { keyOf, keyText } from './history.js';
import type { KeyConvergence } from './result.js';

/**
 * Whether the cache came to agree with the database once the faults healed, per key, from its settle: converged when
 * the settle says so, stale when it says the cache still disagreed at its deadline. A key that was written with no
 * ok settle (failed, crashed, never run) is unknown: its cache might hold anything. A key never written needs no
 * settle (the database and the cache both lack it), but one that has an ok settle is judged by it.
 */
export function convergence(h: CacheHistory): { converged: Validity; keys: KeyConvergence[]; maxStaleMs?: number; unknownReason?: string } {
  const written = new Set(h.writes.map((w) => keyOf(w.key)));
  const byKey = new Map<string, Settle[]>();
  for (const s of h.settles) {
    const list = byKey.get(keyOf(s.key));
    if (list) list.push(s);
    else byKey.set(keyOf(s.key), [s]);
  }
  const keys: KeyConvergence[] = [];
  for (const [k, key] of h.keys) {
    const settles = byKey.get(k) ?? [];
    const oks = settles.filter((s) => s.outcome !== undefined);
    // One settle per key is the contract; if there are more, any that found the cache stale is the verdict.
    const chosen = oks.find((s) => !s.outcome!.converged) ?? oks[oks.length - 1];
    if (chosen) {
      const o = chosen.outcome!;
      keys.push({ key, status: o.converged ? 'converged' : 'stale', settle: chosen.call, db: o.db, cache: o.cache, staleMs: o.staleMs });
    } else if (written.has(k)) {
      const last = settles[settles.length - 1];
      keys.push({ key, status: 'unknown', ...(last && { settle: last.call }), why: unsettled(key, last) });
    }
  }
  keys.sort((a, b) => (keyText(a.key) < keyText(b.key) ? -1 : keyText(a.key) > keyText(b.key) ? 1 : 0));
  let converged: Validity = true;
  for (const c of keys) converged = mergeValid(converged, c.status === 'converged' ? true : c.status === 'stale' ? false : 'unknown');
  const settled = keys.filter((c) => c.status === 'converged').map((c) => c.staleMs!);
  const unknown = keys.find((c) => c.status === 'unknown');
  return {
    converged,
    keys,
    ...(settled.length > 0 && { maxStaleMs: Math.max(...settled) }),
    ...(converged === 'unknown' && unknown && { unknownReason: unknown.why }),
  };
}

function unsettled(key: unknown, s: Settle | undefined): string {
  const k = keyText(key);
  if (!s) return `${k} was written but never settled: whether its cache came to agree is unknown`;
  if (s.type === 'fail') return `${k}'s settle failed${s.error !== undefined ? ` (${String(s.error)})` : ''}: whether its cache came to agree is unknown`;
  if (s.type === 'info') return `${k}'s settle's outcome is unknown (info${s.error !== undefined ? `: ${String(s.error)}` : ''})`;
  return `${k}'s settle never completed`;
}
