/** What OpenCalls.get says of a process that got `info`: it is retired and never issues again (Jepsen). */
export const RETIRED = -2;

/**
 * Process → the index of its call in flight (-1: none; RETIRED after an info), for Calls and the Completer, which
 * pair each completion with its invocation in one pass: a typed array for the usual small process ids, a Map past
 * them, so a million ops make no million entries. `retiredAt` keeps the line of each info.
 */
export class OpenCalls {
  private readonly retired = new Map<number, number>();

  /** Marks process p retired by the info on `line`. */
  retire(p: number, line: number): void {
    this.set(p, RETIRED);
    this.retired.set(p, line);
  }

  /** The line of the info that retired p. */
  retiredAt(p: number): number {
    return this.retired.get(p) ?? 0;
  }

  private dense = new Int32Array(64).fill(-1);
  private readonly other = new Map<number, number>();

  get(p: number): number {
    if (p >= 0 && p < this.dense.length) return this.dense[p];
    return this.other.get(p) ?? -1;
  }

  set(p: number, c: number): void {
    if (p >= 0 && p < 1 << 20) {
      if (p >= this.dense.length) {
        const grown = new Int32Array(Math.max(2 * this.dense.length, p + 1)).fill(-1);
        grown.set(this.dense);
        this.dense = grown;
      }
      this.dense[p] = c;
    } else if (c === -1) this.other.delete(p);
    else this.other.set(p, c);
  }
}
