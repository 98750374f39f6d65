/**
 * How many acknowledged entries redis-stream loses, per run, in the layouts issue 20 names: one server with its
 * append-only file under kill (none expected), and Sentinel's primary and replicas under partition:primary without
 * WAIT and with `wait: 1`. Judged by the log checker: per row, the runs found invalid, and per run the acknowledged
 * sends, those missing from the final drain (and how many of them some poll had read before, on the primary that
 * lost them), lost writes and inconsistent offsets. With five nodes, partition:primary-minority leaves the primary one
 * replica, which acknowledges `WAIT 1`: Jepsen's loss of acknowledged writes with WAIT.
 *
 *   node dist/bench/detect-log-docker.js [seeds, default 5] [filter]     # e.g. 5 wait
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogResult } from '../checkers/log/result.js';
import { median, tallySeeds } from './seeded-runs.js';

const cases: { name: string; fields: Record<string, unknown> }[] = [
  { name: 'single, kill', fields: { nemesis: { faults: 'kill', interval: 4 } } },
  // A group member crashes between XREADGROUP and XACK: its entries stay pending until another member claims them.
  { name: 'single, crash-client', fields: { nemesis: { faults: 'crash-client', interval: 2 } } },
  { name: 'replicated, no WAIT, partition:primary', fields: { options: { replicated: true }, nemesis: { faults: 'partition:primary', interval: 6 } } },
  { name: 'replicated, wait 1, partition:primary', fields: { options: { replicated: true, wait: 1 }, nemesis: { faults: 'partition:primary', interval: 6 } } },
  // Five nodes: the primary can keep one replica on its side, which acknowledges WAIT 1, while the other three (and
  // their sentinels, a majority) promote one of themselves, which never had those entries. WAIT 2 cannot be met there.
  { name: 'replicated ×5, no WAIT, partition:primary-minority', fields: { nodes: 5, options: { replicated: true }, nemesis: { faults: 'partition:primary-minority', interval: 6 } } },
  { name: 'replicated ×5, wait 1, partition:primary-minority', fields: { nodes: 5, options: { replicated: true, wait: 1 }, nemesis: { faults: 'partition:primary-minority', interval: 6 } } },
  { name: 'replicated ×5, wait 2, partition:primary-minority', fields: { nodes: 5, options: { replicated: true, wait: 2 }, nemesis: { faults: 'partition:primary-minority', interval: 6 } } },
  // The default partitions, their shapes varied from cycle to cycle: only some cuts leave the primary a replica.
  { name: 'replicated ×5, wait 1, partition', fields: { nodes: 5, options: { replicated: true, wait: 1 }, nemesis: { faults: 'partition', interval: 3 } } },
];

const seeds = Number(process.argv[2] ?? 5);
const filter = process.argv[3];
const store = mkdtempSync(join(tmpdir(), 'faultline-bench-log-docker-'));
console.log(`redis-stream on Docker, 4 partitions, seeds 1–${seeds} per row, 10 s each\n`);
console.log('| layout, nemesis | invalid | per run: acknowledged / missing from the drain (read before) / lost-write / inconsistent | run, wall (median) |');
console.log('| --- | --- | --- | --- |');
try {
  for (const c of cases) {
    if (filter && !c.name.includes(filter)) continue;
    const t = await tallySeeds({ runtime: 'docker', target: 'redis-stream', workload: 'log', store, timeLimit: 10, ...c.fields }, seeds);
    const runs = t.outcomes.map((o) => {
      const r = o.check as LogResult;
      const n = r.anomalyCounts;
      const readBefore = r.missing.filter((m) => m.readBefore).length;
      return `${r.counts.sendsOk} / ${n.missing} (${readBefore}${n.missing > r.missing.length ? ' of the first listed' : ''}) / ${n['lost-write']} / ${n['inconsistent-offsets']}`;
    });
    console.log(`| ${c.name} | ${t.invalid}/${seeds} | ${runs.join('; ')} | ${(median(t.wallMs) / 1000).toFixed(1)} s |`);
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
