import { mix } from './memo.js';

/**
 * State ids by a 32-bit hash of the state, for models that give `hash` and `equals`: open addressing over typed
 * arrays. Ids whose states share a hash sit in the same probe run; the caller's exact equality decides, never the
 * hash alone (a collision taken for equality would merge two states and could turn a violation into a pass).
 * A Map from hash to id lists did the same at several times the cost: with kv's appends nearly every step makes a
 * new state, so this lookup runs once per step.
 */
export class StateIndex {
  private slots = new Int32Array(1 << 8); // id + 1; 0 = empty
  private hashes = new Int32Array(1 << 8); // by id: each state's hash, for rehashing
  private mask = (1 << 8) - 1;
  private count = 0;

  get bytes(): number {
    return this.slots.byteLength + this.hashes.byteLength;
  }

  /** The id of a state in `states` with hash `h` that `equals` finds equal to `s`, or -1. */
  find<S>(h: number, s: S, states: readonly S[], equals: (a: S, b: S) => boolean): number {
    const { slots, hashes, mask } = this;
    for (let i = mix(h) & mask; ; i = (i + 1) & mask) {
      const id = slots[i] - 1;
      if (id < 0) return -1;
      if (hashes[id] === h && equals(states[id], s)) return id;
    }
  }

  /** Records state `id` (the next id: ids are dense from 0) under hash `h`. */
  add(h: number, id: number): void {
    if (id >= this.hashes.length) {
      const grown = new Int32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[id] = h;
    this.place(id);
    if (++this.count * 2 > this.slots.length) this.rehash();
  }

  private place(id: number): void {
    const { slots, mask } = this;
    let i = mix(this.hashes[id]) & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = id + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let id = 0; id < this.count; id++) this.place(id);
  }
}
