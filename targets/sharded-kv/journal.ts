import type { DurableStorage } from '../../harness/node.js';

/**
 * What a shard saw that the report draws (observe.ts): the configurations it adopted, whom its detector suspected
 * and trusted again, and the hand-offs it finished. Kept in the shard's durable storage, so a shard killed and
 * restarted during the run still has its account at the end; times are the shard's clock (ms).
 */
export type ShardEvent =
  | { t: number; kind: 'epoch'; epoch: number; members: readonly string[]; moving: boolean }
  | { t: number; kind: 'suspect' | 'trust'; peer: string }
  | { t: number; kind: 'boot' }
  | { t: number; kind: 'handoff'; epoch: number; from: readonly string[]; members: readonly string[]; keys: number; moved: number };

export class Journal {
  readonly events: ShardEvent[];

  constructor(private readonly storage: DurableStorage) {
    const n = storage.get<number>('journal') ?? 0;
    this.events = Array.from({ length: n }, (_, i) => storage.get<ShardEvent>(`journal:${i}`)!);
  }

  /** One write per event (and the count): a long run's journal is never rewritten whole. */
  note(e: ShardEvent): void {
    this.storage.put(`journal:${this.events.length}`, e);
    this.events.push(e);
    this.storage.put('journal', this.events.length);
  }
}
