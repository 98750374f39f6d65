import { decimalFromKey, normaliseInteger } from './numbers.js';
import { Char, Decimal, EdnDouble, EdnMap, EdnSet, EdnSymbol, isPlainObject, Keyword, Tagged } from './types.js';

/*
 * valueKey: the one notion of value equality in faultline. Every value has exactly one key, and two values are equal
 * iff their keys are (so keys serve as Map keys, state fingerprints and sort keys). The key is also a complete,
 * typed serialisation: decodeKey rebuilds an equal value, which is how values cross to worker threads (structured
 * clone would drop the classes of types.ts).
 *
 *   z nil · T true · F false · n<double>; · i<integer>; (beyond 2^53) · m<decimal>; · M<bigdecimal>; · d<EDN double>;
 *   s<len>:<chars> string · k keyword · y symbol · c char · t<len>:<tag><value> tagged
 *   [ … ] vector or list · #[ … ] set, elements sorted · { k v … } map, entries sorted by key
 *
 * Numbers are one kind whatever their JavaScript form: 2^60 as a double and as a bigint have one key; a Decimal
 * never equals a double, because readers make a Decimal only where no double holds the value. EDN doubles are a
 * kind of their own. Nesting depth is unbounded: both directions use an explicit stack, not recursion.
 */

function scalarKey(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return `s${v.length}:${v}`;
    case 'number':
      return Number.isInteger(v) && !Number.isSafeInteger(v) ? `i${BigInt(v)};` : `n${v};`;
    case 'bigint': {
      const n = normaliseInteger(v);
      return typeof n === 'number' ? `n${n};` : `i${n};`;
    }
    case 'boolean':
      return v ? 'T' : 'F';
    case 'undefined':
      return 'z';
    case 'object':
      if (v === null) return 'z';
      if (v instanceof Keyword) return `k${v.name.length}:${v.name}`;
      if (v instanceof EdnDouble) return `d${v.value};`;
      if (v instanceof Decimal) return `${v.bigDecimal ? 'M' : 'm'}${v.key};`;
      if (v instanceof EdnSymbol) return `y${v.name.length}:${v.name}`;
      if (v instanceof Char) return `c${v.char.length}:${v.char}`;
      return undefined;
    default:
      throw new TypeError(`a history value cannot be a ${typeof v}`);
  }
}

interface Frame {
  /** '[' vector, '#' set, '{' map, 't' tagged. */
  kind: string;
  items: readonly unknown[];
  next: number;
  parts: string[];
  prefix: string;
}

function frameOf(v: object): Frame {
  if (Array.isArray(v)) return { kind: '[', items: v, next: 0, parts: [], prefix: '' };
  if (v instanceof EdnSet) return { kind: '#', items: v.items, next: 0, parts: [], prefix: '' };
  if (v instanceof EdnMap) return { kind: '{', items: v.entries.flat(), next: 0, parts: [], prefix: '' };
  if (v instanceof Tagged) return { kind: 't', items: [v.value], next: 0, parts: [], prefix: `t${v.tag.length}:${v.tag}` };
  if (isPlainObject(v)) {
    const items: unknown[] = [];
    for (const k of Object.keys(v)) items.push(k, v[k]);
    return { kind: '{', items, next: 0, parts: [], prefix: '' };
  }
  throw new TypeError(`a history value cannot be a ${v.constructor?.name ?? 'object'}`);
}

function close(f: Frame): string {
  const p = f.parts;
  switch (f.kind) {
    case '[':
      return `[${p.join('')}]`;
    case '#':
      return `#[${[...new Set(p)].sort().join('')}]`;
    case 't':
      return f.prefix + p[0];
    default: {
      const pairs: string[] = [];
      for (let i = 0; i < p.length; i += 2) pairs.push(p[i] + p[i + 1]);
      // Keys are self-delimiting, so sorting the concatenations sorts by key.
      return `{${pairs.sort().join('')}}`;
    }
  }
}

/** The value's key (see above). Throws a TypeError for what no history can hold (a function, a Date…). */
export function valueKey(v: unknown): string {
  const s = scalarKey(v);
  if (s !== undefined) return s;
  if (Array.isArray(v) && v.length <= 8) {
    // The usual shape, [expected new] or [k v]: a short vector of scalars, without the stack.
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      const k = scalarKey(v[i]);
      if (k === undefined) return deepKey(v);
      out += k;
    }
    return `${out}]`;
  }
  return deepKey(v);
}

