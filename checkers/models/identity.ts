import { inspect } from 'node:util';
import { show } from '../values/show.js';
import { Char, Decimal, EdnDouble, EdnMap, EdnSet, EdnSymbol, isPlainObject, Keyword, Tagged } from '../values/types.js';
import type { Model } from './model.js';

/*
 * When two states of a model are the same, for a model that does not say (no fingerprint, no equals): the defaults
 * behind Porcupine's minimal `Model`. Taking two states for one that a step could tell apart would let the search
 * carry one's transitions over to the other, and could turn a violation into a pass; taking one state for two only
 * costs the search a merge. So the default errs one way only: whatever it cannot see into is compared by identity,
 * and whatever it is unsure of (a structure too deep, or cyclic) is unequal.
 */

/** How the search tells states apart: an exact key, or a hash with an equality that settles every collision. */
export type StateIdentity<S> = { fingerprint: (s: S) => string | number } | { hash: (s: S) => number; equals: (a: S, b: S) => boolean };

export function stateIdentity<S>(model: Model<S>): StateIdentity<S> {
  const { fingerprint, hash, equals } = model;
  if (fingerprint) return { fingerprint };
  return { hash: hash ?? structuralHash, equals: equals ?? strictEquals };
}

/** Deeper than this (or cyclic) a structure is taken as unequal to any other: safe, at the cost of a merge. */
const MAX_DEPTH = 1000;
/** The hash looks at this many nodes of a state at most; equals decides the rest. */
const HASH_NODES = 4096;

/**
 * Strict structural equality: primitives by Object.is (so 0 and -0 differ, NaN is NaN, undefined is not null);
 * arrays (holes too), plain objects (their own enumerable string keys), Maps and Sets by their entries in their own
 * order, since a step may look at that order; a Date by its time; any other object (a class instance, whose private
 * fields and closures cannot be seen) by identity.
 */
export function strictEquals(a: unknown, b: unknown): boolean {
  const left: unknown[] = [a];
  const right: unknown[] = [b];
  const depths: number[] = [0];
  while (left.length > 0) {
    const x = left.pop();
    const y = right.pop();
    const d = depths.pop()!;
    if (Object.is(x, y)) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (d >= MAX_DEPTH || Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
    const push = (u: unknown, v: unknown) => {
      left.push(u);
      right.push(v);
      depths.push(d + 1);
    };
    if (Array.isArray(x)) {
      const ys = y as unknown[];
      if (x.length !== ys.length) return false;
      for (let i = 0; i < x.length; i++) {
        if ((i in x) !== (i in ys)) return false;
        push(x[i], ys[i]);
      }
    } else if (x instanceof Map) {
      const ys = y as Map<unknown, unknown>;
      if (x.size !== ys.size) return false;
      const ky = ys.keys();
      for (const [k, v] of x) {
        const k2 = ky.next().value;
        // Keys are Map keys: the same key is the same value (SameValueZero), compared here by the entry order.
        if (!(k === k2 || (k !== k && k2 !== k2))) return false;
        push(v, ys.get(k2));
      }
    } else if (x instanceof Set) {
      const ys = y as Set<unknown>;
      if (x.size !== ys.size) return false;
      const vy = ys.values();
      for (const v of x) {
        const v2 = vy.next().value;
        if (!(v === v2 || (v !== v && v2 !== v2))) return false;
      }
    } else if (x instanceof Date) {
      if (!Object.is(x.getTime(), (y as Date).getTime())) return false;
    } else if (isPlainObject(x)) {
      const kx = Object.keys(x);
      const ky = Object.keys(y);
      if (kx.length !== ky.length) return false;
      for (let i = 0; i < kx.length; i++) {
        if (kx[i] !== ky[i]) return false;
        push(x[kx[i]], (y as Record<string, unknown>)[ky[i]]);
      }
    } else {
      return false; // not the same object (Object.is above), and not one to look into
    }
  }
  return true;
}

const FLOAT = new Float64Array(1);
const WORDS = new Int32Array(FLOAT.buffer);

function combine(h: number, x: number): number {
  return (Math.imul(h ^ x, 0x01000193) + 0x9e3779b9) | 0;
}

function stringHash(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return combine(h, s.length);
}

/**
 * A hash that agrees with strictEquals (states it finds equal hash alike), looking at HASH_NODES nodes at most.
 * Objects compared by identity hash by their kind alone; equals tells them apart.
 */
export function structuralHash(s: unknown): number {
  let h = 0x811c9dc5;
  const work: unknown[] = [s];
  for (let nodes = 0; work.length > 0 && nodes < HASH_NODES; nodes++) {
    const x = work.pop();
    switch (typeof x) {
      case 'number':
        FLOAT[0] = x;
        h = combine(combine(h, 1), WORDS[0] ^ WORDS[1]);
        break;
      case 'string':
        h = stringHash(combine(h, 2), x);
        break;
      case 'boolean':
        h = combine(h, x ? 3 : 4);
        break;
      case 'undefined':
        h = combine(h, 5);
        break;
      case 'bigint':
        h = stringHash(combine(h, 6), x.toString(36));
        break;
      case 'object':
        if (x === null) h = combine(h, 7);
        else if (Array.isArray(x)) {
          h = combine(combine(h, 8), x.length);
          for (let i = x.length - 1; i >= 0; i--) work.push(x[i]);
        } else if (x instanceof Map) {
          h = combine(combine(h, 9), x.size);
          for (const [k, v] of x) work.push(v, k);
        } else if (x instanceof Set) {
          h = combine(combine(h, 10), x.size);
          for (const v of x) work.push(v);
        } else if (x instanceof Date) {
          h = combine(h, 11);
          work.push(x.getTime());
        } else if (isPlainObject(x)) {
          const keys = Object.keys(x);
          h = combine(combine(h, 12), keys.length);
          for (let i = keys.length - 1; i >= 0; i--) work.push(x[keys[i]], keys[i]);
        } else h = combine(h, 13);
        break;
      default:
        h = combine(h, 14); // a symbol or a function: by identity
    }
  }
  return h;
}

/**
 * How a state reads in evidence when the model does not say: as a history value (`show`) when it is one, else as
 * Node prints it (a Map, a class instance; `show` knows neither, nor a cycle).
 */
export function describeStateDefault(s: unknown): string {
  return isValue(s) ? show(s) : inspect(s, { breakLength: Infinity, depth: 4 });
}

/** True when `v` is made of what history values are made of, without cycles. */
function isValue(v: unknown): boolean {
  const seen = new Set<object>();
  const work: unknown[] = [v];
  while (work.length > 0) {
    const x = work.pop();
    if (typeof x === 'function' || typeof x === 'symbol') return false;
    if (typeof x !== 'object' || x === null) continue;
    if (seen.has(x)) return false;
    seen.add(x);
    if (Array.isArray(x)) work.push(...x);
    else if (x instanceof EdnSet) work.push(...x.items);
    else if (x instanceof EdnMap) work.push(...x.entries.flat());
    else if (x instanceof Tagged) work.push(x.value);
    else if (isPlainObject(x)) work.push(...Object.values(x));
    else if (!(x instanceof Keyword || x instanceof EdnSymbol || x instanceof Decimal || x instanceof Char || x instanceof EdnDouble)) return false;
  }
  return true;
}
