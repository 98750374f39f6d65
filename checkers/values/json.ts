import { exactNumber } from './numbers.js';
import { show } from './show.js';
import { Char, Decimal, EdnDouble, EdnMap, EdnSet, EdnSymbol, Keyword, Tagged } from './types.js';

/*
 * JSON with exact numbers. Node 20's JSON.parse cannot see a number's source text, so 9007199254740993 would
 * become 9007199254740992; the readers use JSON.parse for lines that cannot hold such a number and this parser for
 * the rest (see formats/jsonl.ts). Both directions use an explicit stack: nesting depth is unbounded.
 */

/**
 * A fraction or an exponent: the only literals JSON.parse may round to a value that looks exact (1e-400 → 0,
 * 1.00000000000000000001 → 1). A literal `[eE.]` then a digit; a string may match too, which only costs time.
 */
const FRACTION_OR_EXPONENT = /[.eE][-+]?\d/;

/**
 * True when JSON.parse reads every number of `text` exactly, or `parsedExactly` can tell from what it gave: the text
 * has no fraction nor exponent, so every number literal is an integer, and an integer JSON.parse rounded is beyond
 * 2^53 (as is every double it can round to). Scanning for `[.eE]` then a digit is about four times faster than
 * scanning for long digit runs.
 */
export function integersOnly(text: string): boolean {
  return !FRACTION_OR_EXPONENT.test(text);
}

/**
 * For a value JSON.parse made from text with integers only (integersOnly): true when every number in it is a safe
 * integer, so exactly what the text says; false when one may have been rounded (read that text with parseJsonExact).
 */
export function parsedExactly(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return typeof v !== 'number' || Number.isSafeInteger(v);
  if (!Array.isArray(v)) {
    // An op: its fields are mostly scalars, checked without the stack.
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (typeof x === 'number') {
        if (!Number.isSafeInteger(x)) return false;
      } else if (typeof x === 'object' && x !== null && !nested(x)) return false;
    }
    return true;
  }
  return nested(v);
}

function nested(v: object): boolean {
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === 'number') {
      if (!Number.isSafeInteger(x)) return false;
    } else if (typeof x === 'object' && x !== null) {
      if (Array.isArray(x)) for (let i = 0; i < x.length; i++) stack.push(x[i]);
      else for (const k in x) stack.push((x as Record<string, unknown>)[k]);
    }
  }
  return true;
}

