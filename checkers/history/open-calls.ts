import { historyError } from '../errors.js';
import type { Op } from './op.js';

/** What `get` says of a process that got `info`: it is retired and never issues again (Jepsen). */
const RETIRED = -2;

/**
 * Process → the id of its call in flight (-1: none), and Jepsen's rules of pairing each completion with its
 * invocation (`pair`), for Calls and the Completer alike: a typed array for the usual small process ids, a Map
 * past them, so a million ops make no million entries. The caller names its calls by ids and says, for the
 * errors, what function each invoked and on which line.
 */
export class OpenCalls {
  /** Process → the line of the info that retired it. */
  private readonly retired = new Map<number, number>();

  constructor(
    private readonly source: string | undefined,
    private readonly fOf: (id: number) => string,
    private readonly lineOf: (id: number) => number,
  ) {}

  /**
   * Pairs a client op: an invocation opens call `id` and gives -1; a completion closes its process's call and gives
   * that call's id. An ill-formed history is an InputError naming `line`: a second invocation while one is in flight,
   * a completion with none in flight or of another function, and any op of a process after its info.
   */
  pair(op: Op, id: number, line: number): number {
    const p = op.process as number;
    const c = this.get(p);
    const fail = (what: string) => historyError(this.source, line, `process ${p} ${what}`);
    if (c === RETIRED) {
      const what = op.type === 'invoke' ? `invokes ${op.f}` : `completes ${op.f} (${op.type})`;
      throw fail(`${what} after its info at line ${this.retired.get(p)}: a process that got info never issues again (a fresh process id takes its place)`);
    }
    if (op.type === 'invoke') {
      if (c >= 0) throw fail(`invokes ${op.f} while its ${this.fOf(c)} from line ${this.lineOf(c)} is still pending`);
      this.set(p, id);
      return -1;
    }
    if (c < 0) throw fail(`completes ${op.f} (${op.type}) with no pending invocation`);
    if (this.fOf(c) !== op.f) throw fail(`completes ${op.f} but invoked ${this.fOf(c)} at line ${this.lineOf(c)}`);
    if (op.type === 'info') {
      this.set(p, RETIRED);
      this.retired.set(p, line);
    } else {
      this.set(p, -1);
    }
    return c;
  }

  private dense = new Int32Array(64).fill(-1);
  private readonly other = new Map<number, number>();

  private get(p: number): number {
    if (p >= 0 && p < this.dense.length) return this.dense[p];
    return this.other.get(p) ?? -1;
  }

  private set(p: number, c: number): void {
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
