import { historyError } from '../errors.js';
import type { InputError } from '../errors.js';
import type { HistoryBuilder, Sink } from './sink.js';
import { show, toOp } from './sink.js';
import { charLiteral, readEdn } from './edn-value.js';
import { EdnMap, nameOf } from '../values/types.js';
import type { Op } from '../history/op.js';

/*
 * EDN histories (Jepsen's history.edn, Knossos's test data) are read in two steps:
 *
 * 1. EdnSplitter, a streaming character-level scanner, cuts the input into its top-level forms ("elements") and
 *    reports each with the line it starts on. It keeps no more than the element being read, copes with chunks split
 *    anywhere, and knows enough EDN to find where a form ends: strings with escapes, `;` comments, `\c` character
 *    literals, nesting of () [] {} #{}, tags (`#jepsen.history.Op{…}`), discards (`#_`), and an optional vector or
 *    list enclosing the whole history. It also catches what the parser below lets through silently (unbalanced or
 *    mismatched brackets, a map with a key but no value, trailing garbage), with the line.
 * 2. Each map element's text is read by readEdn (edn-value.ts), which keeps EDN's types, and checked into an Op.
 */

export type EdnKind = 'map' | 'vector' | 'list' | 'set' | 'string' | 'char' | 'atom';

export interface EdnElement {
  kind: EdnKind;
  /** Line the element starts on (its tag's line when it is tagged). */
  line: number;
  /** Line it ends on. */
  endLine: number;
  /** The EDN text of a map element, or of a vector with captureVectors (tag removed, character literals rewritten
   * as strings); absent for other kinds. */
  text?: string;
  /** The text of an atom element (keyword, number, symbol…). */
  atom?: string;
  /** The tag in front of the element, without '#' (e.g. 'jepsen.history.Op'). */
  tag?: string;
}

export interface SplitterOptions {
  source?: string;
  /** Accept one vector or list enclosing every element (`[{…} {…}]`); otherwise elements are top-level forms. */
  allowEnclosing: boolean;
  /** Every element must end on the line it starts on (porcupine-kv). */
  singleLine?: boolean;
  /** Capture the text of vector elements too (Knossos's tuple ops `[70 :invoke :read nil]`). */
  captureVectors?: boolean;
  onElement(el: EdnElement): void;
}

const IDLE = 0;
const STRING = 1;
const ESCAPE = 2;
const COMMENT = 3;
const ATOM = 4;
const CHAR = 5;

const OUTER_START = 0;
const OUTER_BARE = 1;
const OUTER_VECTOR = 2;
const OUTER_AFTER = 3;

/** Characters that end a token: whitespace, commas, brackets, quote, comment. */
const DELIM = new Uint8Array(128);
for (const ch of ' \t\n\r\f\v,{}[]()";') DELIM[ch.charCodeAt(0)] = 1;
/** Whitespace (commas are whitespace in EDN). */
const SPACE = new Uint8Array(128);
for (const ch of ' \t\r\f\v,') SPACE[ch.charCodeAt(0)] = 1;

const isDelim = (c: number) => c < 128 && DELIM[c] === 1;

interface Frame {
  close: number;
  kind: EdnKind;
  line: number;
  /** Forms read directly inside (a map needs an even number). */
  count: number;
}

const KIND_NAME: Record<EdnKind, string> = {
  map: 'map',
  vector: 'vector',
  list: 'list',
  set: 'set',
  string: 'string',
  char: 'character literal',
  atom: 'value',
};

export class EdnSplitter implements Sink {
  private line = 1;
  private mode = IDLE;
  private readonly stack: Frame[] = [];
  private outer = OUTER_START;
  private outerClose = 0;
  private outerLine = 0;
  // The element being read.
  private elLine = 0;
  private capturing = false;
  private parts: string[] = [];
  /** Where the captured text resumes in the current chunk; -1 while a character literal is being read. */
  private capStart = 0;
  private pendingTag: string | undefined;
  private pendingTagLine = 0;
  private discard = 0;
  // The token being read.
  private tokStart = 0;
  private tokCarry = '';
  private tokFirst = 0;
  private tokLine = 0;
  private tokKeep = false;
  private charBody = false;
  private stringLine = 0;

