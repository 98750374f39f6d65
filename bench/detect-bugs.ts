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
import { REGISTRY } from '../harness/cli/run-command.js';
import { parseDefinition } from '../harness/config/index.js';
import { runTest } from '../harness/run.js';

interface Case {
  target: string;
  bug?: string;
  nemesis: string;
  interval: number;
  timeLimit: number;
}

const pb = (bug?: string): Case => ({ target: 'primary-backup', bug, nemesis: 'partition,kill', interval: 5, timeLimit: 30 });
/** Raft's nemeses: the generic mix, and the one aimed at each bug (README, "Raft"). */
const RAFT_TARGETED: Record<string, Omit<Case, 'target' | 'bug'>> = {
  'stale-read': { nemesis: 'partition:primary', interval: 5, timeLimit: 30 },
  'commit-without-majority': { nemesis: 'partition:primary-minority', interval: 5, timeLimit: 30 },
  'forget-vote': { nemesis: 'partition:bridge+latency:primary+crash-loop:primary', interval: 2, timeLimit: 30 },
  'no-dedup': { nemesis: 'loss:primary', interval: 2, timeLimit: 120 },
};
const raft = (bug: string | undefined, n: Omit<Case, 'target' | 'bug'>): Case => ({ target: 'raft-kv', bug, ...n });
const GENERIC = { nemesis: 'partition,kill,pause', interval: 5, timeLimit: 30 };

const cases: Case[] = [
  { target: 'kv-single', nemesis: 'partition,kill', interval: 5, timeLimit: 30 },
  pb(),
  pb('async-replication'),
  pb('lost-failover'),
  raft(undefined, GENERIC),
  ...Object.values(RAFT_TARGETED).map((n) => raft(undefined, n)),
  ...Object.entries(RAFT_TARGETED).map(([bug, n]) => raft(bug, n)),
  ...Object.keys(RAFT_TARGETED).map((bug) => raft(bug, GENERIC)),
];

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[xs.length >> 1] : NaN);
const filter = process.argv[2];
const store = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
try {
  for (const c of cases) {
    const label = `${c.target}${c.bug ? ` --bug ${c.bug}` : ''} --nemesis ${c.nemesis} --nemesis-interval ${c.interval} --time-limit ${c.timeLimit}`;
    if (filter && !label.includes(filter)) continue;
    const counts = { valid: 0, invalid: 0, unknown: 0 };
    const wall: number[] = [];
    const found: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const def = parseDefinition(
        { target: c.target, workload: 'register', seed, store, timeLimit: c.timeLimit, nemesis: { faults: c.nemesis, interval: c.interval }, ...(c.bug ? { bug: c.bug } : {}) },
        REGISTRY,
      );
      const t = performance.now();
      const r = await runTest(def);
      wall.push(performance.now() - t);
      counts[r.valid === true ? 'valid' : r.valid === false ? 'invalid' : 'unknown']++;
      const first = r.check.partitions
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
