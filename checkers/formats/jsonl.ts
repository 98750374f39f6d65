import { historyError } from '../errors.js';
import { isBlank, LineSplitter } from './lines.js';
import type { HistoryBuilder, Sink } from './sink.js';
import { show, toOp } from './sink.js';
import { integersOnly, parsedExactly, parseJsonExact } from '../values/json.js';

/**
 * JSON lines: one op object per line, blank lines ignored (docs/history.md).
 *
 * JSON.parse turns 9007199254740993 into …992 and 1e400 into Infinity; a line that may hold such a number is read
 * by the exact parser instead (values/json.ts). Most text has no fraction nor exponent at all, so that test runs
 * once per chunk, and per line only in a chunk where it found one (and on a line carried across chunks); a line
 * with integers only is read by JSON.parse, and read again exactly when one of them came out beyond 2^53.
 */
export function jsonlSink(out: HistoryBuilder): Sink {
  const source = out.source;
  let integers = true;
  const lines = new LineSplitter((line, lineNo, joined) => {
    if (line.charCodeAt(0) !== 123 /* { */ && isBlank(line)) return;
    let o: unknown;
    try {
      if ((integers && !joined) || integersOnly(line)) {
        o = JSON.parse(line);
        if (!parsedExactly(o)) o = parseJsonExact(line);
      } else {
        o = parseJsonExact(line);
      }
    } catch (e) {
      throw historyError(source, lineNo, `invalid JSON: ${jsonMessage(e)}`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      throw historyError(source, lineNo, `expected a JSON object (one op per line), found ${show(o)}`);
    }
    out.add(toOp(o as Record<string, unknown>, out.position, source, lineNo), lineNo);
  });
  return {
    push(chunk: string) {
      integers = integersOnly(chunk);
      lines.push(chunk);
    },
    end() {
      lines.end();
    },
  };
}

/** V8's JSON.parse message quotes the whole input; keep it to one short line. */
function jsonMessage(e: unknown): string {
  const m = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
  return m.length > 120 ? `${m.slice(0, 117)}...` : m;
}
