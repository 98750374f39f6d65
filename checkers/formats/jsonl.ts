import { historyError } from '../errors.js';
import { isBlank, LineSplitter } from './lines.js';
import type { HistoryBuilder, Sink } from './sink.js';
import { show, toOp } from './sink.js';
import { doublesSuffice, parseJsonExact } from '../values/json.js';

/** JSON lines: one op object per line, blank lines ignored (docs/history.md). */
export function jsonlSink(out: HistoryBuilder): Sink {
  const source = out.source;
  return new LineSplitter((line, lineNo) => {
    if (line.charCodeAt(0) !== 123 /* { */ && isBlank(line)) return;
    let o: unknown;
    try {
      // JSON.parse turns 9007199254740993 into …992 and 1e400 into Infinity; a line that may hold such a number is
      // read by the exact parser instead (values/json.ts). Most lines have no long digit run nor exponent.
      o = doublesSuffice(line) ? JSON.parse(line) : parseJsonExact(line);
    } catch (e) {
      throw historyError(source, lineNo, `invalid JSON: ${jsonMessage(e)}`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      throw historyError(source, lineNo, `expected a JSON object (one op per line), found ${show(o)}`);
    }
    out.add(toOp(o as Record<string, unknown>, out.position, source, lineNo), lineNo);
  });
}

/** V8's JSON.parse message quotes the whole input; keep it to one short line. */
function jsonMessage(e: unknown): string {
  const m = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
  return m.length > 120 ? `${m.slice(0, 117)}...` : m;
}
