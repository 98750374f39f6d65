import { historyError } from '../errors.js';
import { EdnSplitter, readEdnMap } from './edn.js';
import type { EdnElement } from './edn.js';
import { utilLineStart } from './etcd.js';
import type { ConcreteFormat } from './sink.js';
import { nameOf } from '../values/types.js';

/** How much of the input auto-detection looks at before it decides with what it has. */
export const HEAD_LIMIT = 64 * 1024;

/**
 * Decides the format from the start of the input (docs/history.md, "Auto-detection"). With `final` false the head
 * may be cut anywhere and more may follow: returns undefined when it needs to see more. With `final` true (or once
 * the head reaches HEAD_LIMIT) it always decides, or throws an InputError when the input is none of the formats.
 */
export function detectIn(head: string, final: boolean, source?: string): ConcreteFormat | undefined {
  if (head.length >= HEAD_LIMIT) final = true;
  if (head.charCodeAt(0) === 0xfeff) head = head.slice(1);
  const lines = head.split('\n');
  // Without `final`, the last piece may be an unfinished line.
  const complete = final ? lines.length : lines.length - 1;
  let first = -1;
  let onlyComments = false;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === '') continue;
    if (t.startsWith(';')) {
      // An EDN comment, unless it is the last, unfinished piece.
      if (i < complete) onlyComments = true;
      continue;
    }
    first = i;
    break;
  }
  if (first < 0) {
    if (!final) return undefined;
    // Empty input is an empty history; comments alone are EDN.
    return onlyComments ? 'edn' : 'jsonl';
  }
  const text = lines[first].trim();
  const lineComplete = first < complete;
  const c = text[0];

  if (utilLineStart(text) >= 0 && lineComplete) return 'porcupine-etcd';
  if (c === '[' || c === '(') return 'edn';
  if (c === '{') {
    // JSON objects start with a string key (or are empty); EDN op maps start with a keyword.
    const rest = head.slice(head.indexOf('{', offsetOfLine(lines, first)) + 1);
    const m = /\S/.exec(rest);
    if (!m) return final ? 'edn' : undefined;
    if (m[0] === '"' || m[0] === '}') return 'jsonl';
  }
  if (c === '{' || c === '#') {
    if (!lineComplete) return final ? 'edn' : undefined;
    return looksLikeKv(text) ? 'porcupine-kv' : 'edn';
  }
  if (!lineComplete) return final ? fail(source) : undefined;
  // Not JSON or EDN: a log whose op lines may come after other loggers' lines.
  for (let i = first; i < complete; i++) if (utilLineStart(lines[i]) >= 0) return 'porcupine-etcd';
  if (!final) return undefined;
  // A lone ':' or '"' line etc. is EDN that the EDN reader will report on; anything else is unknown.
  if (c === ':' || c === '"' || c === '\\') return 'edn';
  return fail(source, first + 1);
}

function fail(source: string | undefined, line?: number): never {
  throw historyError(
    source,
    line,
    "cannot tell the history format (not JSON lines, EDN, or a Jepsen log with 'jepsen.util - ' lines); give it with --format",
  );
}

function offsetOfLine(lines: string[], n: number): number {
  let off = 0;
  for (let i = 0; i < n; i++) off += lines[i].length + 1;
  return off;
}

/** Porcupine kv: the first map is complete on its line, has :key, and f is get, put or append. */
function looksLikeKv(line: string): boolean {
  let el: EdnElement | undefined;
  try {
    const s = new EdnSplitter({
      allowEnclosing: false,
      onElement: (e) => {
        if (el === undefined) el = e;
      },
    });
    s.push(line);
    s.end();
    if (!el || el.kind !== 'map' || el.text === undefined) return false;
    const o = readEdnMap(el.text, undefined, 1);
    const f = nameOf(o.f);
    return o.key !== undefined && (f === 'get' || f === 'put' || f === 'append');
  } catch {
    return false;
  }
}
