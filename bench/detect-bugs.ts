/**
 * How reliably and how fast the harness finds each target's bugs, and that the correct modes stay valid under the
 * same nemeses: `faultline run` on the simulation for 20 seeds per case, printing how many runs were valid,
 * invalid and unknown, the median wall time of a run (simulation and check together: the time to a verdict), and
 * for invalid runs the median test time at which the first non-linearizable op completed.
 *
 *   node dist/bench/detect-bugs.js [filter]     # e.g. raft-kv: only the cases whose line contains it
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../harness/builtins.js';
import { parseDefinition } from '../harness/config/index.js';
import { runTest } from '../harness/run.js';
import { EXPOSING_NEMESES, GENERIC_NEMESIS, type NemesisRecipe } from '../targets/raft-kv/nemeses.js';

/** A target (and bug) under a nemesis. */
type Case = { target: string; bug?: string } & NemesisRecipe;

const PB: NemesisRecipe = { faults: 'partition,kill', interval: 5, timeLimit: 30 };
const raft = (bug: string | undefined, n: NemesisRecipe): Case => ({ target: 'raft-kv', bug, ...n });

const cases: Case[] = [
  { target: 'kv-single', ...PB },
  { target: 'primary-backup', ...PB },
  { target: 'primary-backup', bug: 'async-replication', ...PB },
  { target: 'primary-backup', bug: 'lost-failover', ...PB },
  raft(undefined, GENERIC_NEMESIS),
  ...Object.values(EXPOSING_NEMESES).map((n) => raft(undefined, n)),
  ...Object.entries(EXPOSING_NEMESES).map(([bug, n]) => raft(bug, n)),
  ...Object.keys(EXPOSING_NEMESES).map((bug) => raft(bug, GENERIC_NEMESIS)),
];

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[xs.length >> 1] : NaN);
const filter = process.argv[2];
const store = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
try {
  for (const c of cases) {
    const label = `${c.target}${c.bug ? ` --bug ${c.bug}` : ''} --nemesis ${c.faults} --nemesis-interval ${c.interval} --time-limit ${c.timeLimit}`;
    if (filter && !label.includes(filter)) continue;
    const counts = { valid: 0, invalid: 0, unknown: 0 };
    const wall: number[] = [];
    const found: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const def = parseDefinition(
        { target: c.target, workload: 'register', seed, store, timeLimit: c.timeLimit, nemesis: { faults: c.faults, interval: c.interval }, ...(c.bug ? { bug: c.bug } : {}) },
        builtinRegistry().definitions(),
      );
      const t = performance.now();
      const r = await runTest(def);
      wall.push(performance.now() - t);
      counts[r.valid === true ? 'valid' : r.valid === false ? 'invalid' : 'unknown']++;
      const first = (r.check.checker === 'linearizable' ? r.check.partitions : [])
        .flatMap((p) => (p.anomaly ? [p.anomaly.op.completeIndex] : []))
        .map((i) => r.history[i].time / 1e9);
      if (first.length) found.push(Math.min(...first));
    }
    const at = found.length ? `; anomaly at test time ${median(found).toFixed(1)} s (median)` : '';
    console.log(label);
    console.log(`  ${counts.valid} valid, ${counts.invalid} invalid, ${counts.unknown} unknown of 20; run median ${(median(wall) / 1000).toFixed(2)} s, max ${(Math.max(...wall) / 1000).toFixed(2)} s${at}`);
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
