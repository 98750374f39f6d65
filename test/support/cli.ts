import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUserError } from '../../harness/errors.js';

/** The repository root (tests run from dist/test/…). */
export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const bin = join(root, 'bin/faultline.js');

/** Runs the real CLI to completion (with `env` added to this environment): its exit code and both streams. */
export function faultline(args: string[], input?: string, env?: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', cwd: root, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary folder, and a function that writes a file in it and returns its path. */
export function tempFiles(prefix: string): (name: string, text: string) => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return (name, text) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
}

/** An assert.throws/rejects validator: an UsageError of one line, `<source>:<line>: …`, matching `re`. */
export function inputErrorAt(line: number, re: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(isUserError(e), `not an input error: ${String(e)}`);
    const m = (e as Error).message;
    assert.ok(!m.includes('\n'), m);
    assert.match(m, new RegExp(`^[^:]+:${line}: `), m);
    assert.match(m, re);
    return true;
  };
}
