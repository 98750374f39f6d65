/**
 * `faultline check` on a million-op history against the floor of reading it (bench/parse-floor.js: readline and
 * JSON.parse, nothing else), each a whole fresh process, taking turns so that both see the same machine (it is
 * shared and noisy: the ratio measured in one run is the figure, not either time alone). Goal: the check at most
 * 2× the floor, peak RSS at most 2 GB.
 *
 *   node dist/bench/check-floor.js [rounds] [--ops N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { manyKeysHistory, root } from './gen/histories.js';

const { values, positionals } = parseArgs({ options: { ops: { type: 'string', default: '1000000' } }, allowPositionals: true });
const rounds = Number(positionals[0] ?? 5);
const file = manyKeysHistory(Number(values.ops));
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Wall seconds and peak RSS (MB, from GNU time when there is one) of one process. */
function run(args: string[]): { s: number; rssMB?: number; out: string } {
  const argv = gnuTime ? ['-f', '%M', process.execPath, ...args] : args;
  const t = performance.now();
  const r = spawnSync(gnuTime ?? process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const s = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const rss = gnuTime ? Number(r.stderr.trim().split('\n').pop()) / 1024 : undefined;
  return { s, rssMB: rss, out: r.stdout };
}

const floor: number[] = [];
const check: number[] = [];
const ratios: number[] = [];
let rss = 0;
let verdict = '';
for (let i = 0; i < rounds; i++) {
  const f = run([join(root, 'dist/bench/parse-floor.js'), file]);
  const c = run([join(root, 'bin/faultline.js'), 'check', '--json', '--model', 'cas-register', file]);
  verdict = String(JSON.parse(c.out).valid);
  floor.push(f.s);
  check.push(c.s);
  ratios.push(c.s / f.s);
  rss = Math.max(rss, c.rssMB ?? 0);
  console.log(`round ${i + 1}: floor ${f.s.toFixed(2)} s, faultline check ${c.s.toFixed(2)} s (${(c.s / f.s).toFixed(2)}×), peak RSS ${c.rssMB?.toFixed(0) ?? '?'} MB`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${values.ops} ops (${file}): floor median ${median(floor).toFixed(2)} s, faultline check median ${median(check).toFixed(2)} s, ` +
    `ratio of medians ${(median(check) / median(floor)).toFixed(2)}× (per round ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×), ` +
    `peak RSS ${rss ? rss.toFixed(0) : '?'} MB, verdict ${verdict}; goal ≤ 2× and ≤ 2048 MB`,
);