  constructor(private readonly opts: SplitterOptions) {}

  push(chunk: string): void {
    const n = chunk.length;
    const stack = this.stack;
    let i = 0;
    this.tokStart = 0;
    while (i < n) {
      switch (this.mode) {
        case IDLE: {
          const c = chunk.charCodeAt(i);
          if (c === 10) {
            this.newline();
            i++;
          } else if (c < 128 && SPACE[c] === 1) {
            i++;
          } else if (c === 0xfeff) {
            i++; // a byte-order mark
          } else if (c === 59 /* ; */) {
            this.mode = COMMENT;
            i++;
          } else if (c === 34 /* " */) {
            this.startForm('string');
            this.stringLine = this.line;
            this.mode = STRING;
            i++;
          } else if (c === 123 /* { */) {
            this.open('map', 125, i);
            i++;
          } else if (c === 91 /* [ */) {
            this.open('vector', 93, i);
            i++;
          } else if (c === 40 /* ( */) {
            this.open('list', 41, i);
            i++;
          } else if (c === 125 || c === 93 || c === 41) {
            this.close(c, chunk, i);
            i++;
          } else if (c === 92 /* \ */) {
            this.startForm('char');
            if (this.capturing) {
              this.parts.push(chunk.slice(this.capStart, i));
              this.capStart = -1;
            }
            this.mode = CHAR;
            this.tokStart = i;
            this.tokCarry = '';
            this.tokLine = this.line;
            this.charBody = false;
            i++;
          } else {
            // A keyword, number, symbol, nil/true/false, or a tag / discard / #{ when it starts with '#'.
            if (c !== 35 /* # */) this.startForm('atom');
            this.mode = ATOM;
            this.tokStart = i;
            this.tokCarry = '';
            this.tokFirst = c;
            this.tokLine = this.line;
            this.tokKeep = c === 35 || stack.length === 0;
            i++;
          }
          break;
        }
        case ATOM: {
          let j = i;
          while (j < n && !isDelim(chunk.charCodeAt(j))) j++;
          if (j === n) {
            i = n;
            break;
          }
          if (
            this.tokFirst === 35 &&
            chunk.charCodeAt(j) === 123 &&
            this.tokCarry.length + (j - this.tokStart) === 1
          ) {
            // '#{': a set.
            this.mode = IDLE;
            this.open('set', 125, j);
            i = j + 1;
            break;
          }
          this.endAtom(chunk, j);
          this.mode = IDLE;
          i = j; // the delimiter is read in IDLE
          break;
        }
        case STRING: {
          let j = i;
          while (j < n) {
            const d = chunk.charCodeAt(j);
            if (d === 34) break;
            if (d === 10) this.newline();
            else if (d === 92) {
              j++;
              if (j === n) {
                this.mode = ESCAPE;
                break;
              }
              if (chunk.charCodeAt(j) === 10) this.newline();
            }
            j++;
          }
          if (j >= n) {
            i = n;
            break;
          }
          this.mode = IDLE;
          i = j + 1;
          this.endForm('string');
          break;
        }
        case ESCAPE: {
          if (chunk.charCodeAt(i) === 10) this.newline();
          this.mode = STRING;
          i++;
          break;
        }
        case COMMENT: {
          const j = chunk.indexOf('\n', i);
          if (j < 0) {
            i = n;
          } else {
            this.mode = IDLE;
            i = j; // the newline is counted in IDLE
          }
          break;
        }
        case CHAR: {
          let j = i;
          if (!this.charBody) {
            // The first character after the backslash belongs to the literal whatever it is: \( \" \space.
            if (chunk.charCodeAt(j) === 10) this.newline();
            j++;
            this.charBody = true;
          }
          while (j < n && !isDelim(chunk.charCodeAt(j))) j++;
          if (j === n) {
            i = n;
            break;
          }
          this.endChar(chunk, j);
          this.mode = IDLE;
          i = j;
          break;
        }
      }
    }
    // Keep what is unfinished for the next chunk.
    if ((this.mode === ATOM && this.tokKeep) || this.mode === CHAR) this.tokCarry += chunk.slice(this.tokStart);
    if (this.capturing && this.capStart >= 0) {
      this.parts.push(chunk.slice(this.capStart));
      this.capStart = 0;
    }
  }

