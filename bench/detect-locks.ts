/**
 * Issue 17's table: for each lock target × bug × nemesis, in how many of M seeded Docker runs the lock checker's
 * verdict is what the case claims (a bug found: resource UNSAFE; the fenced modes: resource safe), how often mutual
 * exclusion was violated as the clients saw it, and the median time into the run of the first lost update (a found
 * bug) and the median wall time of a run (setup, test, teardown, check).
 *
 *   node dist/bench/detect-locks.js [seeds] [filter]     # e.g. 10 redlock
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../harness/builtins.js';
import { parseDefinition } from '../harness/config/index.js';
import { runTest, type RunOutcome } from '../harness/run.js';

interface Case {
  target: string;
  bug?: string;
  nemesis: string;
  options?: Record<string, unknown>;
  /** Nemesis interval (s) and processes, where the case needs others than the defaults. */
  interval?: number;
  concurrency?: number;
  /** What the case claims: the resource is unsafe (the bug is found), or safe. */
  expect: 'unsafe' | 'safe';
}

const cases: Case[] = [
  { target: 'redis-lock', bug: 'per-second-key', nemesis: 'none', expect: 'unsafe' },
  { target: 'redis-lock', bug: 'no-token', nemesis: 'pause-client', expect: 'unsafe' },
  { target: 'redis-lock', bug: 'no-fencing', nemesis: 'pause-client', expect: 'unsafe' },
  { target: 'redis-lock', bug: 'no-fencing', nemesis: 'clock', expect: 'unsafe' },
  { target: 'redis-lock', nemesis: 'pause-client', expect: 'safe' },
  { target: 'redis-lock', nemesis: 'clock', expect: 'safe' },
  // The failover that loses the lock: clients still reach the isolated primary while Sentinel promotes a replica;
  // the loss at the primary makes some of them reconnect through Sentinel, to the new one (test/docker/redis-lock.test.ts).
  { target: 'redis-lock', bug: 'no-fencing', nemesis: 'partition:primary+client-loss:primary', interval: 12, concurrency: 10, options: { replicated: true }, expect: 'unsafe' },
  { target: 'redis-lock', nemesis: 'partition:primary+client-loss:primary', interval: 12, concurrency: 10, options: { replicated: true }, expect: 'safe' },
  { target: 'redis-lock', nemesis: 'kill:primary', options: { replicated: true }, expect: 'safe' },
  { target: 'redlock', bug: 'no-fencing', nemesis: 'pause-client', expect: 'unsafe' },
  { target: 'redlock', nemesis: 'pause-client', expect: 'safe' },
  { target: 'redlock', bug: 'no-fencing', nemesis: 'clock:majority', expect: 'unsafe' },
  { target: 'redlock', nemesis: 'clock:majority', expect: 'safe' },
  { target: 'redlock', bug: 'no-fencing', nemesis: 'pause-client,clock', expect: 'unsafe' },
  { target: 'redlock', nemesis: 'pause-client,clock', expect: 'safe' },
];

type LockCheck = Extract<RunOutcome['check'], { checker: 'lock' }>;
const lockResult = (r: RunOutcome): LockCheck | undefined => (r.check.checker === 'lock' ? r.check : undefined);

const seeds = Number(process.argv[2] ?? 5);
const filter = process.argv[3];
const timeLimit = Number(process.env.LOCK_TIME_LIMIT ?? 10);
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[xs.length >> 1] : NaN);
const registry = builtinRegistry();
const store = mkdtempSync(join(tmpdir(), 'faultline-bench-locks-'));
console.log(`| target | bug | nemesis | claim | as claimed | mutual exclusion violated | first lost update (median) | run (median) |`);
console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
try {
  for (const c of cases) {
    const label = `${c.target} ${c.bug ?? 'correct'} ${c.nemesis} ${JSON.stringify(c.options ?? {})}`;
    const nemesis = `${c.nemesis}${c.interval ? ` (interval ${c.interval} s)` : ''}${c.concurrency ? `, ${c.concurrency} processes` : ''}`;
    if (filter && !label.includes(filter)) continue;
    let asClaimed = 0;
    let exclusionViolated = 0;
    const firstLoss: number[] = [];
    const wall: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const def = parseDefinition(
        {
          runtime: 'docker',
          store,
          seed,
          target: c.target,
          workload: 'lock',
          nemesis: c.interval ? { faults: c.nemesis, interval: c.interval } : c.nemesis,
          timeLimit: c.interval ? Math.max(timeLimit, c.interval) : timeLimit,
          ...(c.concurrency && { concurrency: c.concurrency }),
          ...(c.bug && { bug: c.bug }),
          ...(c.options && { options: c.options }),
        },
        registry.definitions(),
      );
      const t = performance.now();
      const r = await runTest(def, { registry });
      wall.push(performance.now() - t);
      const lock = lockResult(r);
      if (!lock) throw new Error(`${label}: not judged by the lock checker`);
      if ((c.expect === 'unsafe' && lock.valid === false) || (c.expect === 'safe' && lock.valid === true)) asClaimed++;
      if (!lock.mutualExclusion) exclusionViolated++;
      const origin = r.history.length ? r.history[0].time : 0;
      const loss = lock.lostUpdates[0]?.writes[1] ?? lock.overwritten[0]?.write;
      if (loss) firstLoss.push((loss.time - origin) / 1e9);
    }
    const s = (x: number) => (Number.isNaN(x) ? '—' : `${x.toFixed(1)} s`);
    console.log(
      `| ${c.target}${c.options ? ` ${JSON.stringify(c.options)}` : ''} | ${c.bug ?? 'correct'} | ${nemesis} | ${c.expect === 'unsafe' ? 'found' : 'safe'} | ${asClaimed} of ${seeds} | ${exclusionViolated} of ${seeds} | ${s(median(firstLoss))} | ${s(median(wall) / 1000)} |`,
    );
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
