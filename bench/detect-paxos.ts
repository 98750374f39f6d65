/**
 * Issue 21's figures: paxos-kv in the simulation, seeds 1…N per case (20 by default). The correct protocol under
 * partitions, kills, pauses, the generic mix and each bug's own nemesis; each bug under its nemesis. Per case: runs
 * found invalid and valid, the median test time of the first non-linearizable op, and the median wall time of a run.
 *
 *   node dist/bench/detect-paxos.js [seeds, default 20] [filter]     # e.g. 20 forget-promise
 *   node dist/bench/detect-paxos.js --docker [seeds, default 5] [filter]
 *
 * With --docker, the nodes are `faultline node paxos-kv` processes in containers: the correct protocol under the
 * generic mix (10 s), and the two bugs a 10 s run shows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NemesisRecipe } from '../targets/raft-kv/nemeses.js';
import { EXPOSING_NEMESES, GENERIC_NEMESIS } from '../targets/paxos-kv/nemeses.js';
import { median, tallySeeds } from './seeded-runs.js';

type Case = { bug?: string } & NemesisRecipe;

const cases: Case[] = [
  { faults: 'partition', interval: 5, timeLimit: 10 },
  { faults: 'kill', interval: 5, timeLimit: 10 },
  { faults: 'pause', interval: 5, timeLimit: 10 },
  GENERIC_NEMESIS,
  ...Object.values(EXPOSING_NEMESES),
  ...Object.entries(EXPOSING_NEMESES).map(([bug, n]) => ({ bug, ...n })),
];

const onDocker = process.argv[2] === '--docker';
const args = process.argv.slice(onDocker ? 3 : 2);
const seeds = Number(args[0] ?? (onDocker ? 5 : 20));
const filter = args[1];
const dockerCases: Case[] = [{ faults: 'partition,kill,pause', interval: 3, timeLimit: 10 }, { bug: 'local-read', ...EXPOSING_NEMESES['local-read'] }, { bug: 'minority-accept', ...EXPOSING_NEMESES['minority-accept'] }];
const store = mkdtempSync(join(tmpdir(), 'faultline-bench-paxos-'));
console.log(`paxos-kv ${onDocker ? 'on Docker' : 'in the simulation'} (5 nodes, register workload), seeds 1–${seeds} per row\n`);
console.log('| mode | nemesis (interval), time limit | found | valid | first anomaly at (median) | run, wall (median) |');
console.log('| --- | --- | --- | --- | --- | --- |');
try {
  for (const c of onDocker ? dockerCases : cases) {
    const label = `${c.bug ?? 'correct'} ${c.faults}`;
    if (filter && !label.includes(filter)) continue;
    const t = await tallySeeds({ ...(onDocker && { runtime: 'docker' }), target: 'paxos-kv', workload: 'register', store, timeLimit: c.timeLimit, nemesis: { faults: c.faults, interval: c.interval }, ...(c.bug ? { bug: c.bug } : {}) }, seeds);
    const at = t.foundAt.length ? `${median(t.foundAt).toFixed(1)} s` : '–';
    console.log(`| ${c.bug ?? 'correct'} | \`${c.faults}\` (${c.interval} s), ${c.timeLimit} s | ${t.invalid}/${seeds} | ${t.valid}/${seeds} | ${at} | ${(median(t.wallMs) / 1000).toFixed(1)} s |`);
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
