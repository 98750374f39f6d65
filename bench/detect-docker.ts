/**
 * How often one Docker run finds each bug the Docker tests claim to find, over many seeds: the rates behind the
 * tests' "found within 90 s of runs" (test/support/detect.ts). Each case is `faultline run --runtime docker` in
 * process, `seeds` times; prints how many runs were invalid with the expected anomaly, and the median wall time of a
 * run (setup, test, teardown and check).
 *
 *   node dist/bench/detect-docker.js [seeds] [filter]     # e.g. 10 pg-2pc
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../harness/builtins.js';
import { parseDefinition } from '../harness/config/index.js';
import { runTest, type RunOutcome } from '../harness/run.js';

interface Case {
  fields: Record<string, unknown>;
  /** Whether the run shows the anomaly the test names. */
  shows: (r: RunOutcome) => boolean;
}

type TwoPcAnomaly = keyof Extract<RunOutcome['check'], { checker: '2pc' }>['anomalyCounts'];
const anomaly = (kind: TwoPcAnomaly) => (r: RunOutcome) => r.check.checker === '2pc' && r.check.anomalyCounts[kind] > 0;
const pg2pc = (bug: string, faults: string, interval: number, kind: TwoPcAnomaly, concurrency = 5): Case => ({
  fields: { target: 'pg-2pc', workload: 'bank', bug, concurrency, nemesis: { faults, interval }, timeLimit: 30 },
  shows: anomaly(kind),
});

const cases: Case[] = [
  { fields: { target: 'postgres', bug: 'read-committed', nemesis: 'none', timeLimit: 15 }, shows: (r) => r.valid === false },
  {
    fields: { target: 'redis-replicated', workload: 'set', nemesis: 'partition', timeLimit: 30 },
    shows: (r) => r.check.checker === 'set' && r.check.lost.length > 0,
  },
  pg2pc('no-decision-log', 'kill:primary', 4, 'partial-commit'),
  pg2pc('no-decision-log', 'kill:primary', 4, 'partial-commit', 20),
  pg2pc('no-recovery', 'kill:primary', 5, 'in-doubt-left'),
  pg2pc('commit-before-all-prepared', 'partition:random', 5, 'partial-commit'),
];

const seeds = Number(process.argv[2] ?? 5);
const filter = process.argv[3];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const registry = builtinRegistry();
const store = mkdtempSync(join(tmpdir(), 'faultline-bench-docker-'));
try {
  for (const c of cases) {
    const label = JSON.stringify(c.fields);
    if (filter && !label.includes(filter)) continue;
    let caught = 0;
    const wall: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const def = parseDefinition({ runtime: 'docker', store, seed, ...c.fields }, registry.definitions());
      const t = performance.now();
      const r = await runTest(def, { registry });
      wall.push(performance.now() - t);
      if (r.valid === false && c.shows(r)) caught++;
    }
    console.log(`${label}\n  caught in ${caught} of ${seeds} runs; run median ${(median(wall) / 1000).toFixed(1)} s, max ${(Math.max(...wall) / 1000).toFixed(1)} s`);
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
