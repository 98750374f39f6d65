import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from './atomic.js';
import { parseJson, stringifyExact } from '../../checkers/values/json.js';

/** A run's results, next to its history. */
export const RESULTS_FILE = 'results.json';

/** Jepsen's three verdicts: false beats 'unknown' beats true when results combine. */
export type Verdict = true | false | 'unknown';

/**
 * How a run ended. `ok`: it ran to the end and its history was checked (`valid` is the checker's verdict). The rest
 * leave a record but no verdict (`valid` is 'unknown'), with the reason in one line: `error`, it could not start or
 * go on for a reason outside faultline (Docker unreachable, a node that does not answer: exit 254); `interrupted`,
 * SIGINT or SIGTERM stopped it (130, 143); `crashed`, faultline itself failed (255).
 */
export const RUN_STATUSES = ['ok', 'error', 'interrupted', 'crashed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * What results.json holds: the checker's output and the run's stats, in whatever shape the harness gives them, with
 * the verdict at the top as `valid` and how the run ended as `status` (and `reason`, when it did not end `ok`), so a
 * store listing can read them without knowing the rest. Results written before runs had a status have none: they
 * are `ok` (statusOf).
 */
export interface RunResults {
  valid: Verdict;
  status?: RunStatus;
  /** Why a run did not end `ok`, in one line. */
  reason?: string;
  [field: string]: unknown;
}

/** A run's status, `ok` for results stored before runs had one. */
export function statusOf(results: RunResults): RunStatus {
  return results.status ?? 'ok';
}

/**
 * Writes `<runDir>/results.json` atomically (writeFileAtomically): a reader sees the old results or the new, never
 * half a file, and a crash mid-write leaves no results.json rather than a broken one. Returns the file's path.
 */
export async function writeResults(runDir: string, results: RunResults): Promise<string> {
  // Serialise first: a value that cannot be written (a cycle) fails before anything touches the disk. Integers
  // beyond 2^53 are written with every digit (stringifyExact), as the history had them.
  const text = stringifyExact(results, 2) + '\n';
  const path = join(runDir, RESULTS_FILE);
  await writeFileAtomically(path, text);
  return path;
}

/** The results of a run; undefined when it has none (still running, or crashed before writing them). */
export async function readResults(runDir: string): Promise<RunResults | undefined> {
  let text: string;
  try {
    text = await readFile(join(runDir, RESULTS_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const results: unknown = parseJson(text);
  return isResults(results) ? results : undefined;
}

/** The verdict in a run's results.json; undefined when there is none or it cannot be read (a listing must go on). */
export async function readVerdict(runDir: string): Promise<Verdict | undefined> {
  try {
    return (await readResults(runDir))?.valid;
  } catch {
    return undefined;
  }
}

function isResults(x: unknown): x is RunResults {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const { valid: v, status, reason } = x as { valid?: unknown; status?: unknown; reason?: unknown };
  if (status !== undefined && !(RUN_STATUSES as readonly unknown[]).includes(status)) return false;
  if (reason !== undefined && typeof reason !== 'string') return false;
  return v === true || v === false || v === 'unknown';
}
