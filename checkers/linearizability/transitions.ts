import { mix } from './memo.js';

/** The cache stops growing at this many entries (1.5 MiB) and overwrites from then on. */
const MAX_ENTRIES = 1 << 17;
/** It grows only while it earns it: at least one hit so far per this many entries held. */
const WORTH = 16;

/**
 * (state, op) → the state after, for states past the dense table: a direct-mapped cache over typed arrays. It is a
 * cache, not a table: a new entry overwrites whatever shared its slot, and a miss only means the model's step runs
 * again (transitions are pure). It grows with use, while it is hit, up to MAX_ENTRIES. On Porcupine's kv histories, where
 * each order of appends is a state of its own, about 1 % of the entries were ever asked again, and growing a
 * complete table without bound took a tenth of the search's time; a bounded cache costs a probe and no more.
 * Keys are state · n + op, exact in a double up to 2^53; -1 marks an empty slot.
 */
export class TransitionTable {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;
  private hits = 0;

  constructor(initial = 1 << 8) {
    this.keys = new Float64Array(initial).fill(-1);
    this.values = new Int32Array(initial);
    this.mask = initial - 1;
  }

  get bytes(): number {
    return this.keys.byteLength + this.values.byteLength;
  }

  /** The value for `key`, or undefined when it is not (or no longer) cached. */
  get(key: number): number | undefined {
    const i = this.slot(key);
    if (this.keys[i] !== key) return undefined;
    this.hits++;
    return this.values[i];
  }

  set(key: number, value: number): void {
    const i = this.slot(key);
    if (this.keys[i] === -1 && ++this.count * 2 > this.keys.length && this.keys.length < MAX_ENTRIES && this.hits * WORTH >= this.count) {
      this.grow();
      this.set(key, value);
      return;
    }
    this.keys[i] = key;
    this.values[i] = value;
  }

  private slot(key: number): number {
    // The low and high 32 bits both matter once keys pass 2^32.
    return mix((key | 0) ^ Math.imul((key / 4294967296) | 0, 0x9e3779b1)) & this.mask;
  }

  /** Doubles the cache; an entry whose new slot is taken is dropped (a cache may forget). */
  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.values = new Int32Array(keys.length * 2);
    this.mask = keys.length * 2 - 1;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === -1) continue;
      const j = this.slot(keys[i]);
      if (this.keys[j] === -1) this.count++;
      this.keys[j] = keys[i];
      this.values[j] = values[i];
    }
  }
}
