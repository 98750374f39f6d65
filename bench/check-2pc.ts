/**
 * The 2PC-atomicity checker on a generated bank history: 1,000,000 transfers by 32 client processes over 5
 * participants (50 accounts), 1 % failed and 1 % of unknown outcome (half of those committed), an ok read every
 * 10,000 transfers (markers since the last 1,000 ids), and a final read holding every marker (goal: ≤ 5 s on 2 cores).
 *
 * Measured twice: in this process on the history in memory (the check alone: cold, then the best of three more
 * passes), and end to end in a fresh process, `faultline check --checker 2pc --json` on the history written as
 * JSONL to bench/out/ (read, parse and check; reused across runs).
 *
 *   node dist/bench/check-2pc.js [--quick]
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Op } from '../checkers/history/op.js';
import { checkTwoPhaseCommit } from '../checkers/two-phase-commit/index.js';
import { root } from './gen/histories.js';

const quick = process.argv.includes('--quick');
const N = quick ? 100_000 : 1_000_000;
const CLIENTS = 32;
const PARTICIPANTS = ['p1', 'p2', 'p3', 'p4', 'p5'];
const ACCOUNTS = 50;

/** The history of a correct bank: batches of 32 concurrent transfers, each committed or aborted atomically. */
function generate(n: number): Op[] {
  const ops: Op[] = [];
  const event = (process: number, type: Op['type'], f: string, value: unknown) => ops.push({ index: ops.length, time: ops.length * 1000, process, type, f, value });
  const balances = new Array<number>(ACCOUNTS).fill(1000);
  const markers: number[][] = PARTICIPANTS.map(() => []);
  const home = (a: number) => a % PARTICIPANTS.length;
  const procs = Array.from({ length: CLIENTS }, (_, k) => k);
  let nextProcess = CLIENTS + 2;
  let seed = 1;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / (1 << 24);
  const snapshot = (since: number) =>
    Object.fromEntries(
      PARTICIPANTS.map((p, k) => [
        p,
        {
          balances: Object.fromEntries(balances.flatMap((b, a) => (home(a) === k ? [[String(a), b]] : []))),
          markers: since < 0 ? markers[k] : markers[k].filter((m) => m >= since),
        },
      ]),
    );
  for (let id = 0; id < n; id += CLIENTS) {
    const batch: { k: number; value: { id: number; from: number; to: number; amount: number; participants: string[] } }[] = [];
    for (let k = 0; k < CLIENTS && id + k < n; k++) {
      const from = Math.floor(rnd() * ACCOUNTS);
      const to = (from + 1 + Math.floor(rnd() * (ACCOUNTS - 1))) % ACCOUNTS;
      const participants = [...new Set([PARTICIPANTS[home(from)], PARTICIPANTS[home(to)]])];
      const value = { id: id + k, from, to, amount: 1 + Math.floor(rnd() * 10), participants };
      batch.push({ k, value });
      event(procs[k], 'invoke', 'transfer', value);
    }
    for (const { k, value } of batch) {
      const r = rnd();
      const outcome = r < 0.01 ? 'fail' : r < 0.02 ? 'info' : 'ok';
      const commits = outcome === 'ok' || (outcome === 'info' && r < 0.015);
      if (commits) {
        balances[value.from] -= value.amount;
        balances[value.to] += value.amount;
        for (const p of value.participants) markers[PARTICIPANTS.indexOf(p)].push(value.id);
      }
      event(procs[k], outcome, 'transfer', value);
      if (outcome === 'info') procs[k] = nextProcess++;
    }
    if (Math.floor((id + CLIENTS) / 10_000) > Math.floor(id / 10_000)) {
      event(CLIENTS, 'invoke', 'read', null);
      const since = Math.max(0, id - 1000);
      event(CLIENTS, 'ok', 'read', { since, participants: snapshot(since) });
    }
  }
  event(CLIENTS + 1, 'invoke', 'final-read', null);
  const final = snapshot(-1);
  event(CLIENTS + 1, 'ok', 'final-read', { participants: Object.fromEntries(Object.entries(final).map(([p, v]) => [p, { ...v, prepared: [] }])) });
  return ops;
}

async function writeJsonl(ops: Op[], file: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp);
  for (let i = 0; i < ops.length; i += 10_000) {
    const chunk = ops.slice(i, i + 10_000).map((o) => JSON.stringify(o)).join('\n') + '\n';
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  renameSync(tmp, file);
}

const t0 = performance.now();
const ops = generate(N);
const genMs = performance.now() - t0;
const reads = ops.filter((o) => o.f === 'read' && o.type === 'ok').length;
console.log(`generated ${N.toLocaleString('en-US')} transfers, ${reads} reads and a final read: ${ops.length.toLocaleString('en-US')} events in ${(genMs / 1000).toFixed(2)} s`);

// The first pass is cold (code not yet optimised), as one `faultline check` call sees it.
const times: number[] = [];
let result!: ReturnType<typeof checkTwoPhaseCommit>;
for (let pass = 0; pass < 4; pass++) {
  const t = performance.now();
  result = checkTwoPhaseCommit(ops);
  times.push(performance.now() - t);
}
const [cold, ...steady] = times;
const best = Math.min(...steady);
const c = result.counts;
console.log(`verdict ${result.valid}; committed ${c.committed}, aborted ${c.aborted}, info resolved ${c.infoCommitted}/${c.infoAborted}, ${c.readMarkers} read markers, ${c.finalMarkers} final markers`);
console.log(`check (in memory): cold ${cold.toFixed(0)} ms, steady best of 3 ${best.toFixed(0)} ms (${steady.map((t) => t.toFixed(0)).join(' / ')}) => ${Math.round(N / (best / 1000)).toLocaleString('en-US')} transfers/s`);

const dir = join(root, 'bench/out');
mkdirSync(dir, { recursive: true });
const file = join(dir, `2pc-${N}.jsonl`);
if (!existsSync(file)) await writeJsonl(ops, file);
const t1 = performance.now();
const out = execFileSync(process.execPath, [join(root, 'bin/faultline.js'), 'check', '--checker', '2pc', '--json', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
const wall = performance.now() - t1;
const row = JSON.parse(out) as { valid: unknown; ms: number };
console.log(`end to end (fresh process: read ${file.slice(root.length)}, parse, check): ${(wall / 1000).toFixed(2)} s wall, of which the check ${row.ms.toFixed(0)} ms; verdict ${String(row.valid)}`);
console.log(`peak RSS of this process ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
