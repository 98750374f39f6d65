import { realpath, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HISTORY_FILE } from './recorder.js';
import { RESULTS_FILE } from './results.js';
import { RUN_LOG_FILE } from './run-log.js';
import { LATEST, listRuns, type RunInfo } from './store.js';

/**
 * Store housekeeping: which runs to remove, per test, keeping the newest N or those younger than an age. A run
 * is a directory named by its start time holding at least one of the files a run writes; anything else in the
 * store (a directory of the user's, a name that is not a timestamp) is left alone. The run `latest` points at is
 * never removed, whatever the rule says: it is the one a CI page and `faultline check store/latest/…` read.
 */
export type PruneRule = { keep: number } | { olderThanMs: number; now: Date };

/** The files a run writes; a directory with none of them is not a run. */
const RUN_FILES = [HISTORY_FILE, RESULTS_FILE, RUN_LOG_FILE];

/** The runs the rule removes, newest first (listRuns' order), `latest` and non-runs excluded. */
export async function planPrune(storeRoot: string, rule: PruneRule): Promise<RunInfo[]> {
  const latest = await realpath(join(storeRoot, LATEST)).catch(() => undefined);
  const kept = new Map<string, number>();
  const remove: RunInfo[] = [];
  for (const run of await listRuns(storeRoot)) {
    if (!(await isRun(run.dir))) continue;
    // A run counts toward the N kept even when it is `latest`: "keep 3" keeps three, latest among them.
    const rank = kept.get(run.test) ?? 0;
    kept.set(run.test, rank + 1);
    const doomed = 'keep' in rule ? rank >= rule.keep : run.time.getTime() < rule.now.getTime() - rule.olderThanMs;
    if (!doomed) continue;
    if (latest !== undefined && (await realpath(run.dir).catch(() => undefined)) === latest) continue;
    remove.push(run);
  }
  return remove;
}

/**
 * Removes the planned runs, and a test directory left empty by them (one holding anything else stays). A link
 * inside a run is removed, never followed. Returns the runs removed, in order.
 */
export async function removeRuns(runs: readonly RunInfo[], storeRoot: string): Promise<RunInfo[]> {
  const done: RunInfo[] = [];
  const tests = new Set<string>();
  for (const run of runs) {
    await rm(run.dir, { recursive: true, force: true });
    done.push(run);
    tests.add(run.test);
  }
  for (const test of tests) {
    // rmdir fails on a directory that is not empty: that is the check.
    await rmdir(join(storeRoot, test)).catch(() => undefined);
  }
  return done;
}

async function isRun(dir: string): Promise<boolean> {
  for (const f of RUN_FILES) {
    if ((await stat(join(dir, f)).catch(() => undefined))?.isFile()) return true;
  }
  return false;
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * `30d`, `12h`, `90m`, `45s`, `2w` as milliseconds; undefined for anything else (no bare number: is 30 days or
 * minutes? the unit is said). Capped at 100 years, well past any store and inside a Date's range.
 */
export function parseAge(text: string): number | undefined {
  const m = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 && ms <= 100 * 365 * UNIT_MS.d ? ms : undefined;
}
