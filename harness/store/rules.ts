import type { Violation } from '../../checkers/history/client-discipline.js';
import { ClientDiscipline } from '../../checkers/history/client-discipline.js';
import type { Op } from '../../checkers/history/op.js';

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

/**
 * Jepsen's client discipline (checkers/history's ClientDiscipline, the checkers' own), checked as ops are recorded
 * rather than discovered later by a checker: a client process has at most one op in flight; a completion answers its
 * process's pending invoke with the same `f` and key; a process that got `info` is retired, so the scheduler must give
 * its client a fresh process id. Ops of non-client processes (the nemesis) are records of faults and follow no rule.
 * A violation is worded here by op index, as a harness bug.
 */
export class ProcessRules {
  private readonly discipline = new ClientDiscipline();

  /** Throws a HistoryRuleError when `op` may not come next; otherwise records its effect on its process. */
  admit(op: Op): void {
    const v = this.discipline.admit(op, op.index);
    if (typeof v !== 'number') throw new HistoryRuleError(describe(v));
  }

  /** Client processes with an op in flight (what counts as `info` if the run ends now). */
  pendingProcesses(): number[] {
    return this.discipline.runningProcesses();
  }
}

/** Ops are named by their index, so every `at` in a Violation is an index. */
function describe(v: Violation): string {
  const { op } = v;
  const p = op.process as number;
  switch (v.rule) {
    case 'retired':
      return op.type === 'invoke'
        ? `process ${p} invokes ${op.f} after it got info at index ${v.retiredBy.at}: a process that got info never invokes again (give its client a fresh process id)`
        : `process ${p} completes ${op.f} (${op.type}) with no pending invocation (it was retired by the info at index ${v.retiredBy.at})`;
    case 'double-invoke':
      return `process ${p} invokes ${op.f} while its ${v.running.invoke.f} (index ${v.running.at}) is still pending`;
    case 'not-running':
      return `process ${p} completes ${op.f} (${op.type}) with no pending invocation`;
    case 'f-mismatch':
      return `process ${p} completes ${op.f} (${op.type}) but its pending invocation (index ${v.running.at}) is ${v.running.invoke.f}`;
    case 'key-mismatch':
      return `process ${p} completes ${op.f} on key ${JSON.stringify(op.key)} but invoked it (index ${v.running.at}) on key ${JSON.stringify(v.running.invoke.key)}`;
    case 'unknown-type':
      return `op ${op.index}: type must be invoke, ok, fail or info, not ${show(op.type)}`;
  }
}
