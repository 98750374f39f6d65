/**
 * A binary min-heap ordered by (time, seq): the simulator's event queue. `seq` (insertion order) breaks time ties,
 * so the order events pop in — and therefore the history — depends only on the seed.
 */
export interface Timed {
  time: number;
  seq: number;
}

export class EventHeap<T extends Timed> {
  private xs: T[] = [];

  get size(): number {
    return this.xs.length;
  }

  /** The next event, without removing it. */
  peek(): T | undefined {
    return this.xs[0];
  }

  push(x: T): void {
    const xs = this.xs;
    xs.push(x);
    let i = xs.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(xs[i], xs[parent])) break;
      [xs[i], xs[parent]] = [xs[parent], xs[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const xs = this.xs;
    const top = xs[0];
    const last = xs.pop();
    if (xs.length > 0 && last !== undefined) {
      xs[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < xs.length && before(xs[l], xs[m])) m = l;
        if (r < xs.length && before(xs[r], xs[m])) m = r;
        if (m === i) break;
        [xs[i], xs[m]] = [xs[m], xs[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
