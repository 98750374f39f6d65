/**
 * Generated histories shared by the benchmarks, written by generate-history.js (a seeded simulation of a real
 * cas-register, so every history is linearizable) into bench/out/ once and reused across runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
const out = join(root, 'bench/out');

/** `bench/out/<name>.jsonl`, generated with these arguments unless it is there already. */
export function generatedHistory(name: string, args: string[]): string {
  mkdirSync(out, { recursive: true });
  const file = join(out, `${name}.jsonl`);
  if (!existsSync(file)) {
    const t = performance.now();
    execFileSync(process.execPath, [join(root, 'dist/bench/gen/generate-history.js'), ...args, '--out', file], { stdio: 'inherit' });
    console.log(`generated ${name} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return file;
}

/** The big case: `ops` ops over 1,000 keys, 32 processes, 1 % crashed ops. */
export function manyKeysHistory(ops: number): string {
  return generatedHistory(`cas-${ops}-1000keys-32p-1pct`, ['--ops', String(ops), '--keys', '1000', '--processes', '32', '--crash', '0.01', '--seed', '1']);
}
