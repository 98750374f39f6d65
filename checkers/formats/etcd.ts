import { historyError } from '../errors.js';
import type { Op, OpType } from '../history/op.js';
import { readEdnValue } from './edn.js';
import { ednInteger } from './edn-value.js';
import { Keyword } from '../values/types.js';
import { isBlank, LineSplitter } from './lines.js';
import type { HistoryBuilder, Sink } from './sink.js';
import { show } from './sink.js';

/*
 * Jepsen logs as used by Porcupine's etcd test data: ops are the lines logged by `jepsen.util`,
 *
 *   INFO  jepsen.util - 3	:invoke	:cas	[1 2]
 *   INFO  jepsen.util - 3 :ok :cas [1 2]                      (fields separated by spaces in some files)
 *   INFO [2017-06-12 10:00:00,000] jepsen worker 3 - jepsen.util 3	:invoke	:read	nil   (newer log layout)
 *
 * i.e. `<process> <type> <f> <value>` with an optional fifth tab-separated field (the error). Blank lines and lines of
 * other loggers (a level word, optionally after a timestamp) are skipped; any other line is an error.
 */

/** Marks the op lines; what follows the marker is the op. */
const MARKERS = ['jepsen.util - ', ' - jepsen.util '];

/** Where the op text of a `jepsen.util` line starts, or -1 when the line is not one. */
export function utilLineStart(line: string): number {
  for (const m of MARKERS) {
    const at = line.indexOf(m);
    if (at >= 0) return at + m.length;
  }
  return -1;
}

const INT = /^-?\d+$/;
const PAIR = /^\[\s*(-?\d+)[\s,]+(-?\d+)\s*\]$/;
const KEYWORD = /^:[^\s:][^\s]*$/;
const HEAD = /^(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/;
/** Fields a trailing `:name value` pair may not overwrite. */
const CORE = new Set(['index', 'time', 'process', 'type', 'f', 'value']);

/**
 * A line of another logger of the same log, in a log4j/logback layout: a level word first, or after a timestamp
 * (`2017-06-12 10:00:00,000`, ISO, `[…]`, or a time of day).
 */
const OTHER_LOGGER =
  /^(?:(?:\[[^\]]*\]|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?Z?|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)\s+)?(?:TRACE|DEBUG|INFO|WARN|ERROR|FATAL)(?:\s|$)/;

export function etcdSink(out: HistoryBuilder): Sink {
  const source = out.source;
  return new LineSplitter((line, lineNo) => {
    const start = utilLineStart(line);
    if (start < 0) {
      // Never skip what is not recognisably a log line: a file in another format must not read as no ops.
      if (isBlank(line) || OTHER_LOGGER.test(line)) return;
      throw historyError(source, lineNo, `not a jepsen.util op line, nor a line of another logger: ${show(line)}`);
    }
    const op = parseUtilOp(line.slice(start), out.position, source, lineNo);
    out.add(op, lineNo);
  });
}

/**
 * `<process> :<type> :<f> <value> [<more>]`, fields separated by any whitespace (tabs, spaces or both). The value is
 * one EDN form; what follows it, if anything, is either `:name value` pairs (kept as extra fields) or the error.
 */
