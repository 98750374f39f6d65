import { fmix32 } from '../fmix32.js';

/**
 * Lowe's memoisation for the Wing & Gong search: the set of configurations (linearized ops, model state) already
 * explored. A configuration is stored exactly, never as a bare hash (a hash collision would prune a branch that
 * might linearize, and turn "valid" into a wrong "invalid").
 *
 * Records live in one growable Uint32Array arena: [hash, state, okFrom, okLen, infoLen, ...okWords, ...infoWords]
 * (the hash is kept so that growing the table never needs to rebuild it).
 * The ok-op bitset is stored from its first word that is not all ones (everything before it is linearized: WGL
 * linearizes roughly in history order, so the prefix grows) to its last non-zero word, which keeps a record about
 * as small as the concurrency instead of the history length. Crashed (info) ops have their own bitset, trimmed of
 * trailing zero words. The encoding is a function of the set alone, so equal configurations give equal records.
 */
const HEADER = 5;

export class ConfigSet {
  private arena: Uint32Array;
  private used = 0;
  private slots: Int32Array; // record offset + 1; 0 = empty
  private tags: Uint32Array; // second hash, to reject most mismatches without touching the arena
  private mask: number;
  private count = 0;

  constructor(initialSlots = 1 << 6) {
    this.slots = new Int32Array(initialSlots);
    this.tags = new Uint32Array(initialSlots);
    this.mask = initialSlots - 1;
    this.arena = new Uint32Array(1 << 8);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table and the arena (what the memory budget is charged). */
  get bytes(): number {
    return this.slots.byteLength + this.tags.byteLength + this.arena.byteLength;
  }

  /**
   * Adds the configuration; returns false when it was already there. `h1`/`h2` are independent hashes of the
   * linearized set (Zobrist, maintained incrementally by the search); the state id is mixed in here.
   */
  add(h1: number, h2: number, state: number, ok: Uint32Array, okFrom: number, okTo: number, info: Uint32Array, infoLen: number): boolean {
    const tag = (h2 ^ Math.imul(state + 1, 0x85ebca6b)) >>> 0;
    const hash = mix(h1 ^ Math.imul(state + 1, 0x9e3779b1));
    let i = hash & this.mask;
    const okLen = okTo - okFrom;
    for (;;) {
      const s = this.slots[i];
      if (s === 0) break;
      if (this.tags[i] === tag && this.equals(s - 1, state, ok, okFrom, okLen, info, infoLen)) return false;
      i = (i + 1) & this.mask;
    }
    const need = HEADER + okLen + infoLen;
    if (this.used + need > this.arena.length) this.growArena(need);
    const at = this.used;
    const a = this.arena;
    a[at] = hash;
    a[at + 1] = state;
    a[at + 2] = okFrom;
    a[at + 3] = okLen;
    a[at + 4] = infoLen;
    a.set(ok.subarray(okFrom, okTo), at + HEADER);
    if (infoLen > 0) a.set(info.subarray(0, infoLen), at + HEADER + okLen);
    this.used += need;
    this.slots[i] = at + 1;
    this.tags[i] = tag;
    if (++this.count * 2 > this.slots.length) this.rehash();
    return true;
  }

  private equals(at: number, state: number, ok: Uint32Array, okFrom: number, okLen: number, info: Uint32Array, infoLen: number): boolean {
    const a = this.arena;
    if (a[at + 1] !== state || a[at + 2] !== okFrom || a[at + 3] !== okLen || a[at + 4] !== infoLen) return false;
    let p = at + HEADER;
    for (let w = 0; w < okLen; w++) if (a[p++] !== ok[okFrom + w]) return false;
    for (let w = 0; w < infoLen; w++) if (a[p++] !== info[w]) return false;
    return true;
  }

  private growArena(need: number): void {
    let n = this.arena.length * 2;
    while (n < this.used + need) n *= 2;
    const next = new Uint32Array(n);
    next.set(this.arena.subarray(0, this.used));
    this.arena = next;
  }

  /** Doubles the table; records stay where they are in the arena, only slots move. */
  private rehash(): void {
    const oldSlots = this.slots;
    const oldTags = this.tags;
    const n = oldSlots.length * 2;
    this.slots = new Int32Array(n);
    this.tags = new Uint32Array(n);
    this.mask = n - 1;
    for (let j = 0; j < oldSlots.length; j++) {
      const s = oldSlots[j];
      if (s === 0) continue;
      let i = this.arena[s - 1] & this.mask;
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.slots[i] = s;
      this.tags[i] = oldTags[j];
    }
  }
}

/** murmur3's finaliser: spreads Zobrist XORs over the low bits used as the slot index. */
export const mix = fmix32;