/** JSON text parsed with every number exact: JSON.parse where that is enough (the usual case), else parseJsonExact. */
export function parseJson(text: string): unknown {
  if (integersOnly(text)) {
    const v = JSON.parse(text);
    if (parsedExactly(v)) return v;
  }
  return parseJsonExact(text);
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SPACE = /[ \t\n\r]*/y;

/** JSON.parse, except that numbers are exact (exactNumber). Throws a SyntaxError naming the position. */
export function parseJsonExact(text: string): unknown {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${at}`);
  };
  const skip = () => {
    SPACE.lastIndex = at;
    SPACE.exec(text);
    at = SPACE.lastIndex;
  };
  const string = (): string => {
    STRING.lastIndex = at;
    const m = STRING.exec(text);
    if (!m) fail('bad string');
    at = STRING.lastIndex;
    return JSON.parse(m![0]) as string;
  };
  // Open containers: an array, or an object with the key awaiting its value.
  const stack: { array?: unknown[]; object?: Record<string, unknown>; key?: string }[] = [];
  for (;;) {
    skip();
    let v: unknown;
    const c = text[at];
    if (c === '{' || c === '[') {
      at++;
      skip();
      if (c === '[') {
        if (text[at] !== ']') {
          stack.push({ array: [] });
          continue;
        }
        v = [];
      } else if (text[at] !== '}') {
        if (text[at] !== '"') fail('expected a string key');
        const key = string();
        skip();
        if (text[at++] !== ':') fail("expected ':'");
        stack.push({ object: {}, key });
        continue;
      } else {
        v = {};
      }
      at++;
    } else if (c === '"') {
      v = string();
    } else if (text.startsWith('true', at)) {
      v = true;
      at += 4;
    } else if (text.startsWith('false', at)) {
      v = false;
      at += 5;
    } else if (text.startsWith('null', at)) {
      v = null;
      at += 4;
    } else {
      NUMBER.lastIndex = at;
      const m = NUMBER.exec(text);
      if (!m) fail(at >= text.length ? 'unexpected end of JSON input' : `unexpected ${JSON.stringify(c)}`);
      at = NUMBER.lastIndex;
      v = exactNumber(m![0]);
    }
    // Hand the value to its container; close every container that ends here.
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) {
        skip();
        if (at < text.length) fail(`unexpected ${JSON.stringify(text[at])} after the value`);
        return v;
      }
      if (top.array) top.array.push(v);
      else Object.defineProperty(top.object!, top.key!, { value: v, enumerable: true, writable: true, configurable: true });
      skip();
      const d = text[at++];
      if (d === ',') {
        if (top.object) {
          skip();
          if (text[at] !== '"') fail('expected a string key');
          top.key = string();
          skip();
          if (text[at++] !== ':') fail("expected ':'");
        }
        break;
      }
      if ((top.array && d === ']') || (top.object && d === '}')) {
        stack.pop();
        v = top.array ?? top.object;
        continue;
      }
      at--;
      fail(d === undefined ? 'unexpected end of JSON input' : `unexpected ${JSON.stringify(d)}`);
    }
  }
}

/**
 * JSON.stringify that keeps exact numbers (a bigint or a Decimal is written as its digits) and has no depth
 * limit. EDN-only values, which JSON has no type for, are written as `{"edn": "<their EDN text>"}`; an EDN double
 * as a number (`##Inf` and `##NaN` as that object). `indent` as JSON.stringify's.
 */
export function stringifyExact(value: unknown, indent = 0): string {
  const out: string[] = [];
  const pad = (depth: number) => (indent > 0 ? `\n${' '.repeat(indent * depth)}` : '');
  // Work items: a value to write at a depth, literal text, or the end of a container (to detect cycles).
  const work: ({ v: unknown; depth: number } | string | { leave: object })[] = [{ v: value, depth: 0 }];
  const open = new Set<object>();
  while (work.length > 0) {
    const w = work.pop()!;
    if (typeof w === 'string') {
      out.push(w);
      continue;
    }
    if ('leave' in w) {
      open.delete(w.leave);
      continue;
    }
    let v = w.v;
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(): unknown }).toJSON();
    const scalar = scalarJson(v);
    if (scalar !== undefined) {
      out.push(scalar);
      continue;
    }
    const d = w.depth;
    let entries: [string | undefined, unknown][];
    let opening: string;
    let close: string;
    if (Array.isArray(v)) {
      entries = v.map((x) => [undefined, x === undefined || typeof x === 'function' ? null : x]);
      [opening, close] = ['[', ']'];
    } else {
      const o = v as Record<string, unknown>;
      entries = Object.keys(o).filter((k) => o[k] !== undefined && typeof o[k] !== 'function').map((k) => [k, o[k]]);
      [opening, close] = ['{', '}'];
    }
    if (entries.length === 0) {
      out.push(opening + close);
      continue;
    }
    if (open.has(v as object)) throw new TypeError('cannot write a cyclic structure as JSON');
    open.add(v as object);
    out.push(opening);
    work.push({ leave: v as object }, pad(d) + close);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i];
      work.push({ v: x, depth: d + 1 });
      const sep = (i > 0 ? ',' : '') + pad(d + 1);
      work.push(k === undefined ? sep : `${sep}${JSON.stringify(k)}:${indent > 0 ? ' ' : ''}`);
    }
  }
  return out.join('');
}

function scalarJson(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'bigint':
      return String(v);
    case 'boolean':
      return String(v);
    case 'undefined':
    case 'function':
      return 'null';
    case 'object':
      if (v === null) return 'null';
      if (v instanceof Decimal && !v.bigDecimal) return v.text;
      if (v instanceof EdnDouble && Number.isFinite(v.value)) return show(v);
      if (v instanceof Keyword || v instanceof EdnSymbol || v instanceof Char || v instanceof Decimal || v instanceof EdnDouble || v instanceof EdnSet || v instanceof EdnMap || v instanceof Tagged) {
        return `{"edn":${JSON.stringify(show(v))}}`;
      }
      return undefined;
    default:
      return 'null';
  }
}
