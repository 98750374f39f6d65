/**
 * replicated-log in the simulation: how often each bug is found by the log checker, and that the correct log stays
 * valid, over seeds 1…N per row (20 by default). The first rows are the command form, `faultline run
 * --target replicated-log --workload log --bug …` (the default nemesis, a partition every 5 s, 10 s); the others aim
 * kills, pauses and partitions at the partition leaders; the last crash consumers mid-batch (crash-client), which
 * only commit-before-process, the group consumer's bug, is meant to need. Prints a markdown table.
 *
 *   node dist/bench/detect-log.js [seeds, default 20] [filter]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogResult } from '../checkers/log/result.js';
import { median, tallySeeds } from './seeded-runs.js';

interface Case {
  bug?: string;
  faults?: string;
  interval?: number;
  /** Test time, s (default 10). */
  timeLimit?: number;
}

const cases: Case[] = [
  { bug: 'truncate-on-failover' },
  { bug: 'ack-before-replicate' },
  {},
  { bug: 'truncate-on-failover', faults: 'kill:primary', interval: 2 },
  { bug: 'ack-before-replicate', faults: 'kill:primary', interval: 2 },
  { faults: 'kill:primary', interval: 2 },
  { faults: 'partition,kill,pause', interval: 3 },
  { faults: 'pause:primary,partition:primary', interval: 2 },
  // ack-before-replicate under leader kills loses only what was acknowledged in the last round trip before the kill.
  { bug: 'ack-before-replicate', faults: 'kill:primary', interval: 2, timeLimit: 30 },
  { faults: 'kill:primary', interval: 2, timeLimit: 30 },
  // The consumer's bug: the group commits before its member has handed the batch over. Only a crash of that member
  // in between (crash-client) shows it; the default nemesis (partitions) kills no consumer.
  { faults: 'crash-client', interval: 2 },
  { bug: 'commit-before-process', faults: 'crash-client', interval: 2 },
  { bug: 'commit-before-process' },
  { bug: 'commit-before-process', faults: 'partition,kill,pause', interval: 3 },
];

const seeds = Number(process.argv[2] ?? 20);
const filter = process.argv[3];
const store = mkdtempSync(join(tmpdir(), 'faultline-bench-log-'));
console.log(`replicated-log in the simulation, 5 brokers, 4 partitions, replication 3; seeds 1–${seeds} per row\n`);
console.log('| mode | nemesis (interval), time limit | found | valid | lost-write | missing | group-lost | inconsistent offsets | other anomalies | sends ok (median) | run, wall (median) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
try {
  for (const c of cases) {
    const faults = c.faults ?? 'partition';
    if (filter && !`${c.bug ?? 'correct'} ${faults}`.includes(filter)) continue;
    const t = await tallySeeds(
      { target: 'replicated-log', workload: 'log', store, timeLimit: c.timeLimit ?? 10, ...(c.faults ? { nemesis: { faults: c.faults, interval: c.interval ?? 5 } } : {}), ...(c.bug ? { bug: c.bug } : {}) },
      seeds,
    );
    const results = t.outcomes.map((o) => o.check as LogResult);
    const runsWith = (k: keyof LogResult['anomalyCounts']) => results.filter((r) => r.anomalyCounts[k] > 0).length;
    const other = results.filter((r) => r.anomalyCounts.duplicate + r.anomalyCounts['nonmonotonic-poll'] + r.anomalyCounts.skip + r.anomalyCounts.phantom > 0).length;
    console.log(
      `| ${c.bug ?? 'correct'} | \`${faults}\` (${c.interval ?? 5} s), ${c.timeLimit ?? 10} s | ${t.invalid}/${seeds} | ${t.valid}/${seeds} | ${runsWith('lost-write')}/${seeds} | ${runsWith('missing')}/${seeds} | ${runsWith('group-lost')}/${seeds} | ` +
        `${runsWith('inconsistent-offsets')}/${seeds} | ${other}/${seeds} | ${median(results.map((r) => r.counts.sendsOk))} | ${(median(t.wallMs) / 1000).toFixed(1)} s |`,
    );
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
