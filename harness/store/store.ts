import { lstat, mkdir, readdir, rename, rm, symlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readResults, statusOf } from './results.js';
import type { RunStatus, Verdict } from './results.js';

/**
 * The store's layout: `<root>/<test>/<timestamp>/` holds one run (history.jsonl, results.json, run.log), and
 * `<root>/latest` links to the newest. Reports read only this layout, so any stored run can be re-rendered.
 */

/** The link to the newest run. */
export const LATEST = 'latest';

/** Names a test directory cannot take: they belong to the store itself (compared case-insensitively for macOS). */
const RESERVED = new Set([LATEST, 'index.html']);

const MAX_NAME = 100;

/**
 * A test name as a single directory name: anything but letters, digits, `.`, `_` and `-` becomes `_`, so `/`, `\`
 * and `..` cannot climb out of the store; leading dots become `_` (no hidden directories, no `.` or `..`); names the
 * store uses itself get a `_` appended. Different names may meet in one directory: their runs stay apart by time.
 */
export function sanitizeTestName(name: string): string {
  let s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  if (s.length > MAX_NAME) s = s.slice(0, MAX_NAME);
  if (s === '') s = 'test';
  if (RESERVED.has(s.toLowerCase())) s += '_';
  return s;
}

/** `20261122T182016.123Z`: UTC, sorts as it reads, no `:` (not allowed in Windows file names). */
export function runTimestamp(t: Date): string {
  return t.toISOString().replace(/[-:]/g, '');
}

/** A run directory's name: the timestamp, then `-n` when several runs of a test started in the same millisecond. */
const RUN_NAME = /^(\d{8})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z(?:-(\d+))?$/;

/** The start time and tie-breaking sequence number a run directory's name encodes; undefined for other names. */
export function parseRunName(name: string): { time: Date; seq: number } | undefined {
  const m = RUN_NAME.exec(name);
  if (!m) return undefined;
  const [, ymd, hh, mi, ss, ms, seq] = m;
  const time = new Date(`${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}T${hh}:${mi}:${ss}.${ms}Z`);
  if (Number.isNaN(time.getTime())) return undefined;
  return { time, seq: seq === undefined ? 0 : Number(seq) };
}

/**
 * Creates `<root>/<test>/<timestamp>/` and returns its path. mkdir without `recursive` fails when the directory
 * exists, which makes claiming a name atomic: two runs started in the same millisecond (in one process or two) get
 * `<timestamp>` and `<timestamp>-1`.
 */
export async function createRunDir(storeRoot: string, testName: string, now: Date = new Date()): Promise<string> {
  const testDir = join(storeRoot, sanitizeTestName(testName));
  await mkdir(testDir, { recursive: true });
  const base = runTimestamp(now);
  for (let seq = 0; ; seq++) {
    const dir = join(testDir, seq === 0 ? base : `${base}-${seq}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || seq >= 10_000) throw e;
    }
  }
}

/**
 * Points `<root>/latest` at `runDir` with a relative link (the store can be moved or mounted elsewhere). The new
 * link is made under a temporary name and renamed over the old one, so `latest` always names a run, never nothing.
 */
export async function updateLatest(storeRoot: string, runDir: string): Promise<void> {
  const target = relative(resolve(storeRoot), resolve(runDir));
  if (target === '' || target === '..' || target.startsWith(`..${sep}`) || isAbsolute(target)) {
    throw new Error(`${runDir} is not inside the store ${storeRoot}`);
  }
  const link = join(storeRoot, LATEST);
  const tmp = join(storeRoot, `.${LATEST}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await symlink(target.split(sep).join('/'), tmp, 'dir');
  try {
    await rename(tmp, link);
  } catch (e) {
    await rm(tmp, { force: true });
    const st = await lstat(link).catch(() => undefined);
    if (st && !st.isSymbolicLink()) {
      throw new Error(`${link} exists and is not a link; move it away so the store can point it at the newest run`);
    }
    throw e;
  }
}

export interface RunInfo {
  /** The test's directory name (its sanitized name). */
  test: string;
  /** The run directory's name (its start time). */
  id: string;
  dir: string;
  /** When the run started. */
  time: Date;
  /** From results.json; undefined while the run is going, or when it was killed before writing results. */
  verdict?: Verdict;
  /** How the run ended, from results.json (with its one-line reason when not `ok`). */
  status?: RunStatus;
  reason?: string;
}

/** Every run in the store, newest first (ties: the later of a same-millisecond pair first, then by test name). */
export async function listRuns(storeRoot: string): Promise<RunInfo[]> {
  const runs: (RunInfo & { seq: number })[] = [];
  for (const testEntry of await entries(storeRoot)) {
    // Dirent does not follow links: `latest` and any stray link are skipped, so no run is listed twice.
    if (!testEntry.isDirectory() || testEntry.name.startsWith('.')) continue;
    const testDir = join(storeRoot, testEntry.name);
    for (const runEntry of await entries(testDir)) {
      if (!runEntry.isDirectory()) continue;
      const parsed = parseRunName(runEntry.name);
      if (parsed === undefined) continue;
      const dir = join(testDir, runEntry.name);
      const run: RunInfo & { seq: number } = { test: testEntry.name, id: runEntry.name, dir, time: parsed.time, seq: parsed.seq };
      // A results.json that cannot be read lists the run without results: a listing must go on.
      const results = await readResults(dir).catch(() => undefined);
      if (results !== undefined) {
        run.verdict = results.valid;
        run.status = statusOf(results);
        if (results.reason !== undefined) run.reason = results.reason;
      }
      runs.push(run);
    }
  }
  runs.sort((a, b) => b.time.getTime() - a.time.getTime() || b.seq - a.seq || (a.test < b.test ? -1 : a.test > b.test ? 1 : 0));
  return runs.map(({ seq: _seq, ...run }) => run);
}

async function entries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
