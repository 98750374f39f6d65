import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import type { SecretRef } from './cluster-spec.js';

/**
 * Reads a secret the test refers to, when the run needs it: the value lives in this process's memory only. `what`
 * names it in the error (`node n1: password`); the error names the variable or file, never a value.
 */
export function readSecret(ref: SecretRef, what: string): string {
  if ('env' in ref) {
    const v = process.env[ref.env];
    if (v === undefined) throw usageError(`${what}: environment variable ${ref.env} is not set`);
    return v;
  }
  try {
    // A password file's trailing newline is not part of the password (a key file keeps its text as it is).
    return readFileSync(ref.file, 'utf8');
  } catch (e) {
    throw usageError(`${what}: cannot read ${ref.file} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
}

/** A password from a file loses its one trailing newline (`echo secret > file`); from the environment it is as set. */
export function readPassword(ref: SecretRef, what: string): string {
  const v = readSecret(ref, what);
  return 'file' in ref ? v.replace(/\r?\n$/, '') : v;
}
