/**
 * A tiny seeded PRNG (mulberry32): everything random in a run (network delays, fault schedules, simulated
 * histories) is a pure function of the seed, so a run can be replayed exactly. Math.random is never used.
 */
export class Rng {
  private s: number;

  constructor(seed: number) {
    // Any integer (negative, > 2^32) is folded to 32 bits; mulberry32 has no bad seeds, 0 included.
    this.s = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}
