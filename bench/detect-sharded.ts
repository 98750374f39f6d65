/**
 * How reliably the harness finds each of sharded-kv's bugs with its fault mix, and that the correct store stays
 * valid under the same mixes (with one owner per key, the default, and with three): `faultline run` on the
 * simulation for 20 seeds per case. Prints a markdown table: runs that found an anomaly, runs valid, the median
 * test time at which the first non-linearizable op completed, and the median wall time of a run (simulation and
 * check together).
 *
 *   node dist/bench/detect-sharded.js [filter] [seeds]    # e.g. no-handoff: only the rows whose line contains it
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NemesisRecipe } from '../targets/raft-kv/nemeses.js';
import { EXPOSING_NEMESES, GENERIC_NEMESIS } from '../targets/sharded-kv/nemeses.js';
import { median, tallySeeds } from './seeded-runs.js';

type Case = { bug?: string; options?: Record<string, unknown> } & NemesisRecipe;

const mixes = [...new Map([...Object.values(EXPOSING_NEMESES), GENERIC_NEMESIS].map((n) => [n.faults, n])).values()];
const cases: Case[] = [
  ...Object.entries(EXPOSING_NEMESES).map(([bug, n]) => ({ bug, ...n })),
  ...mixes.map((n) => ({ ...n })),
  ...mixes.map((n) => ({ ...n, options: { replication: 3 } })),
];

const filter = process.argv[2];
const seeds = Number(process.argv[3] ?? 20);
const store = mkdtempSync(join(tmpdir(), 'faultline-bench-sharded-'));
console.log(`sharded-kv on the simulation, ${seeds} seeds per row (seeds 1–${seeds})\n`);
console.log('| mode | options | nemesis | interval, time limit | found | valid | anomaly at (median) | run (median) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
try {
  for (const c of cases) {
    const options = c.options ? JSON.stringify(c.options) : '—';
    const line = `${c.bug ?? 'correct'} ${options} ${c.faults}`;
    if (filter && !line.includes(filter)) continue;
    const t = await tallySeeds(
      {
        target: 'sharded-kv',
        workload: 'register',
        store,
        timeLimit: c.timeLimit,
        nemesis: { faults: c.faults, interval: c.interval },
        ...(c.bug ? { bug: c.bug } : {}),
        ...(c.options ? { options: c.options } : {}),
      },
      seeds,
    );
    const at = t.foundAt.length ? `${median(t.foundAt).toFixed(1)} s` : '—';
    console.log(
      `| ${c.bug ?? 'correct'} | ${options} | \`${c.faults}\` | ${c.interval} s, ${c.timeLimit} s | ${t.invalid}/${seeds} | ${t.valid}/${seeds} | ${at} | ${(median(t.wallMs) / 1000).toFixed(2)} s |`,
    );
  }

  // Load per shard by balancing strategy: three owners per key, so reads have three shards to go to.
  console.log(`\nLoad per shard (requests the routers sent) by balancing strategy, replication 3, \`membership+pause\`, interval 3 s, 30 s, seeds 1–5: max/mean over the shards that took any, mean (min–max) over seeds\n`);
  console.log('| balance | max/mean load |');
  console.log('| --- | --- |');
  for (const balance of ['round-robin', 'random', 'least-outstanding']) {
    if (filter && !`balance ${balance}`.includes(filter)) continue;
    const t = await tallySeeds(
      { target: 'sharded-kv', workload: 'register', store, timeLimit: 30, nemesis: { faults: 'membership+pause', interval: 3 }, options: { replication: 3, balance } },
      5,
    );
    const ratios = t.outcomes.map((r) => {
      const load = (r.observations?.figures.find((f) => f.id === 'load')?.series[0].values ?? []) as number[];
      const took = load.filter((v) => v > 0);
      return Math.max(...took) / (took.reduce((a, b) => a + b, 0) / took.length);
    });
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    console.log(`| ${balance} | ${mean.toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) |`);
  }

  // The detector's false suspicions (of a running, reachable shard) under the latency fault, and overall.
  console.log(`\nFailure detector (phi > 8) in the correct store under \`latency\` and \`latency,loss,pause\`, interval 3 s, 60 s, seeds 1–${seeds}: suspicions by what the suspected shard was going through, summed over seeds\n`);
  console.log('| nemesis | runs | crashed | paused or cut off | slowed (false) | no fault (false) | false per minute of run |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const faults of ['latency', 'latency,loss,pause']) {
    if (filter && !`detector ${faults}`.includes(filter)) continue;
    const t = await tallySeeds({ target: 'sharded-kv', workload: 'register', store, timeLimit: 60, nemesis: { faults, interval: 3 } }, seeds);
    const sum = [0, 0, 0, 0];
    let minutes = 0;
    for (const r of t.outcomes) {
      const score = (r.observations?.figures.find((f) => f.id === 'detector-score')?.series[0].values ?? []) as number[];
      score.forEach((v, i) => (sum[i] += v));
      minutes += r.stats.durationMs / 60_000;
    }
    console.log(`| \`${faults}\` | ${seeds} | ${sum.join(' | ')} | ${((sum[2] + sum[3]) / minutes).toFixed(2)} |`);
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
