import { bigDecimal, normaliseInteger } from '../values/numbers.js';
import { valueKey } from '../values/key.js';
import { Char, EdnDouble, EdnMap, EdnSet, EdnSymbol, Keyword, Tagged } from '../values/types.js';

/*
 * Reads one EDN form into faultline's values (values/types.ts), keeping every EDN type that Knossos tells apart:
 * keywords, symbols, characters, doubles (1.0 is not 1), BigDecimals, sets (unordered), maps with any keys, tagged
 * literals; integers of any size stay exact. Lists and vectors read alike, as in Clojure (`(= '(1 2) [1 2])`).
 * Nesting depth is unbounded (an explicit stack, no recursion).
 */

/** Record tags whose value is the op map itself. */
const RECORD_TAGS = new Set(['jepsen.history.Op', 'knossos.op.Op']);
const INTEGER = /^[-+]?(0|[1-9]\d*)N?$/;
const FLOAT = /^[-+]?(0|[1-9]\d*)(\.\d*)?([eE][-+]?\d+)?M?$/;
const DELIM = new Set([' ', '\t', '\n', '\r', '\f', '\v', ',', '{', '}', '[', ']', '(', ')', '"', ';']);

interface Open {
  close: string;
  kind: 'vector' | 'map' | 'set';
  items: unknown[];
}

/** Reads the single EDN form `text` holds; throws an Error with a one-line message when it is not EDN faultline reads. */
export function readEdn(text: string): unknown {
  let at = 0;
  const n = text.length;
  const stack: (Open | { tag: string } | { discard: true })[] = [];
  let result: unknown;
  let done = false;
  const token = () => {
    const start = at;
    while (at < n && !DELIM.has(text[at])) at++;
    return text.slice(start, at);
  };
  while (at < n) {
    const c = text[at];
    if (c === ' ' || c === ',' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\ufeff') {
      at++;
      continue;
    }
    if (c === ';') {
      const nl = text.indexOf('\n', at);
      at = nl < 0 ? n : nl;
      continue;
    }
    if (done) throw new Error(`more than one form: ${JSON.stringify(text.slice(at, at + 20))}`);
    let v: unknown;
    let have = true;
    if (c === '[' || c === '(') {
      stack.push({ close: c === '[' ? ']' : ')', kind: 'vector', items: [] });
      at++;
      have = false;
    } else if (c === '{') {
      stack.push({ close: '}', kind: 'map', items: [] });
      at++;
      have = false;
    } else if (c === ']' || c === ')' || c === '}') {
      const top = stack.pop();
      if (!top || !('close' in top) || top.close !== c) throw new Error(`unexpected '${c}'`);
      at++;
      v = closeCollection(top);
    } else if (c === '"') {
      v = readString();
    } else if (c === '\\') {
      const start = at;
      at += 2; // the character right after the backslash belongs to the literal, whatever it is
      while (at < n && !DELIM.has(text[at])) at++;
      const ch = charLiteral(text.slice(start, at));
      if (ch === undefined) throw new Error(`bad character literal ${JSON.stringify(text.slice(start, at))}`);
      v = new Char(ch);
    } else if (c === '#') {
      const d = text[at + 1];
      if (d === '{') {
        stack.push({ close: '}', kind: 'set', items: [] });
        at += 2;
        have = false;
      } else if (d === '_') {
        stack.push({ discard: true });
        at += 2;
        have = false;
      } else if (d === '#') {
        at += 2;
        const sym = token();
        if (sym === 'Inf') v = new EdnDouble(Infinity);
        else if (sym === '-Inf') v = new EdnDouble(-Infinity);
        else if (sym === 'NaN') v = new EdnDouble(NaN);
        else throw new Error(`unknown symbolic value ##${sym}`);
      } else {
        at++;
        const tag = token();
        if (tag === '') throw new Error("'#' must be followed by a tag, '{' or '_'");
        stack.push({ tag });
        have = false;
      }
    } else if (c === ':') {
      const kw = token();
      if (kw.length < 2 || kw[1] === ':' || kw.endsWith('/')) throw new Error(`bad keyword ${JSON.stringify(kw)}`);
      v = new Keyword(kw.slice(1));
    } else {
      v = atom(token());
    }
    if (!have) continue;
    // Hand the value to what is open: a tag or a discard takes it, a collection keeps it.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        result = v;
        done = true;
        break;
      }
      if ('discard' in top) {
        stack.pop();
        break;
      }
      if ('tag' in top) {
        stack.pop();
        v = RECORD_TAGS.has(top.tag) ? v : new Tagged(top.tag, v);
        continue;
      }
      top.items.push(v);
      break;
    }
  }
  if (stack.length > 0) throw new Error('unexpected end of input: a form is not closed');
  if (!done) throw new Error('no form');
  return result;

  function readString(): string {
    let out = '';
    let from = ++at;
    for (;;) {
      if (at >= n) throw new Error('unterminated string');
      const ch = text[at];
      if (ch === '"') break;
      if (ch !== '\\') {
        at++;
        continue;
      }
      out += text.slice(from, at);
      const e = text[at + 1];
      const simple: Record<string, string> = { t: '\t', r: '\r', n: '\n', '\\': '\\', '"': '"', b: '\b', f: '\f' };
      if (Object.prototype.hasOwnProperty.call(simple, e)) {
        out += simple[e];
        at += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
        out += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
        at += 6;
      } else {
        throw new Error(`bad escape \\${e ?? ''} in a string`);
      }
      from = at;
    }
    out += text.slice(from, at);
    at++;
    return out;
  }
}

