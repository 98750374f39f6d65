import { mix } from './memo.js';

/**
 * (state, op) → the state after, for states past the dense table: open addressing over typed arrays. A Map with
 * number keys did the same at several times the cost, and the search asks once per step. Keys are state · n + op,
 * exact in a double up to 2^53; -1 marks an empty slot.
 */
export class TransitionTable {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initial = 1 << 8) {
    this.keys = new Float64Array(initial).fill(-1);
    this.values = new Int32Array(initial);
    this.mask = initial - 1;
  }

  get bytes(): number {
    return this.keys.byteLength + this.values.byteLength;
  }

  /** The value for `key`, or undefined. */
  get(key: number): number | undefined {
    const keys = this.keys;
    for (let i = this.slot(key); ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === key) return this.values[i];
      if (k === -1) return undefined;
    }
  }

  set(key: number, value: number): void {
    const keys = this.keys;
    let i = this.slot(key);
    while (keys[i] !== -1 && keys[i] !== key) i = (i + 1) & this.mask;
    if (keys[i] === -1) this.count++;
    keys[i] = key;
    this.values[i] = value;
    if (this.count * 2 > keys.length) this.grow();
  }

  private slot(key: number): number {
    // The low and high 32 bits both matter once keys pass 2^32.
    return mix((key | 0) ^ Math.imul((key / 4294967296) | 0, 0x9e3779b1)) & this.mask;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.values = new Int32Array(keys.length * 2);
    this.mask = keys.length * 2 - 1;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1) this.set(keys[i], values[i]);
  }
}
