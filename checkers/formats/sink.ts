import { historyError } from '../errors.js';
import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import { showShort } from '../values/show.js';
import { Decimal, Keyword } from '../values/types.js';

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

/**
 * Hands each op to a consumer as it is read and keeps none: for a checker that digests a history in one pass, so a
 * million ops are never all held at once (`history()` then has no ops, only the count in `position`).
 */
export class OpStream extends HistoryBuilder {
  private count = 0;
  constructor(
    source: string | undefined,
    private readonly consume: (op: Op, position: number, line: number) => void,
  ) {
    super(source);
  }

  override add(op: Op, line: number): void {
    this.consume(op, this.count++, line);
  }

  override get position(): number {
    return this.count;
  }
}

/** A short rendering of a bad value for an error message (one line, at most ~40 characters), exact. */
export function show(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (typeof x === 'string') return JSON.stringify(x.length > 60 ? x.slice(0, 60) : x).replace(/\s+/g, ' ').slice(0, 40);
  let s: string;
  try {
    s = showShort(x, 60);
  } catch {
    s = String(x);
  }
  s = s.replace(/\s+/g, ' ');
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** A number too large for its field, as written in short (1e400 rather than 401 digits). */
function showNumber(x: unknown): string {
  if (typeof x === 'bigint') {
    const digits = String(x < 0n ? -x : x);
    const zeros = digits.length - digits.replace(/0+$/, '').length;
    if (digits.length > 21 && zeros > 0) return `${x < 0n ? '-' : ''}${digits.replace(/0+$/, '')}e${zeros}`;
  }
  return show(x);
}

/**
 * index, time and process are positions and names, not values: they must be plain numbers (an integer up to 2^53,
 * or a finite time), never a number a double cannot hold.
 */
function badNumber(field: string, x: unknown, integer: boolean): string {
  const what = integer ? 'an integer' : 'a finite number';
  if (typeof x === 'bigint' || x instanceof Decimal || (typeof x === 'number' && !Number.isFinite(x))) {
    return `${field} must be ${what} of at most 2^53, not ${showNumber(x)}`;
  }
  return `${field} must be ${what}, not ${show(x)}`;
}

/**
 * Checks a freshly parsed op record and completes it in place into an `Op` (the record is owned by the caller and
 * not shared, so no copy is made: this is on the JSONL hot path). Defaults: index = position in the history,
 * time = index, value = null; a null index, time or key counts as absent. Every violation is an InputError
 * `source:line: …` naming the field.
 */
export function toOp(o: Record<string, unknown>, position: number, source: string | undefined, line: number): Op {
  // EDN names things with keywords: `:type :invoke`, `:f :read`, `:process :nemesis`, `:error :timeout`.
  if (typeof o.type !== 'string' && o.type instanceof Keyword) o.type = o.type.name;
  if (typeof o.f !== 'string' && o.f instanceof Keyword) o.f = o.f.name;
  if (o.process instanceof Keyword) o.process = o.process.name;
  if (o.error instanceof Keyword) o.error = o.error.name;
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
  if (typeof p !== 'string' && !(typeof p === 'number' && Number.isSafeInteger(p))) {
    throw historyError(
      source,
      line,
      p === undefined
        ? 'op has no process'
        : typeof p === 'bigint'
          ? badNumber('process', p, true)
          : `process must be an integer (a client) or a string (e.g. "nemesis"), not ${show(p)}`,
    );
  }
  const index = o.index;
  if (index === undefined || index === null) {
    o.index = position;
  } else if (typeof index !== 'number' || !Number.isFinite(index)) {
    throw historyError(source, line, badNumber('index', index, false));
  }
  const time = o.time;
  if (time === undefined || time === null) {
    o.time = o.index;
  } else if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw historyError(source, line, badNumber('time', time, false));
  }
  // A key is any value but nil (Jepsen's independent keys are integers, strings or keywords); it is compared by value.
  if ('key' in o && (o.key === undefined || o.key === null)) delete o.key;
  if (o.value === undefined) o.value = null;
  if (o.error === undefined && 'error' in o) delete o.error;
  return o as Op;
}