function atom(tok: string): unknown {
  if (tok === 'nil') return null;
  if (tok === 'true') return true;
  if (tok === 'false') return false;
  const c = tok[0];
  if ((c >= '0' && c <= '9') || ((c === '-' || c === '+') && tok[1] >= '0' && tok[1] <= '9')) return number(tok);
  if (tok.includes('/') && (tok.startsWith('/') || tok.endsWith('/')) && tok !== '/') throw new Error(`bad symbol ${JSON.stringify(tok)}`);
  return new EdnSymbol(tok);
}

/** An integer literal (digits, optional sign, optional N) as a number up to 2^53, a bigint past it. */
export function ednInteger(tok: string): number | bigint {
  const digits = tok.endsWith('N') ? tok.slice(0, -1) : tok;
  return digits.length <= 15 ? Number(digits) : normaliseInteger(BigInt(digits));
}

function number(tok: string): unknown {
  if (INTEGER.test(tok)) return ednInteger(tok);
  if (FLOAT.test(tok)) {
    if (tok.endsWith('M')) return bigDecimal(tok.slice(0, -1));
    return new EdnDouble(Number(tok));
  }
  throw new Error(`unsupported number ${JSON.stringify(tok)} (faultline reads integers, doubles and BigDecimals; not ratios, radix or octal forms)`);
}

function closeCollection(o: Open): unknown {
  if (o.kind === 'vector') return o.items;
  if (o.kind === 'set') {
    const seen = new Set<string>();
    for (const x of o.items) {
      const k = valueKey(x);
      if (seen.has(k)) throw new Error(`duplicate element in a set: ${JSON.stringify(k.slice(0, 40))}`);
      seen.add(k);
    }
    return new EdnSet(o.items);
  }
  if (o.items.length % 2 !== 0) throw new Error('map has a key without a value');
  const entries: [unknown, unknown][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < o.items.length; i += 2) {
    const k = valueKey(o.items[i]);
    if (seen.has(k)) throw new Error('duplicate key in a map');
    seen.add(k);
    entries.push([o.items[i], o.items[i + 1]]);
  }
  return new EdnMap(entries);
}

const NAMED_CHARS: Record<string, string> = {
  newline: '\n',
  space: ' ',
  tab: '\t',
  return: '\r',
  backspace: '\b',
  formfeed: '\f',
};

/** The character an EDN character literal (`\a`, `\newline`, `\u00e9`) stands for, or undefined. */
export function charLiteral(tok: string): string | undefined {
  const body = tok.slice(1);
  if (body.length === 1) return body;
  if (body.length === 2 && body.codePointAt(0)! > 0xffff) return body;
  if (Object.prototype.hasOwnProperty.call(NAMED_CHARS, body)) return NAMED_CHARS[body];
  if (/^u[0-9a-fA-F]{4}$/.test(body)) return String.fromCharCode(parseInt(body.slice(1), 16));
  if (/^o[0-7]{1,3}$/.test(body)) return String.fromCharCode(parseInt(body.slice(1), 8));
  return undefined;
}
