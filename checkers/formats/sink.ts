import { historyError } from '../errors.js';
import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';

/** The concrete formats a history can be read in ('auto' resolves to one of these). */
export type ConcreteFormat = 'jsonl' | 'edn' | 'porcupine-etcd' | 'porcupine-kv';

/**
 * A push parser: text arrives in chunks of any size (split anywhere, even inside a line, a string or a token), and
 * `end()` says there is no more. Parse errors are thrown from `push` or `end` as InputErrors naming the line.
 */
export interface Sink {
  push(chunk: string): void;
  end(): void;
}

/** Collects the ops and the source line of each. */
export class HistoryBuilder {
  readonly ops: Op[] = [];
  readonly lines: number[] = [];
  constructor(readonly source: string | undefined) {}

  add(op: Op, line: number): void {
    this.ops.push(op);
    this.lines.push(line);
  }

  /** The position the next op takes in the history (its index when the source gives none). */
  get position(): number {
    return this.ops.length;
  }

  history(format: ConcreteFormat): History {
    return { ops: this.ops, lines: this.lines, source: this.source, format };
  }
}

/** A short rendering of a bad value for an error message (one line, at most ~40 characters). */
export function show(x: unknown): string {
  let s: string;
  if (x === undefined) s = 'nothing';
  else if (typeof x === 'bigint') s = `${x}`;
  else {
    try {
      s = JSON.stringify(x) ?? String(x);
    } catch {
      s = String(x);
    }
  }
  s = s.replace(/\s+/g, ' ');
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * Checks a freshly parsed op record and completes it in place into an `Op` (the record is owned by the caller and
 * not shared, so no copy is made: this is on the JSONL hot path). Defaults: index = position in the history,
 * time = index, value = null; a null index, time or key counts as absent. Every violation is an InputError
 * `source:line: …` naming the field.
 */
export function toOp(o: Record<string, unknown>, position: number, source: string | undefined, line: number): Op {
  const type = o.type;
  if (type !== 'invoke' && type !== 'ok' && type !== 'fail' && type !== 'info') {
    throw historyError(
      source,
      line,
      type === undefined ? 'op has no type (invoke, ok, fail or info)' : `type must be invoke, ok, fail or info, not ${show(type)}`,
    );
  }
  const f = o.f;
  if (typeof f !== 'string' || f === '') {
    throw historyError(source, line, f === undefined ? 'op has no f (the operation, e.g. "read")' : `f must be a non-empty string, not ${show(f)}`);
  }
  const p = o.process;
  if (typeof p !== 'string' && !(typeof p === 'number' && Number.isInteger(p))) {
    throw historyError(
      source,
      line,
      p === undefined ? 'op has no process' : `process must be an integer (a client) or a string (e.g. "nemesis"), not ${show(p)}`,
    );
  }
  const index = o.index;
  if (index === undefined || index === null) {
    o.index = position;
  } else if (typeof index !== 'number' || !Number.isFinite(index)) {
    throw historyError(source, line, `index must be a number, not ${show(index)}`);
  }
  const time = o.time;
  if (time === undefined || time === null) {
    o.time = o.index;
  } else if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw historyError(source, line, `time must be a number, not ${show(time)}`);
  }
  if ('key' in o) {
    const key = o.key;
    if (key === undefined || key === null) delete o.key;
    else if (typeof key !== 'string' && !(typeof key === 'number' && Number.isFinite(key))) {
      throw historyError(source, line, `key must be a string or a number, not ${show(key)}`);
    }
  }
  if (o.value === undefined) o.value = null;
  if (o.error === undefined && 'error' in o) delete o.error;
  return o as Op;
}
