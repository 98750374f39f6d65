import type { DurableStorage } from '../../harness/node.js';
import type { Entry } from './messages.js';

/**
 * One broker's copy of one partition: the entries (durable, as Kafka's segments), the high watermark (durable, as
 * Kafka's checkpoint file, so a restarted broker knows what was committed), and the producers' last sequences, which
 * make a retried send land once (Kafka's idempotent producer: the state is rebuilt from the log itself, so a new
 * leader knows what its predecessor appended).
 */
export class PartitionLog {
  readonly entries: Entry[] = [];
  hw: number;
  /** producer → (seq → offset) of what the log holds. */
  private producers = new Map<string, Map<number, number>>();

  constructor(
    private readonly storage: DurableStorage,
    readonly partition: number,
  ) {
    const length = storage.get<number>(this.key('length')) ?? 0;
    for (let o = 0; o < length; o++) this.entries.push(storage.get<Entry>(this.key(`e${o}`))!);
    this.hw = Math.min(length, storage.get<number>(this.key('hw')) ?? 0);
    this.reindex();
  }

  private key(k: string): string {
    return `p${this.partition}:${k}`;
  }

  /** The log end offset (LEO): the next offset to be written. */
  get end(): number {
    return this.entries.length;
  }

  /** The epoch of the entry at offset - 1 (0 before the first). */
  epochBefore(offset: number): number {
    return offset === 0 ? 0 : (this.entries[offset - 1]?.epoch ?? -1);
  }

  /** Where epoch `epoch` ends in this log: the first offset of a later epoch, or the end (Kafka's OffsetsForLeaderEpoch). */
  endOfEpoch(epoch: number): number {
    const i = this.entries.findIndex((e) => e.epoch > epoch);
    return i === -1 ? this.end : i;
  }

  append(entries: readonly Entry[]): void {
    for (const e of entries) {
      this.storage.put(this.key(`e${this.entries.length}`), e);
      this.entries.push(e);
      this.index(e, this.entries.length - 1);
    }
    this.storage.put(this.key('length'), this.entries.length);
  }

  /** Cuts the log back to `offset` (entries from it on are gone); the high watermark cannot stay past the end. */
  truncate(offset: number): void {
    if (offset >= this.end) return;
    this.entries.length = offset;
    this.storage.put(this.key('length'), offset);
    if (this.hw > offset) this.setHw(offset);
    this.reindex();
  }

  setHw(hw: number): void {
    this.hw = hw;
    this.storage.put(this.key('hw'), hw);
  }

  /** The offset of a producer's send with this sequence, if the log holds it. */
  offsetOf(producer: string, seq: number): number | undefined {
    return this.producers.get(producer)?.get(seq);
  }

  private index(e: Entry, offset: number): void {
    let m = this.producers.get(e.producer);
    if (!m) this.producers.set(e.producer, (m = new Map()));
    m.set(e.seq, offset);
  }

  private reindex(): void {
    this.producers = new Map();
    this.entries.forEach((e, o) => this.index(e, o));
  }
}
