/**
 * Integer → int32, the table the checkers index things by (a process's call in flight, a transfer's slot, an
 * element's best add): a typed array for the small non-negative keys, a Map past them. Histories number their
 * processes, transfers and elements 0, 1, 2, …, so nearly every look-up is one typed-array read, and a million
 * entries make no million objects; a key past `limit` (or negative, or not an integer) costs a Map entry.
 *
 * Every key starts as `absent`. Setting a Map key to `absent` deletes it, so the Map holds only what is set.
 */
export class IntTable {
  private dense: Int32Array;
  private readonly other = new Map<number, number>();

  /**
   * `size`: the typed array's first length. `limit`: keys below it are kept in the typed array, which grows (by
   * doubling) to hold them; by default `size`, a table that never grows.
   */
  constructor(
    readonly absent: number,
    size: number,
    private readonly limit = size,
  ) {
    this.dense = new Int32Array(Math.min(size, limit)).fill(absent);
  }

  get(k: number): number {
    // `(k | 0) === k`: an integer in int32 range; a fraction or 2^40 must not reach the typed array.
    if ((k | 0) === k && k >= 0 && k < this.dense.length) return this.dense[k];
    return this.other.get(k) ?? this.absent;
  }

  set(k: number, v: number): void {
    if ((k | 0) === k && k >= 0 && k < this.limit) {
      if (k >= this.dense.length) this.grow(k);
      this.dense[k] = v;
    } else if (v === this.absent) {
      this.other.delete(k);
    } else {
      this.other.set(k, v);
    }
  }

  /** Every key not `absent`, with its value: the typed array's in ascending order, then the Map's as set. */
  forEach(fn: (v: number, k: number) => void): void {
    const d = this.dense;
    for (let k = 0; k < d.length; k++) if (d[k] !== this.absent) fn(d[k], k);
    this.other.forEach(fn);
  }

  private grow(k: number): void {
    const grown = new Int32Array(Math.min(this.limit, Math.max(2 * this.dense.length, k + 1))).fill(this.absent);
    grown.set(this.dense);
    this.dense = grown;
  }
}