function parseUtilOp(body: string, position: number, source: string | undefined, line: number): Op {
  const bad = (what: string) => historyError(source, line, `jepsen.util line: ${what}`);
  const m = HEAD.exec(body.trim());
  if (!m) throw bad(`expected '<process> :<type> :<f> <value>', found ${show(body.trim())}`);
  const [, proc, type, f, rest] = m;

  let process: number | string;
  if (INT.test(proc) && Number.isSafeInteger(Number(proc))) process = Number(proc);
  else if (KEYWORD.test(proc)) process = proc.slice(1);
  else throw bad(`process must be an integer or a keyword like :nemesis, not ${show(proc)}`);

  const t = type.startsWith(':') ? type.slice(1) : '';
  if (t !== 'invoke' && t !== 'ok' && t !== 'fail' && t !== 'info') {
    throw bad(`type must be :invoke, :ok, :fail or :info, not ${show(type)}`);
  }
  if (!KEYWORD.test(f)) throw bad(`f must be a keyword like :read, not ${show(f)}`);

  const op: Op = { index: position, time: position, process, type: t as OpType, f: f.slice(1), value: null };
  const client = typeof process === 'number';
  const forms = rest === '' ? [] : splitForms(rest);
  const values = forms?.map((x) => readValue(x.text));
  if (!forms || !values || values.some((v) => !v.ok)) {
    // Nemesis values may be free text ("Cut off {:n1 #{:n2}}").
    if (client) throw bad(`cannot read the value ${show(rest)}`);
    op.value = rest;
    return op;
  }
  if (forms.length === 0) {
    if (client) throw bad(`no value after ${f} (nil when there is none)`);
    return op;
  }
  const vals = values.map((v) => (v as { value: unknown }).value);
  const more = forms.length - 1;
  let pairs = more % 2 === 0;
  for (let i = 1; pairs && i < forms.length; i += 2) pairs = KEYWORD.test(forms[i].text);
  if (!client && !pairs) {
    op.value = rest; // free text
    return op;
  }
  if (forms[0].text === ':timed-out' && (t === 'info' || t === 'fail')) {
    // The outcome is unknown (info) or known not to have happened (fail): no value; checkers use the invocation's.
    op.error = 'timed-out';
  } else {
    op.value = vals[0];
  }
  if (more === 0) return op;
  if (pairs) {
    for (let i = 1; i < forms.length; i += 2) {
      const name = forms[i].text.slice(1);
      if (!CORE.has(name)) op[name] = vals[i + 1];
    }
    if (op.key !== undefined && typeof op.key !== 'string' && typeof op.key !== 'number') {
      throw bad(`key must be a string or a number, not ${show(op.key)}`);
    }
  } else if (more === 1) {
    // An error keyword names the error, as in the EDN reader: `:cas-failed` → "cas-failed".
    op.error = vals[1] instanceof Keyword ? vals[1].name : vals[1];
  } else {
    op.error = rest.slice(forms[1].start).trim();
  }
  return op;
}

/** nil, an integer, [a b], or any single EDN value. */
function readValue(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === 'nil') return { ok: true, value: null };
  // Integers stay exact at any size (the EDN reader's rule): 9007199254740993 is not …992.
  if (INT.test(text)) return { ok: true, value: ednInteger(text) };
  const pair = PAIR.exec(text);
  if (pair) return { ok: true, value: [ednInteger(pair[1]), ednInteger(pair[2])] };
  try {
    const value = readEdnValue(text);
    return value === undefined ? { ok: false } : { ok: true, value };
  } catch {
    return { ok: false };
  }
}

const OPEN: Record<string, string> = { '[': ']', '(': ')', '{': '}' };

/**
 * The top-level EDN forms of one line, with their offsets; undefined when a form is unbalanced. A tag and the form
 * it tags (`#inst "…"`) count as one form.
 */
export function splitForms(text: string): { text: string; start: number; end: number }[] | undefined {
  const forms: { text: string; start: number; end: number }[] = [];
  const n = text.length;
  let i = 0;
  let tagStart = -1;
  while (i < n) {
    const c = text[i];
    if (/[\s,]/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const end = formEnd(text, i);
    if (end < 0) return undefined;
    i = end;
    if (c === '#' && text[start + 1] !== '{' && text[start + 1] !== '#' && text[start + 1] !== '_') {
      if (tagStart < 0) tagStart = start; // a tag: the next form belongs to it
      continue;
    }
    const from = tagStart >= 0 ? tagStart : start;
    tagStart = -1;
    forms.push({ text: text.slice(from, end), start: from, end });
  }
  return tagStart >= 0 ? undefined : forms;
}

/** Where the form starting at `i` ends (exclusive), or -1 if it does not. */
function formEnd(text: string, i: number): number {
  const n = text.length;
  const closers: string[] = [];
  do {
    const c = text[i];
    if (closers.length > 0 && /[\s,]/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= n) return -1;
      i++;
    } else if (c === '\\') {
      i += 2;
      while (i < n && !/[\s,()[\]{}";]/.test(text[i])) i++;
    } else if (c === '#' && text[i + 1] === '{') {
      closers.push('}');
      i += 2;
    } else if (OPEN[c] !== undefined) {
      closers.push(OPEN[c]);
      i++;
    } else if (c === ')' || c === ']' || c === '}') {
      if (closers.pop() !== c) return -1;
      i++;
    } else if (c === ';') {
      return -1; // a comment has no place in a log value
    } else {
      while (i < n && !/[\s,()[\]{}";]/.test(text[i])) i++;
    }
  } while (closers.length > 0 && i < n);
  return closers.length > 0 ? -1 : i;
}
