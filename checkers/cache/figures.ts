import type { CacheHistory } from './history.js';
import type { CacheFigures, Spread, StaleRead } from './result.js';

/**
 * The cache's figures, pure from the history: the hit ratio over the ok reads that say whether they hit, the
 * latency (invocation to ok) of hits and of misses, and the age of the stale values served. Nothing is invented:
 * with no read saying `hit`, the ratio and the latencies are unknown.
 */
export function figures(h: CacheHistory, stale: readonly StaleRead[]): CacheFigures {
  const latency = (hit: boolean) => h.reads.filter((r) => r.hit === hit).map((r) => (r.call.completeTime! - r.call.time) / 1e6);
  const hits = latency(true);
  const misses = latency(false);
  const withHit = hits.length + misses.length;
  const ages = stale.map((s) => s.ageMs).sort((a, b) => a - b);
  const f: CacheFigures = {
    okReads: h.reads.length,
    withHit,
    hits: hits.length,
    misses: misses.length,
    hitRatio: withHit === 0 ? null : hits.length / withHit,
    staleAge: { count: ages.length, ...(ages.length > 0 && { medianMs: rank(ages, 0.5), maxMs: ages[ages.length - 1] }) },
  };
  if (withHit === 0) f.unknownReason = h.reads.length === 0 ? 'no read returned' : 'no read says whether the cache served it (hit)';
  if (hits.length > 0) f.hitLatency = spread(hits);
  if (misses.length > 0) f.missLatency = spread(misses);
  return f;
}

/** Median, p95 and max by nearest rank: each is a latency some read really had. */
export function spread(xs: readonly number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  return { count: s.length, medianMs: rank(s, 0.5), p95Ms: rank(s, 0.95), maxMs: s[s.length - 1] };
}

/** The nearest-rank p-quantile of sorted values: the ⌈p·n⌉-th smallest. */
function rank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}
