/**
 * cache-aside on Docker (real Redis in front of real PostgreSQL): how often each bug is found, by which guarantee,
 * and that the correct mode (leases) stays valid under database latency, pauses, cache restarts and partitions.
 * `faultline run --runtime docker --target cache-aside` for seeds 1…N per row, 10 s each; prints a markdown table
 * with the hit ratio and the age of the stale values served.
 *
 *   node dist/bench/detect-cache.js [seeds, default 10] [filter]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheResult } from '../checkers/cache/result.js';
import { median, tallySeeds } from './seeded-runs.js';

interface Case {
  bug?: string;
  faults: string;
  /** The nemesis interval, s (default 5: two fault windows in the 10 s). */
  interval?: number;
  concurrency?: number;
}

// The command form, `--nemesis latency,pause` (both aimed at the database by default), for every bug; the
// correct mode under that, under cache restarts (kill aims at the cache: interval 3 s gives latency, pause and kill
// each a window), partitions between the cache and the clients, and pauses of the cache itself.
const cases: Case[] = [
  { bug: 'fill-race', faults: 'latency,pause' },
  { bug: 'delete-first', faults: 'latency,pause' },
  { bug: 'no-ttl', faults: 'latency,pause' },
  { bug: 'no-ttl', faults: 'latency,pause', concurrency: 10 },
  { faults: 'latency,pause' },
  { faults: 'latency,pause,kill', interval: 3 },
  { faults: 'partition,kill' },
  { faults: 'pause:cache,kill' },
];

const seeds = Number(process.argv[2] ?? 10);
const filter = process.argv[3];
const store = mkdtempSync(join(tmpdir(), 'faultline-bench-cache-'));
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
console.log(`cache-aside on Docker (Redis cache, PostgreSQL database), seeds 1–${seeds} per row, 10 s each\n`);
console.log('| mode | nemesis (interval), processes | found | valid | not linearizable | not converged | stale reads (median) | stale age, median / max | hit ratio (median) | run, wall (median) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
try {
  for (const c of cases) {
    if (filter && !`${c.bug ?? 'correct'} ${c.faults}`.includes(filter)) continue;
    const t = await tallySeeds(
      {
        runtime: 'docker',
        target: 'cache-aside',
        store,
        timeLimit: 10,
        nemesis: { faults: c.faults, interval: c.interval ?? 5 },
        ...(c.concurrency ? { concurrency: c.concurrency } : {}),
        ...(c.bug ? { bug: c.bug } : {}),
      },
      seeds,
    );
    const results = t.outcomes.map((o) => o.check as CacheResult);
    const ages = results.flatMap((r) => (r.figures.staleAge.medianMs !== undefined ? [r.figures.staleAge.medianMs] : []));
    const maxAge = Math.max(0, ...results.map((r) => r.figures.staleAge.maxMs ?? 0));
    const age = ages.length ? `${median(ages).toFixed(0)} / ${maxAge.toFixed(0)} ms` : '—';
    console.log(
      `| ${c.bug ?? 'correct'} | \`${c.faults}\` (${c.interval ?? 5} s), ${c.concurrency ?? 5} | ${t.invalid}/${seeds} | ${t.valid}/${seeds} | ${results.filter((r) => r.linearizable === false).length}/${seeds} | ` +
        `${results.filter((r) => r.converged === false).length}/${seeds} | ${median(results.map((r) => r.staleReadCount))} | ${age} | ` +
        `${pct(median(results.map((r) => r.figures.hitRatio ?? NaN)))} | ${(median(t.wallMs) / 1000).toFixed(1)} s |`,
    );
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
