/** The cache checker: a cache in front of a database, its guarantees judged apart (linearizable, stale reads, converged). */
export { checkCache } from './check.js';
export { explainCache } from './explain.js';
export { presentCache, summarizeCache } from './present.js';
export type { CacheFigures, CacheResult, KeyConvergence, Spread, StaleRead } from './result.js';
