/**
 * Times the checker on the 103 Jepsen etcd histories of Porcupine's test data (../shared/corpus/porcupine-etcd)
 * and prints total, median, p90 and max per file, next to Porcupine's figures measured on this machine kind
 * (../shared/CHECKER-NOTES.md: total 303 ms, max 113 ms). Verdicts are compared with expected.json as it goes.
 *
 *   node dist/bench/check-corpus.js [corpus-dir]
 *
 * Pass 1 is a fresh process's first look at each file (JIT cold, as a `faultline check` run sees it); passes 2–5
 * show steady state. Times are of the check alone (parsing is reported separately).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHistoryFile } from '../checkers/formats/index.js';
import type { History } from '../checkers/history/history.js';
import { checkSync } from '../checkers/linearizability/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = resolve(process.argv[2] ?? join(here, '../../../shared/corpus/porcupine-etcd'));
const expected: Record<string, boolean> = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();

const histories: [string, History][] = [];
const parseStart = performance.now();
for (const f of files) histories.push([f, await readHistoryFile(join(dir, f), { format: 'porcupine-etcd' })]);
const parseMs = performance.now() - parseStart;

const PASSES = 5;
const perPass: number[][] = [];
let mismatches = 0;
for (let pass = 0; pass < PASSES; pass++) {
  const times: number[] = [];
  for (const [f, h] of histories) {
    const t = performance.now();
    const r = checkSync(h, 'cas-register');
    times.push(performance.now() - t);
    if (pass === 0 && r.valid !== expected[f]) {
      mismatches++;
      console.log(`MISMATCH ${f}: got ${r.valid}, expected ${expected[f]}`);
    }
  }
  perPass.push(times);
}

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const fmt = (x: number) => x.toFixed(2);
const describe = (label: string, t: number[]) => {
  const worst = t.indexOf(Math.max(...t));
  console.log(`${label.padEnd(22)} total ${fmt(sum(t)).padStart(7)} ms  median ${fmt(q(t, 0.5))} ms  p90 ${fmt(q(t, 0.9))} ms  max ${fmt(t[worst])} ms (${files[worst]})`);
};
const steady = files.map((_, i) => Math.min(...perPass.slice(1).map((p) => p[i])));

console.log(`etcd corpus: ${files.length} files, ${sum(histories.map(([, h]) => h.ops.length))} events, parsed in ${fmt(parseMs)} ms`);
describe('pass 1 (cold JIT)', perPass[0]);
describe('steady (best of 2-5)', steady);
console.log(`Porcupine (Go), same corpus    total  303.00 ms  median 0.05 ms  p90 0.26 ms  max 113.00 ms (etcd_002.log)`);
const slow = ['etcd_002.log', 'etcd_007.log', 'etcd_057.log', 'etcd_099.log', 'etcd_075.log', 'etcd_040.log'];
console.log(`slow files (cold / steady ms): ${slow.map((f) => `${f.slice(5, 8)} ${fmt(perPass[0][files.indexOf(f)])}/${fmt(steady[files.indexOf(f)])}`).join(', ')}`);
console.log(`verdicts: ${files.length - mismatches}/${files.length} agree with expected.json`);
if (mismatches > 0) process.exitCode = 1;