  end(): void {
    if (this.mode === ATOM) {
      this.tokStart = 0;
      this.endAtom('', 0);
    } else if (this.mode === CHAR) {
      this.tokStart = 0;
      this.endChar('', 0);
    } else if (this.mode === STRING || this.mode === ESCAPE) {
      throw this.error(this.stringLine, 'unterminated string: no closing \'"\' before the end of the input');
    }
    this.mode = IDLE;
    if (this.stack.length > 0) {
      const fr = this.stack[0];
      throw this.error(
        this.elLine,
        `unterminated ${KIND_NAME[fr.kind]}: no closing '${String.fromCharCode(fr.close)}' before the end of the input`,
      );
    }
    if (this.pendingTag !== undefined) throw this.error(this.pendingTagLine, `tag #${this.pendingTag} is not followed by a form`);
    if (this.discard > 0) throw this.error(this.line, '#_ is not followed by a form');
    if (this.outer === OUTER_VECTOR) {
      throw this.error(
        this.outerLine,
        `unterminated ${this.outerClose === 93 ? 'vector' : 'list'} around the history: no closing '${String.fromCharCode(this.outerClose)}' before the end of the input`,
      );
    }
  }

  private error(line: number, what: string): InputError {
    return historyError(this.opts.source, line, what);
  }

  private newline(): void {
    if (this.opts.singleLine && this.stack.length > 0) {
      throw this.error(this.elLine, `the ${KIND_NAME[this.stack[0].kind]} starting on this line does not end on it (one op per line)`);
    }
    this.line++;
  }

  /** A form starts; at the top level it is an element. */
  private startForm(kind: EdnKind): void {
    if (this.stack.length > 0) return;
    if (this.outer === OUTER_AFTER) {
      throw this.error(this.line, `unexpected ${KIND_NAME[kind]} after the end of the history ('${String.fromCharCode(this.outerClose)}' at line ${this.outerLine})`);
    }
    if (this.outer === OUTER_START) this.outer = OUTER_BARE;
    this.elLine = this.pendingTag !== undefined ? this.pendingTagLine : this.line;
  }

  private open(kind: EdnKind, close: number, at: number): void {
    if (this.stack.length === 0) {
      if (
        this.outer === OUTER_START &&
        this.opts.allowEnclosing &&
        (kind === 'vector' || kind === 'list') &&
        this.pendingTag === undefined &&
        this.discard === 0
      ) {
        this.outer = OUTER_VECTOR;
        this.outerClose = close;
        this.outerLine = this.line;
        return;
      }
      this.startForm(kind);
      if ((kind === 'map' || (kind === 'vector' && this.opts.captureVectors)) && this.discard === 0) {
        this.capturing = true;
        this.parts = [];
        this.capStart = at;
      }
    }
    this.stack.push({ close, kind, line: this.line, count: 0 });
  }

  private close(c: number, chunk: string, at: number): void {
    const stack = this.stack;
    const ch = String.fromCharCode(c);
    if (stack.length === 0) {
      if (this.outer === OUTER_VECTOR && c === this.outerClose) {
        if (this.pendingTag !== undefined) throw this.error(this.pendingTagLine, `tag #${this.pendingTag} is not followed by a form`);
        if (this.discard > 0) throw this.error(this.line, '#_ is not followed by a form');
        this.outer = OUTER_AFTER;
        this.outerLine = this.line;
        return;
      }
      if (this.outer === OUTER_VECTOR) {
        throw this.error(this.line, `unexpected '${ch}': the history opened at line ${this.outerLine} is closed by '${String.fromCharCode(this.outerClose)}'`);
      }
      throw this.error(this.line, `unexpected '${ch}' with nothing open`);
    }
    const fr = stack.pop()!;
    if (fr.close !== c) {
      throw this.error(
        this.line,
        `unexpected '${ch}': the ${KIND_NAME[fr.kind]} opened at line ${fr.line} must be closed by '${String.fromCharCode(fr.close)}' first`,
      );
    }
    if (fr.kind === 'map' && fr.count % 2 !== 0) {
      throw this.error(fr.line, 'map has a key without a value (an odd number of forms)');
    }
    if (stack.length > 0) {
      stack[stack.length - 1].count++;
      return;
    }
    let text: string | undefined;
    if (this.capturing) {
      this.parts.push(chunk.slice(this.capStart, at + 1));
      text = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
      this.parts = [];
      this.capturing = false;
    }
    this.finish(fr.kind, text, undefined);
  }

