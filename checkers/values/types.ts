/*
 * The values a history can hold beyond what JSON gives JavaScript. JSON lines need only exact numbers (bigint, and
 * Decimal for a literal no double holds); EDN histories keep their EDN types, because Knossos tells them apart:
 * `:a` is not "a", `\a` is not "a", `1.0` is not `1`, `#{1 2}` is `#{2 1}` but not `[1 2]`.
 *
 * Every kind is a small immutable class, so `instanceof` tells them apart cheaply; equality and hashing of all
 * values go through valueKey (key.ts), never through these objects' identity.
 */

/** An EDN keyword, `:name` (or `:ns/name`). */
export class Keyword {
  constructor(readonly name: string) {}
}

/** An EDN symbol, `name` (not nil, true or false). */
export class EdnSymbol {
  constructor(readonly name: string) {}
}

/** An EDN character literal, `\a`: one character (a code point). */
export class Char {
  constructor(readonly char: string) {}
}

/** An EDN floating-point number: a double in Clojure, never equal to an integer (`1.0` is not `1`). */
export class EdnDouble {
  constructor(readonly value: number) {}
}

/**
 * An exact decimal number that no double holds as written (JSON's `1e-400` or `0.10000000000000000001`) or an
 * EDN BigDecimal (`1.5M`). `key` is the normalised value (digits without leading or trailing zeros, exponent), so
 * `1.50M` equals `1.5M`; `text` is how it reads in evidence.
 */
export class Decimal {
  constructor(
    readonly key: string,
    readonly text: string,
    /** An EDN BigDecimal (shown with its `M`). */
    readonly bigDecimal: boolean,
  ) {}
}

/** An EDN set, `#{…}`: equal to another set with the same elements in any order. */
export class EdnSet {
  constructor(readonly items: readonly unknown[]) {}
}

/** An EDN map whose keys are not all strings (`{:x 1}`); a map with string keys only is a plain object. */
export class EdnMap {
  constructor(readonly entries: ReadonlyArray<readonly [unknown, unknown]>) {}
}

/** An EDN tagged literal other than the op records, e.g. `#inst "2020-01-01"`, `#uuid "…"`. */
export class Tagged {
  constructor(
    readonly tag: string,
    readonly value: unknown,
  ) {}
}

/** A plain JSON-style object (a map with string keys), as JSON.parse makes them. */
export function isPlainObject(v: object): v is Record<string, unknown> {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** The name of a keyword, symbol or string (EDN histories name things with keywords, JSON ones with strings). */
export function nameOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Keyword || v instanceof EdnSymbol) return v.name;
  return undefined;
}
