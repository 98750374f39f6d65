import { canonical } from './model.js';

/** Value equality for histories: primitives by identity, structures by canonical form ([1 2] equals [1 2]). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  return canonical(a) === canonical(b);
}

/** A fingerprint that keeps 1 and "1" apart: numbers stay numbers, everything else is canonical JSON. */
export function valueFingerprint(v: unknown): string | number {
  return typeof v === 'number' ? v : canonical(v ?? null);
}
