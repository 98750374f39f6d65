import type { Key, Op } from '../../checkers/history/op.js';
import { isClientProcess } from '../../checkers/history/op.js';

/**
 * The harness broke the history contract. This is a bug in faultline (a scheduler or client wrapper that lost track
 * of a process), not bad input, so it is a plain Error rather than an InputError: the CLI reports it as a crash.
 */
export class HistoryRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryRuleError';
  }
}

const TYPES: ReadonlySet<unknown> = new Set(['invoke', 'ok', 'fail', 'info']);

/**
 * What the JSONL reader would refuse (docs/history.md), refused before it is written: a history the harness wrote
 * must always read back, so a malformed op is caught where it is made rather than when a checker reads the file.
 */
export function checkShape(op: Op): void {
  const where = `op ${op.index}`;
  if (!TYPES.has(op.type)) throw new HistoryRuleError(`${where}: type must be invoke, ok, fail or info, not ${show(op.type)}`);
  if (typeof op.f !== 'string' || op.f === '') throw new HistoryRuleError(`${where}: f must be a non-empty string, not ${show(op.f)}`);
  const p: unknown = op.process;
  if (typeof p !== 'string' && !(typeof p === 'number' && Number.isInteger(p))) {
    throw new HistoryRuleError(`${where}: process must be an integer (a client) or a string (e.g. "nemesis"), not ${show(p)}`);
  }
  if (typeof op.time !== 'number' || !Number.isFinite(op.time)) {
    throw new HistoryRuleError(`${where}: time must be a finite number of nanoseconds, not ${show(op.time)}`);
  }
  const key: unknown = op.key;
  if (key !== undefined && typeof key !== 'string' && !(typeof key === 'number' && Number.isFinite(key))) {
    throw new HistoryRuleError(`${where}: key must be a string or a number, not ${show(key)}`);
  }
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

interface Pending {
  f: string;
  key?: Key;
  index: number;
}

/**
 * Jepsen's client discipline, checked as ops are recorded rather than discovered later by a checker:
 * - a client process has at most one op in flight (an invoke only when the process has nothing pending);
 * - a completion (`ok`, `fail`, `info`) answers the process's pending invoke, with the same `f` (and the same key);
 * - a process that got `info` is retired: the scheduler must give its client a fresh process id.
 * Ops of non-client processes (the nemesis) are records of faults and follow no such rule.
 *
 * Memory: one entry per process in flight (bounded by the concurrency) plus one per retired process.
 */
export class ProcessRules {
  private readonly pending = new Map<number, Pending>();
  /** Retired process → index of the `info` that retired it (for the message when it is reused). */
  private readonly retired = new Map<number, number>();

  /** Throws a HistoryRuleError when `op` may not come next; otherwise records its effect on its process. */
  admit(op: Op): void {
    const p = op.process;
    if (!isClientProcess(p)) return;
    if (op.type === 'invoke') {
      const retiredAt = this.retired.get(p);
      if (retiredAt !== undefined) {
        throw new HistoryRuleError(
          `process ${p} invokes ${op.f} after it got info at index ${retiredAt}: a process that got info never invokes again (give its client a fresh process id)`,
        );
      }
      const open = this.pending.get(p);
      if (open !== undefined) {
        throw new HistoryRuleError(`process ${p} invokes ${op.f} while its ${open.f} (index ${open.index}) is still pending`);
      }
      const entry: Pending = { f: op.f, index: op.index };
      if (op.key !== undefined) entry.key = op.key;
      this.pending.set(p, entry);
      return;
    }
    const open = this.pending.get(p);
    if (open === undefined) {
      const retiredAt = this.retired.get(p);
      const why = retiredAt !== undefined ? ` (it was retired by the info at index ${retiredAt})` : '';
      throw new HistoryRuleError(`process ${p} completes ${op.f} (${op.type}) with no pending invocation${why}`);
    }
    if (open.f !== op.f) {
      throw new HistoryRuleError(`process ${p} completes ${op.f} (${op.type}) but its pending invocation (index ${open.index}) is ${open.f}`);
    }
    // The checker splits histories by key; a completion under another key would pair with nothing there.
    if (op.key !== undefined && open.key !== undefined && op.key !== open.key) {
      throw new HistoryRuleError(
        `process ${p} completes ${op.f} on key ${JSON.stringify(op.key)} but invoked it (index ${open.index}) on key ${JSON.stringify(open.key)}`,
      );
    }
    this.pending.delete(p);
    if (op.type === 'info') this.retired.set(p, op.index);
  }

  /** Client processes with an op in flight (what counts as `info` if the run ends now). */
  pendingProcesses(): number[] {
    return [...this.pending.keys()];
  }
}
