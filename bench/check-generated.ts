/**
 * The checker on generated histories, each measured in a fresh process (wall time, peak RSS):
 *   1. 1,000,000 ops over 1,000 keys, 32 processes, 1 % crashed ops (goal: ≤ 10 s and ≤ 2 GB on 2 cores);
 *   2. the hard case: 100 processes on one key with 5 % crashed ops, at growing sizes, with a 60 s budget each;
 *   3. where the frontier lies: 1,000 ops on one key with 5 % crashed ops, 10 to 50 processes, 60 s budget each.
 * Histories are written by bench/gen/generate-history.js (a seeded simulation of a real cas-register, so every
 * history is linearizable) into bench/out/ and reused across runs.
 *
 *   node dist/bench/check-generated.js [--quick]
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { generatedHistory as generate, manyKeysHistory, root } from './gen/histories.js';

const quick = process.argv.includes('--quick');

function measure(file: string, limitSeconds?: number): Record<string, unknown> {
  const args = [join(root, 'dist/bench/measure-check.js'), file, 'cas-register', ...(limitSeconds ? [String(limitSeconds)] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 }).trim());
}

const big = quick ? 100_000 : 1_000_000;
const f1 = manyKeysHistory(big);
const r1 = measure(f1);
// An op is an invocation with its completion (two events); `ops` in the result counts the ok and info ones.
const opsPerSec = Math.round(big / ((r1.totalMs as number) / 1000));
console.log(`${big} ops, 1000 keys, 32 processes, 1% crashed: ${JSON.stringify(r1)}`);
console.log(`  => total ${((r1.totalMs as number) / 1000).toFixed(2)} s (read ${r1.readMs} ms, check ${r1.checkMs} ms), peak RSS ${r1.maxRssMB} MB, ${opsPerSec} ops/s read and checked`);

for (const n of quick ? [150] : [150, 1_000, 10_000, 100_000]) {
  const f = generate(`cas-${n}-1key-100p-5pct`, ['--ops', String(n), '--keys', '1', '--processes', '100', '--crash', '0.05', '--seed', '1']);
  const r = measure(f, 60);
  console.log(`hard case, ${n} ops, 1 key, 100 processes, 5% crashed, 60 s budget: ${JSON.stringify(r)}`);
}

for (const p of quick ? [10] : [10, 20, 30, 40, 50]) {
  const f = generate(`cas-1000-1key-${p}p-5pct`, ['--ops', '1000', '--keys', '1', '--processes', String(p), '--crash', '0.05', '--seed', '1']);
  const r = measure(f, 60);
  console.log(`concurrency sweep, 1000 ops, 1 key, ${p} processes, 5% crashed, 60 s budget: ${JSON.stringify(r)}`);
}
