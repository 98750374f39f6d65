/**
 * faultline on Porcupine's kv corpus (../shared/corpus/porcupine-kv: 1, 10 and 50 clients doing get/put/append on
 * 10 keys), each file checked cold in a fresh process, as `faultline check --model kv --json` reports it (`ms`: the
 * check itself, reading excluded, as Porcupine's in-process figure excludes parsing), with the default workers and
 * with `--workers 1`, `rounds` times each. Porcupine's figures are those measured on this machine kind, quiet
 * (../shared/CHECKER-NOTES.md); BENCHMARKS.md has both side by side.
 *
 *   node dist/bench/check-kv.js [rounds]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './gen/histories.js';

const dir = join(root, '../shared/corpus/porcupine-kv');
const rounds = Number(process.argv[2] ?? 5);
const expected: Record<string, boolean> = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
/** Porcupine, in-process, parse excluded, median of 5 (../shared/CHECKER-NOTES.md, 2026-12-04). */
const PORCUPINE: Record<string, string> = {
  'c01-ok.txt': '0.4–1.4',
  'c01-bad.txt': '0.2',
  'c10-ok.txt': '2.8–3.7',
  'c10-bad.txt': '0.5–0.6',
  'c50-ok.txt': '162–230',
  'c50-bad.txt': '21–29',
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let mismatches = 0;
console.log(`kv corpus, cold, ${rounds} fresh processes each: ms min / median / max`);
console.log(`${'file'.padEnd(12)} ${'default workers'.padEnd(24)} ${'--workers 1'.padEnd(24)} Porcupine`);
for (const file of Object.keys(PORCUPINE)) {
  const cells: string[] = [];
  for (const workers of [[], ['--workers', '1']]) {
    const ms: number[] = [];
    for (let i = 0; i < rounds; i++) {
      let out: string;
      try {
        out = execFileSync(process.execPath, [join(root, 'bin/faultline.js'), 'check', '--model', 'kv', '--json', ...workers, join(dir, file)], { encoding: 'utf8' });
      } catch (e) {
        out = (e as { stdout: string }).stdout; // exit 1: not linearizable
      }
      const r = JSON.parse(out) as { valid: unknown; ms: number };
      if (r.valid !== expected[file]) {
        mismatches++;
        console.log(`MISMATCH ${file}: ${String(r.valid)}, expected ${expected[file]}`);
      }
      ms.push(r.ms);
    }
    cells.push(`${Math.min(...ms).toFixed(1)} / ${median(ms).toFixed(1)} / ${Math.max(...ms).toFixed(1)}`.padEnd(24));
  }
  console.log(`${file.padEnd(12)} ${cells.join(' ')} ${PORCUPINE[file]}`);
}
console.log(`verdicts: ${mismatches === 0 ? 'all agree' : `${mismatches} disagree`} with expected.json`);
if (mismatches > 0) process.exitCode = 1;
