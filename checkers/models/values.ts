import { valueKey } from '../values/key.js';

export { sameValue } from '../values/key.js';

/**
 * A state fingerprint for a value: a double stays a double (the common case, and the cheapest Map key); anything
 * else, and an integer beyond 2^53 (which a bigint of the same value must meet), is its value key.
 */
export function valueFingerprint(v: unknown): string | number {
  return typeof v === 'number' && (Number.isSafeInteger(v) || !Number.isInteger(v)) ? v : valueKey(v ?? null);
}
