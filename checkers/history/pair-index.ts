import type { Violation } from './client-discipline.js';
import { ClientDiscipline } from './client-discipline.js';
import type { Op } from './op.js';
import { isClientProcess } from './op.js';

/**
 * jepsen.history's pair index, from invocations to completions: `pair[i]` is the position of the completion of the
 * client invocation at position i, -1 when it never completed or when position i is not a client invocation. One
 * pass and one Int32Array, so a million ops make no object per call; every part that pairs calls pairs them here
 * (Calls for the set and 2pc checkers, the run's stats, the report), the Completer alone pairing as it reads.
 *
 * Pairing follows the client discipline (ClientDiscipline), each op named by its position. An op that breaks it is
 * passed to `onViolation`, which may throw (the checkers: an ill-formed history is an input error); if it returns,
 * the op pairs with nothing (the stats and the report: a malformed history yields figures for what pairs up).
 */
export function pairIndex(history: readonly Op[], onViolation?: (v: Violation) => void): Int32Array {
  const pair = new Int32Array(history.length).fill(-1);
  const discipline = new ClientDiscipline();
  for (let i = 0; i < history.length; i++) {
    const c = discipline.admit(history[i], i);
    if (typeof c !== 'number') onViolation?.(c);
    else if (c >= 0) pair[c] = i;
  }
  return pair;
}

/** The client calls of a history in invocation order, as parallel arrays: call j is `invoke[j]`, `complete[j]`. */
export interface ClientCalls {
  /** Position of call j's invocation. */
  invoke: Int32Array;
  /** Position of call j's completion; -1 while pending (never completed, or its completion broke a rule). */
  complete: Int32Array;
}

/**
 * Every client invocation of a history with its completion, in invocation order: the pair index over calls rather
 * than over positions, for parts that walk calls (the report's timeline, latencies and throughput). Never throws:
 * paired as pairIndex pairs without `onViolation`.
 */
export function pairCalls(history: readonly Op[]): ClientCalls {
  const pair = pairIndex(history);
  let n = 0;
  for (let i = 0; i < history.length; i++) if (isInvocation(history[i])) n++;
  const calls: ClientCalls = { invoke: new Int32Array(n), complete: new Int32Array(n) };
  for (let i = 0, j = 0; i < history.length; i++) {
    if (!isInvocation(history[i])) continue;
    calls.invoke[j] = i;
    calls.complete[j++] = pair[i];
  }
  return calls;
}

/** Whether an op opens a client call (nemesis ops never do). */
export function isInvocation(op: Op): boolean {
  return op.type === 'invoke' && isClientProcess(op.process);
}
