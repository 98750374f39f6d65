import { explainAnomaly } from '../linearizability/explain.js';
import { keyText } from './history.js';
import type { CacheResult, KeyConvergence, StaleRead } from './result.js';

/** A duration in words: "340 ms", "1.2 s". */
export function duration(ms: number): string {
  return Math.abs(ms) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A value as a reader sees it: null is the key's absence. */
export const valueWords = (v: number | null) => (v === null ? 'nothing' : String(v));

/** How a read was served, when its client said. */
export function servedBy(hit: boolean | undefined): string {
  return hit === true ? 'served from the cache' : hit === false ? 'a miss, read from the database' : 'the client did not say whether the cache served it';
}

/** One stale read in a sentence: "read of k1 at op 57 returned 12, but 15 was written and acknowledged 340 ms before it began (served from the cache)". */
export function staleText(s: StaleRead): string {
  const read = s.value === null ? 'returned nothing (as if never written)' : `returned ${s.value}`;
  return `read of ${keyText(s.key)} at op ${s.read.invokeIndex} ${read}, but ${s.newer} was written and acknowledged ${duration(s.ageMs)} before it began (${servedBy(s.hit)})`;
}

/** A key's convergence in a clause. */
export function convergenceText(c: KeyConvergence): string {
  const k = keyText(c.key);
  if (c.status === 'stale') {
    return `${k}'s cache holds ${valueWords(c.cache!)}, the database ${valueWords(c.db!)}, still stale after ${duration(c.staleMs!)}`;
  }
  if (c.status === 'unknown') return c.why!;
  return `${k} agreed${c.staleMs! > 0 ? ` after ${duration(c.staleMs!)}` : ' at once'}`;
}

/** The linearizability guarantee in a sentence. */
function linearizableText(r: CacheResult): string {
  const lin = r.linearizability;
  if (r.linearizable === true && lin.keys === 0) return 'linearizable: nothing was read or written';
  if (r.linearizable === true) return `linearizable: every read and write of ${lin.keys === 1 ? 'the 1 key' : `the ${lin.keys} keys`} fits one order of a register per key`;
  if (r.linearizable === 'unknown') return `linearizability unknown (${lin.unknownReason ?? 'the search was cut short'}), though no read was stale for certain`;
  const s = r.staleReads[0];
  if (s) {
    const more = r.staleReadCount > 1 ? ` (${r.staleReadCount} stale reads in all)` : '';
    return `not linearizable: ${staleText(s)}${more}`;
  }
  const a = lin.anomalies[0];
  return `not linearizable${a ? `: ${explainAnomaly(a).split('\n')[0]}` : ''}`;
}

/** The convergence guarantee in a sentence. */
function convergedText(r: CacheResult): string {
  if (r.converged === false) return `did not converge: ${r.convergence.filter((c) => c.status === 'stale').map(convergenceText).join('; ')}`;
  if (r.converged === 'unknown') return `convergence unknown: ${r.convergence.filter((c) => c.status === 'unknown').map(convergenceText).join('; ')}`;
  if (r.convergence.length === 0) return 'converged: nothing was written, so nothing had to';
  return `converged: every key agreed${r.maxStaleMs ? ` within ${duration(r.maxStaleMs)}` : ' at once'}`;
}

/**
 * The verdict as prose, each guarantee named kept or broken: "not linearizable: read of k1 at op 57 returned 12, but
 * 15 was written and acknowledged 340 ms before it began (served from the cache); converged: every key agreed within
 * 1.2 s".
 */
export function explainCache(r: CacheResult): string {
  return `${linearizableText(r)}; ${convergedText(r)}.`;
}