  /** A string, character or atom form ended. */
  private endForm(kind: EdnKind, atom?: string): void {
    const stack = this.stack;
    if (stack.length > 0) stack[stack.length - 1].count++;
    else this.finish(kind, undefined, atom);
  }

  private endAtom(chunk: string, end: number): void {
    if (!this.tokKeep) {
      // Inside a collection: only counted.
      this.stack[this.stack.length - 1].count++;
      return;
    }
    const text = this.tokCarry + chunk.slice(this.tokStart, end);
    this.tokCarry = '';
    if (this.tokFirst === 35 && text.charCodeAt(1) !== 35 /* ##Inf etc. are values */) {
      const stack = this.stack;
      if (text === '#_') {
        // Discard the next form.
        if (stack.length > 0) stack[stack.length - 1].count--;
        else this.discard++;
        return;
      }
      if (text.length === 1) throw this.error(this.tokLine, "'#' must be followed by a tag, '{' or '_'");
      if (stack.length === 0) {
        if (this.outer === OUTER_AFTER) throw this.error(this.tokLine, `unexpected tag ${text} after the end of the history`);
        if (this.pendingTag === undefined) {
          this.pendingTag = text.slice(1);
          this.pendingTagLine = this.tokLine;
        }
      }
      return; // a tag is not a form of its own
    }
    if (this.tokFirst === 35) this.startForm('atom');
    this.endForm('atom', text);
  }

  private endChar(chunk: string, end: number): void {
    const tok = this.tokCarry + chunk.slice(this.tokStart, end);
    this.tokCarry = '';
    const value = charLiteral(tok);
    if (value === undefined) throw this.error(this.tokLine, `bad character literal ${show(tok)}`);
    if (this.capturing) {
      // The literal's text is kept as written (readEdn reads it into a Char).
      this.parts.push(tok);
      this.capStart = end;
    }
    this.endForm('char');
  }

  private finish(kind: EdnKind, text: string | undefined, atom: string | undefined): void {
    const el: EdnElement = { kind, line: this.elLine, endLine: this.line };
    if (text !== undefined) el.text = text;
    if (atom !== undefined) el.atom = atom;
    if (this.pendingTag !== undefined) el.tag = this.pendingTag;
    this.pendingTag = undefined;
    if (this.discard > 0) {
      this.discard--;
      return;
    }
    this.opts.onElement(el);
  }
}

/** Reads one EDN value (edn-value.ts). Throws a plain Error when the text is not EDN faultline reads. */
export function readEdnValue(text: string): unknown {
  return readEdn(text);
}

/**
 * Reads the text of a map element (from EdnSplitter) into a fresh record of op fields: keys are keywords (or
 * strings) naming fields (toOp turns the keywords that name things, as `:type :invoke`, into names).
 */
