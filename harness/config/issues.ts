import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { describeValue } from './vocabulary.js';

/**
 * Turning zod's issues into faultline's one-line errors. A problem is a field path and a phrase; where it came
 * from decides the prefix: `faultline.yaml:7: concurrency: …` for a file, `--concurrency: …` for a flag,
 * `concurrency: …` for a plain object.
 */

export type FieldPath = readonly PropertyKey[];

export interface Problem {
  path: FieldPath;
  message: string;
}

/** `nemesis.faults[1]` */
export function formatPath(path: FieldPath): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : `${s ? '.' : ''}${String(seg)}`;
  return s;
}

/** `file:line: field: what`, parts left out when unknown. The config-file form of checkers' historyError. */
export function configError(source: string | undefined, line: number | undefined, path: FieldPath, what: string): UsageError {
  const where = [source, line !== undefined ? String(line) : undefined].filter(Boolean).join(':');
  const field = formatPath(path);
  return new UsageError([where, field, what].filter(Boolean).join(': '));
}

export function valueAt(input: unknown, path: FieldPath): unknown {
  let v = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg as string];
  }
  return v;
}

/**
 * zod issues → problems with whole phrases. Our schemas phrase every expectation (`expected a positive integer`);
 * the value got is added here from the input, so the message shows what the user wrote. Unknown keys become one
 * problem each, at the key, with the known fields (and the likely one).
 */
export function problemsOf(issues: readonly z.core.$ZodIssue[], input: unknown, knownFields: readonly string[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...path, key], message: unknownField(key, knownFields) });
    } else if (issue.code === 'custom') {
      out.push({ path, message: issue.message });
    } else {
      out.push({ path, message: `${issue.message}, got ${describeValue(valueAt(input, path))}` });
    }
  }
  return out;
}

/** `unknown field (did you mean password?) (known: …)`: the phrase for a key nobody declares, at any depth. */
export function unknownField(key: string, known: readonly string[]): string {
  const camel = key.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
  const near = known.find((k) => k === camel) ?? known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return `unknown field${near ? ` (did you mean ${near}?)` : ''} (known: ${known.join(', ')})`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** One line even when there are several problems: the first, and how many more (fixing one often fixes others). */
export function moreSuffix(n: number): string {
  return n > 1 ? ` (and ${n - 1} more problem${n > 2 ? 's' : ''})` : '';
}
