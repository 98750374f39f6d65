import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
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

/** A run of the real CLI in a child process, not blocking this one (servers the test runs in-process keep serving). */
export interface CliRun {
  readonly pid: number;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startFaultline(args: string[], env?: Record<string, string>): CliRun {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { pid: child.pid ?? -1, done };
}

/** `faultline <args>` to completion, without blocking this process. */
export function faultlineAsync(args: string[], env?: Record<string, string>): CliRun['done'] {
  return startFaultline(args, env).done;
}
