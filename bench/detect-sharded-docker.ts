/**
 * sharded-kv on Docker, over real Redis shards: how often each bug is found with its fault mix, and that the
 * correct store stays valid under membership changes with partitions, kills and pauses. `faultline run --runtime
 * docker` for a few seeds per case (a run costs its test time plus about 6 s of setup and teardown); prints a
 * markdown table.
 *
 *   node dist/bench/detect-sharded-docker.js [seeds, default 5] [filter]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, tallySeeds } from './seeded-runs.js';

interface Case {
  bug?: string;
  faults: string;
  interval: number;
  timeLimit: number;
}

const CHURN = { faults: 'membership+partition', interval: 2, timeLimit: 12 };
const cases: Case[] = [
  { bug: 'seed-ring', ...CHURN },
  { bug: 'no-handoff', ...CHURN },
  { bug: 'stale-ring', ...CHURN },
  { bug: 'eager-detector', faults: 'kill,pause', interval: 3, timeLimit: 12 },
  { bug: 'eager-detector', faults: 'pause', interval: 2, timeLimit: 12 },
  { faults: 'membership+partition,membership+kill,membership+pause', interval: 3, timeLimit: 30 },
];

const seeds = Number(process.argv[2] ?? 5);
const filter = process.argv[3];
const store = mkdtempSync(join(tmpdir(), 'faultline-bench-sharded-docker-'));
console.log(`sharded-kv on Docker (Redis shards, one owner per key), seeds 1–${seeds} per row\n`);
console.log('| mode | nemesis | interval, time limit | found | valid | anomaly at (median) | run, wall (median) |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
try {
  for (const c of cases) {
    if (filter && !`${c.bug ?? 'correct'} ${c.faults}`.includes(filter)) continue;
    const t = await tallySeeds(
      {
        runtime: 'docker',
        target: 'sharded-kv',
        workload: 'register',
        store,
        timeLimit: c.timeLimit,
        nemesis: { faults: c.faults, interval: c.interval },
        ...(c.bug ? { bug: c.bug } : {}),
      },
      seeds,
    );
    const at = t.foundAt.length ? `${median(t.foundAt).toFixed(1)} s` : '—';
    console.log(`| ${c.bug ?? 'correct'} | \`${c.faults}\` | ${c.interval} s, ${c.timeLimit} s | ${t.invalid}/${seeds} | ${t.valid}/${seeds} | ${at} | ${(median(t.wallMs) / 1000).toFixed(1)} s |`);
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