function deepKey(v: unknown): string {
  const stack: Frame[] = [frameOf(v as object)];
  for (;;) {
    const top = stack[stack.length - 1];
    if (top.next < top.items.length) {
      const x = top.items[top.next++];
      const k = scalarKey(x);
      if (k !== undefined) top.parts.push(k);
      else stack.push(frameOf(x as object));
      continue;
    }
    stack.pop();
    const done = close(top);
    if (stack.length === 0) return done;
    stack[stack.length - 1].parts.push(done);
  }
}

/** Value equality: as the history wrote them, whatever their JavaScript form (see valueKey). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = typeof a;
  // Distinct doubles have distinct keys; only NaN is unequal to itself in JavaScript and equal here.
  if (ta === 'number' && typeof b === 'number') return a !== a && b !== b;
  if (ta === typeof b && (ta === 'string' || ta === 'boolean')) return false;
  return valueKey(a) === valueKey(b);
}

/** A value with this key (equal to the one it was made from; sets come back in key order). */
export function decodeKey(key: string): unknown {
  let at = 0;
  // Each open collection: its kind, its items so far, and a tagged value's tag.
  const stack: { kind: string; items: unknown[]; tag?: string }[] = [];
  let result: unknown;
  const counted = () => {
    const colon = key.indexOf(':', at + 1);
    const len = Number(key.slice(at + 1, colon));
    const text = key.slice(colon + 1, colon + 1 + len);
    at = colon + 1 + len;
    return text;
  };
  const upTo = () => {
    const semi = key.indexOf(';', at);
    const text = key.slice(at + 1, semi);
    at = semi + 1;
    return text;
  };
  for (;;) {
    let v: unknown;
    let complete = true;
    const c = key[at];
    switch (c) {
      case 'z': v = null; at++; break;
      case 'T': v = true; at++; break;
      case 'F': v = false; at++; break;
      case 'n': v = Number(upTo()); break;
      case 'i': v = BigInt(upTo()); break;
      case 'd': v = new EdnDouble(Number(upTo())); break;
      case 'm': case 'M': v = decimalFromKey(upTo(), c === 'M'); break;
      case 's': v = counted(); break;
      case 'k': v = new Keyword(counted()); break;
      case 'y': v = new EdnSymbol(counted()); break;
      case 'c': v = new Char(counted()); break;
      case 't': stack.push({ kind: 't', items: [], tag: counted() }); complete = false; break;
      case '[': stack.push({ kind: '[', items: [] }); at++; complete = false; break;
      case '{': stack.push({ kind: '{', items: [] }); at++; complete = false; break;
      case '#': stack.push({ kind: '#', items: [] }); at += 2; complete = false; break;
      case ']': case '}': {
        at++;
        const f = stack.pop()!;
        v = f.kind === '[' ? f.items : f.kind === '#' ? new EdnSet(f.items) : mapOf(f.items);
        break;
      }
      default:
        throw new TypeError(`not a value key at ${at}: ${key.slice(at, at + 20)}`);
    }
    if (!complete) continue;
    // A tagged value closes as soon as its one value is read.
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) return (result = v);
      if (top.kind !== 't') {
        top.items.push(v);
        break;
      }
      stack.pop();
      v = new Tagged(top.tag!, v);
    }
  }
}

/** Entries back into a plain object when every key is a string (as JSON wrote it), else an EdnMap. */
function mapOf(flat: unknown[]): object {
  for (let i = 0; i < flat.length; i += 2) {
    if (typeof flat[i] !== 'string') {
      const entries: [unknown, unknown][] = [];
      for (let j = 0; j < flat.length; j += 2) entries.push([flat[j], flat[j + 1]]);
      return new EdnMap(entries);
    }
  }
  const o: Record<string, unknown> = {};
  // defineProperty: a key named __proto__ is data, not the prototype.
  for (let i = 0; i < flat.length; i += 2) Object.defineProperty(o, flat[i] as string, { value: flat[i + 1], enumerable: true, writable: true, configurable: true });
  return o;
}
