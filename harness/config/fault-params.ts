import { describeValue, FAULT_PARAMS, type FaultKind } from './vocabulary.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/**
 * One fault parameter's value, checked against FAULT_PARAMS: a duration with its unit (`3s`, `250ms`; a signed one
 * may start with + or -), in ms; or a positive factor. Returns the value or a one-line message.
 */
export function parseFaultParam(kind: FaultKind, name: string, value: unknown): number | string {
  const specs = FAULT_PARAMS[kind] ?? {};
  const spec = specs[name];
  if (spec === undefined) {
    const known = Object.keys(specs);
    return `fault '${kind}' takes no parameter '${name}'${known.length ? ` (known: ${known.join(', ')})` : ''}`;
  }
  if (spec.kind === 'factor') {
    const x = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
    if (!(x > 0) || !Number.isFinite(x)) return `fault '${kind}': ${name} must be a positive number, got ${describeValue(value)}`;
    return x;
  }
  const signed = spec.kind === 'signed-duration';
  // A number is milliseconds: the definition's own form, and a file's for those who write it so.
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value === 0 || (!signed && value < 0) || Math.abs(value) > 86_400_000) {
      return `fault '${kind}': ${name} in ms must be a non-zero whole number of at most a day, got ${value}`;
    }
    return value;
  }
  const m = typeof value === 'string' ? /^([+-]?)(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value.trim()) : null;
  if (m === null || (!signed && m[1] !== '')) {
    const form = signed ? 'a signed duration such as +60s or -500ms' : 'a duration such as 3s or 500ms';
    return `fault '${kind}': ${name} must be ${form}, got ${describeValue(value)}`;
  }
  const ms = Math.round(Number(m[2]) * UNIT_MS[m[3]]) * (m[1] === '-' ? -1 : 1);
  if (ms === 0 || (!signed && ms <= 0)) return `fault '${kind}': ${name} must not be zero`;
  if (Math.abs(ms) > 86_400_000) return `fault '${kind}': ${name} must be at most a day, got ${String(value)}`;
  return ms;
}

/** The inverse of parseFaultParam: the form the replay command and a suite's names use. */
export function formatFaultParam(kind: FaultKind, name: string, v: number): string {
  const spec = FAULT_PARAMS[kind]?.[name];
  if (spec === undefined || spec.kind === 'factor') return String(v);
  const sign = spec.kind === 'signed-duration' ? (v < 0 ? '-' : '+') : '';
  const abs = Math.abs(v);
  return `${sign}${abs % 1000 === 0 ? `${abs / 1000}s` : `${abs}ms`}`;
}