export function readEdnMap(text: string, source: string | undefined, line: number): Record<string, unknown> {
  let v: unknown;
  try {
    v = readEdn(text);
  } catch (e) {
    throw historyError(source, line, `bad EDN: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
  }
  if (!(v instanceof EdnMap)) throw historyError(source, line, 'could not read this EDN map');
  const o: Record<string, unknown> = {};
  for (const [k, x] of v.entries) {
    const name = nameOf(k);
    if (name === undefined) throw historyError(source, line, `an op map's keys name its fields (:process, :type, :f, :value…), not ${show(k)}`);
    // defineProperty: a field named __proto__ is data, not the prototype.
    Object.defineProperty(o, name, { value: x, enumerable: true, writable: true, configurable: true });
  }
  return o;
}

function describe(el: EdnElement): string {
  if (el.kind === 'atom') return show(el.atom);
  return `a ${KIND_NAME[el.kind]}`;
}

/**
 * Jepsen / Knossos EDN: a vector of op maps or a bare sequence of them; also Knossos's older tuple ops
 * `[process type f value error?]` (its data/cas-failure.edn), bare or in an enclosing vector.
 */
export function ednSink(out: HistoryBuilder): Sink {
  const source = out.source;
  const splitter = (allowEnclosing: boolean) =>
    new EdnSplitter({
      source,
      allowEnclosing,
      captureVectors: true,
      onElement(el) {
        if (el.kind === 'vector') {
          out.add(tupleOp(readEdnValue(el.text!), out.position, source, el.line), el.line);
          return;
        }
        if (el.kind !== 'map') throw historyError(source, el.line, `expected an op map {…}, found ${describe(el)}`);
        const o = readEdnMap(el.text!, source, el.line);
        out.add(toOp(o, out.position, source, el.line), el.line);
      },
    });
  return new BareTuplePeek((bareTuples) => splitter(!bareTuples));
}

/**
 * Holds back the start of the input until it can tell `[70 :invoke …] [70 :ok …]` (bare tuples: the first '['
 * opens an op) from `[{…} {…}]` or `[[70 …] …]` (the first '[' encloses the history).
 */
class BareTuplePeek implements Sink {
  private head = '';
  private inner: Sink | undefined;
  constructor(private readonly make: (bareTuples: boolean) => Sink) {}

  push(chunk: string): void {
    if (this.inner) return this.inner.push(chunk);
    this.head += chunk;
    const decided = decideBareTuples(this.head);
    if (decided !== undefined) this.flush(decided);
  }

  end(): void {
    if (!this.inner) this.flush(decideBareTuples(this.head) ?? false);
    this.inner!.end();
  }

  private flush(bareTuples: boolean): void {
    this.inner = this.make(bareTuples);
    this.inner.push(this.head);
    this.head = '';
  }
}

/** true: bare tuples; false: anything else; undefined: cannot tell yet (skips whitespace, commas, ; comments). */
function decideBareTuples(text: string): boolean | undefined {
  let i = 0;
  let brackets = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ';') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return undefined;
      i = nl + 1;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',') {
      i++;
    } else if (c === '[' && brackets === 0) {
      brackets = 1;
      i++;
    } else {
      return brackets === 1 && /[-0-9:]/.test(c);
    }
  }
  return undefined;
}

/** `[process type f value error?]` → an op (Knossos's tuple form). */
function tupleOp(v: unknown, position: number, source: string | undefined, line: number): Op {
  if (!Array.isArray(v) || v.length < 4 || v.length > 5) {
    throw historyError(source, line, `expected an op map {…} or a tuple [process type f value error?], found ${show(v)}`);
  }
  const o: Record<string, unknown> = { process: v[0], type: v[1], f: v[2], value: v[3] };
  if (v.length === 5) o.error = v[4];
  return toOp(o, position, source, line);
}

/** Porcupine's kv logs: one EDN map per line, f get/put/append, with a key. */
export function kvSink(out: HistoryBuilder): Sink {
  const source = out.source;
  let lastLine = 0;
  return new EdnSplitter({
    source,
    allowEnclosing: false,
    singleLine: true,
    onElement(el) {
      if (el.line === lastLine) throw historyError(source, el.line, 'two ops on one line (porcupine-kv has one op map per line)');
      lastLine = el.endLine;
      if (el.kind !== 'map') throw historyError(source, el.line, `expected an op map {…}, found ${describe(el)}`);
      const op = toOp(readEdnMap(el.text!, source, el.line), out.position, source, el.line);
      if (op.f !== 'get' && op.f !== 'put' && op.f !== 'append') {
        throw historyError(source, el.line, `porcupine-kv f must be get, put or append, not ${show(op.f)}`);
      }
      if (op.key === undefined) throw historyError(source, el.line, 'porcupine-kv op has no :key');
      out.add(op, el.line);
    },
  });
}
