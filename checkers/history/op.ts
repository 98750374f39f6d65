/**
 * The history contract shared by every part of faultline (see docs/history.md).
 *
 * One op per event, Jepsen's semantics: an `invoke` is followed, on the same process, by exactly one completion:
 * `ok` (it happened), `fail` (it definitely did not happen) or `info` (it may or may not have happened; the process
 * never issues again under that id).
 */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** How a call ended: the type of its completion. */
export type CompletionType = Exclude<OpType, 'invoke'>;

/** A client process id is an integer; anything else (Jepsen's `:nemesis`) is not a client. */
export type Process = number | string;

/**
 * A key partitions a history (P-compositionality): any value but nil, compared by value (values/key.ts). Usually a
 * string or an integer; Jepsen's independent keys may be keywords.
 */
export type Key = unknown;

export interface Op {
  index: number;
  /** Nanoseconds since the start of the test (relative; only the order matters to checkers). */
  time: number;
  process: Process;
  type: OpType;
  f: string;
  key?: Key;
  value: unknown;
  error?: unknown;
  [extra: string]: unknown;
}

/** Nemesis (and any non-integer process) ops describe faults, not client operations. */
export function isClientProcess(p: Process): p is number {
  return typeof p === 'number' && Number.isInteger(p);
}

/**
 * A client operation with its invocation and completion paired up: what models step over.
 * `value` is the completion's value for `ok` ops (a read's invoke carries nothing useful) and the invocation's
 * value for `info` ops (the only value there is).
 */
export interface Operation {
  /** Dense id within the history it was completed from. */
  id: number;
  process: number;
  f: string;
  key?: Key;
  value: unknown;
  /** 'ok' returned; 'info' = may or may not have happened, never returns. */
  status: 'ok' | 'info';
  /** Positions in the history (order of events), not times: Jepsen orders by index. */
  call: number;
  /** Position of the `ok` completion; `Infinity` for info ops. */
  ret: number;
  /** The history's own indices of the invocation and the completion (completion -1 when none). */
  invokeIndex: number;
  completeIndex: number;
  /** Source lines of the invocation and the completion, when read from a file (for evidence and errors). */
  line?: number;
  completeLine?: number;
}
