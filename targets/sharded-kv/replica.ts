import type { DurableStorage } from '../../harness/node.js';

/**
 * A value's version: a counter the key's primary raises with each write, and the primary's id to order two writes of
 * one counter (there are none in the correct protocol, where one primary writes a key per epoch; the buggy ones can
 * have two). Compared lexicographically, as ABD's timestamps (Attiya, Bar-Noy, Dolev) are.
 */
export type Version = readonly [counter: number, writer: string];

export const ZERO: Version = [0, ''];

export function compareVersions(a: Version, b: Version): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** A key's copy on a replica: the value and the version that wrote it (the register's initial nil is ZERO). */
export interface Stored {
  readonly version: Version;
  readonly value: unknown;
}

export const NIL: Stored = { version: ZERO, value: null };

/**
 * The keys a shard holds, written through to durable storage before any acknowledgement: a killed node comes back
 * with every value it acknowledged. A put keeps the newer version (an older one arriving late changes nothing).
 */
export class Replica {
  private readonly data = new Map<string, Stored>();

  constructor(private readonly storage: DurableStorage) {
    for (const k of storage.get<string[]>('keys') ?? []) this.data.set(k, storage.get<Stored>(`d:${k}`)!);
  }

  get(key: string): Stored {
    return this.data.get(key) ?? NIL;
  }

  /** Stores the value if its version is newer than the one held; true when it did. */
  put(key: string, s: Stored): boolean {
    if (compareVersions(s.version, this.get(key).version) <= 0) return false;
    const isNew = !this.data.has(key);
    this.data.set(key, s);
    this.storage.put(`d:${key}`, s);
    if (isNew) this.storage.put('keys', [...this.data.keys()]);
    return true;
  }

  /** Every key held, with its copy: what a hand-off sends. */
  entries(): [string, Stored][] {
    return [...this.data];
  }

  /** Forgets every key (a joiner of the no-handoff bug starts empty even if it held keys before). */
  clear(): void {
    this.data.clear();
    this.storage.put('keys', []);
  }
}
