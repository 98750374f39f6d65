import { Char, Decimal, EdnDouble, EdnMap, EdnSet, EdnSymbol, isPlainObject, Keyword, Tagged } from './types.js';

/** Literal text in the work stack of `show` (brackets and separators), as opposed to a value still to render. */
class Text {
  constructor(readonly s: string) {}
}

const CHAR_NAMES: Record<string, string> = { ' ': 'space', '\n': 'newline', '\t': 'tab', '\r': 'return', '\b': 'backspace', '\f': 'formfeed' };

function scalar(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(v);
    case 'undefined':
      return 'nil';
    case 'object':
      if (v === null) return 'nil';
      if (v instanceof Keyword) return `:${v.name}`;
      if (v instanceof EdnSymbol) return v.name;
      if (v instanceof Decimal) return v.bigDecimal ? `${v.text}M` : v.text;
      if (v instanceof Char) return `\\${Object.prototype.hasOwnProperty.call(CHAR_NAMES, v.char) ? CHAR_NAMES[v.char] : v.char}`;
      if (v instanceof EdnDouble) {
        const d = v.value;
        if (Number.isNaN(d)) return '##NaN';
        if (!Number.isFinite(d)) return d > 0 ? '##Inf' : '##-Inf';
        const s = String(d);
        return /[.e]/.test(s) ? s : `${s}.0`;
      }
      return undefined;
    default:
      return String(v);
  }
}

/**
 * How a value reads in evidence and messages: EDN-like and exact (nil, "s", :k, 1.0, 12345678901234567890,
 * [1 2], #{1 2}, {k v, …} with a plain object's keys sorted). Unbounded depth. One argument, so it can be mapped.
 */
export function show(v: unknown): string {
  return showShort(v, Infinity);
}

/** `show`, cut at `limit` characters with '…'. */
export function showShort(v: unknown, limit: number): string {
  const first = scalar(v);
  if (first !== undefined) return first.length > limit ? `${first.slice(0, limit)}…` : first;
  const out: string[] = [];
  let length = 0;
  const work: unknown[] = [v];
  while (work.length > 0) {
    const x = work.pop();
    let s: string | undefined = x instanceof Text ? x.s : scalar(x);
    if (s === undefined) {
      const { open, items, close, pairs } = parts(x as object);
      work.push(new Text(close));
      for (let i = items.length - 1; i >= 0; i--) {
        work.push(items[i]);
        if (i > 0) work.push(new Text(pairs && i % 2 === 0 ? ', ' : ' '));
      }
      s = open;
    }
    out.push(s);
    length += s.length;
    if (length > limit) return `${out.join('').slice(0, limit)}…`;
  }
  return out.join('');
}

function parts(v: object): { open: string; items: readonly unknown[]; close: string; pairs: boolean } {
  if (Array.isArray(v)) return { open: '[', items: v, close: ']', pairs: false };
  if (v instanceof EdnSet) return { open: '#{', items: v.items, close: '}', pairs: false };
  if (v instanceof EdnMap) return { open: '{', items: v.entries.flat(), close: '}', pairs: true };
  if (v instanceof Tagged) return { open: `#${v.tag} `, items: [v.value], close: '', pairs: false };
  if (isPlainObject(v)) {
    const items: unknown[] = [];
    for (const k of Object.keys(v).sort()) items.push(new Text(k), v[k]);
    return { open: '{', items, close: '}', pairs: true };
  }
  return { open: String(v), items: [], close: '', pairs: false };
}
