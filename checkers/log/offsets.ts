/**
 * A position in one partition of a log, as the target acknowledged or read it: a dense integer offset (a Kafka-style
 * log, replicated-log) or a Redis stream entry ID "<ms>-<seq>" (redis-stream). IDs are ordered by (ms, seq) as
 * numbers: '9-0' < '10-0', which string order gets wrong, and a seq of 2^64 - 1 is beyond a float's exact range, so
 * every comparison goes through BigInt.
 */
export type Offset = number | string;

/** The two kinds of offset: within one partition every offset is of one kind. */
export type OffsetKind = 'integer' | 'stream ID';

const STREAM_ID = /^(\d+)-(\d+)$/;
/** Room for a whole 64-bit sequence number below the milliseconds: (ms, seq) as one ordered BigInt. */
const SEQ_BITS = 64n;

/** The kind of a value that is an offset, or undefined for anything else (a negative or fractional number, "1.5"). */
export function offsetKind(v: unknown): OffsetKind | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? 'integer' : undefined;
  if (typeof v === 'string') return STREAM_ID.test(v) ? 'stream ID' : undefined;
  return undefined;
}

/** An offset as one BigInt in its partition's order (the caller has checked it is an offset, of one kind per partition). */
export function offsetOrder(o: Offset): bigint {
  if (typeof o === 'number') return BigInt(o);
  const m = STREAM_ID.exec(o)!;
  return (BigInt(m[1]) << SEQ_BITS) | BigInt(m[2]);
}

/** Compares two offsets of one partition: negative, zero or positive. */
export function compareOffsets(a: Offset, b: Offset): number {
  const x = offsetOrder(a);
  const y = offsetOrder(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A (partition, offset) position as a map key: stream IDs and integers never collide (a partition has one kind). */
export const positionKey = (partition: number, offset: Offset) => `${partition}:${String(offset)}`;

/**
 * The offsets of one partition that any op saw (acknowledged or read), in order: what a skip is judged against
 * (stream IDs are not dense, so a skip is only an offset someone saw between two a consumer read in a row) and what a
 * stream ID is plotted by (its rank).
 */
export class SeenOffsets {
  private readonly orders: bigint[];
  readonly offsets: Offset[];

  constructor(offsets: Iterable<Offset>) {
    const byOrder = new Map<bigint, Offset>();
    for (const o of offsets) byOrder.set(offsetOrder(o), o);
    this.orders = [...byOrder.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.offsets = this.orders.map((k) => byOrder.get(k)!);
  }

  /** The rank of a seen offset (0: the first), by binary search. */
  rank(o: Offset): number {
    const k = offsetOrder(o);
    let lo = 0;
    let hi = this.orders.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.orders[mid] < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The offsets seen strictly between a and b (a < b), in order. */
  between(a: Offset, b: Offset): Offset[] {
    const from = this.rank(a) + (this.has(a) ? 1 : 0);
    return this.offsets.slice(from, this.rank(b));
  }

  has(o: Offset): boolean {
    const i = this.rank(o);
    return i < this.orders.length && this.orders[i] === offsetOrder(o);
  }
}
