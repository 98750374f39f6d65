import { brokenRule, historyError, type InputError } from '../errors.js';
import type { History } from './history.js';
import type { Op } from './op.js';
import { isInvocation, pairIndex } from './pair-index.js';

/** Where a call is in its history, as evidence: its process, and the indices, times and source lines of both ends. */
export interface CallRef {
  process: number;
  /** The history's own indices of the invocation and the completion (-1: never completed). */
  invokeIndex: number;
  completeIndex: number;
  /** Times of the invocation and the completion, as in the history (ns). */
  time: number;
  completeTime?: number;
  /** Source lines, when the history was read from a file. */
  line?: number;
  completeLine?: number;
}

/**
 * The client calls of a history, each invocation paired with its completion (Knossos's `history/complete`, without
 * an object per call): `completion` is the history's pair index (pairIndex: the position of the completion of the
 * invocation at position i, -1: it never completed, or position i is not a client invocation), with what the
 * checkers that judge a million ops in one pass (set, 2pc) need around it: source lines, and calls as evidence.
 */
export class Calls {
  readonly ops: Op[];
  readonly source: string | undefined;
  readonly completion: Int32Array;
  /** Whether the history came from a file (or stdin): evidence then names source lines. */
  readonly fromFile: boolean;
  private readonly lines: number[] | undefined;

  /**
   * An ill-formed history is an input error naming the line (see ClientDiscipline): a completion with no invocation
   * in flight on its process, a completion of another function or key than the one invoked, a second invocation
   * while one is in flight, and any op of a process after its `info` (Jepsen retires it: a fresh id takes its place).
   */
  constructor(history: History | Op[]) {
    const h: History = Array.isArray(history) ? { ops: history } : history;
    this.ops = h.ops;
    this.source = h.source;
    this.lines = h.lines;
    this.fromFile = h.lines !== undefined || h.source !== undefined;
    const lineOf = (i: number) => this.lineOf(i);
    // A call's name is its invocation's position, so every line a Violation names is one lookup away.
    this.completion = pairIndex(this.ops, (v) => {
      throw brokenRule(this.source, v, { line: lineOf(v.at), callLine: lineOf, infoLine: (r) => lineOf(r.at) });
    });
  }

  /** The source line of the op at position i (its position + 1 when the history has no lines). */
  lineOf(i: number): number {
    return this.lines ? this.lines[i] : i + 1;
  }

  /** An input error about the op at position i, naming its line. */
  error(i: number, what: string): InputError {
    return historyError(this.source, this.lineOf(i), what);
  }

  /** Whether position i is a client invocation (every other position has no call). */
  isInvocation(i: number): boolean {
    return isInvocation(this.ops[i]);
  }

  /** The call invoked at position i, as evidence. */
  ref(i: number): CallRef {
    const ops = this.ops;
    const j = this.completion[i];
    const r: CallRef = { process: ops[i].process as number, invokeIndex: ops[i].index, completeIndex: j >= 0 ? ops[j].index : -1, time: ops[i].time };
    if (j >= 0) r.completeTime = ops[j].time;
    if (this.fromFile) {
      r.line = this.lineOf(i);
      if (j >= 0) r.completeLine = this.lineOf(j);
    }
    return r;
  }
}

/** Where a call is, for prose: its source lines when known, else its indices ("lines 4–9", "index 12"). */
export function whereCall(r: CallRef): string {
  if (r.line !== undefined) return r.completeLine !== undefined ? `lines ${r.line}–${r.completeLine}` : `line ${r.line}`;
  return r.completeIndex >= 0 ? `indices ${r.invokeIndex}–${r.completeIndex}` : `index ${r.invokeIndex}`;
}

