/** One entry of the log as the history records it: `[partition, offset, value]`, the offset a stream ID (`ms-seq`). */
export type Triple = [partition: number, offset: string, value: unknown];

/** An entry as Redis replies with it: its ID and its fields, flat (`['key', 'k7', 'value', '42']`). */
type RawEntry = [id: string, fields: string[] | null];

/**
 * The entry's `value` field as the history holds it: an integer, as the producer wrote it. Anything else (another
 * producer's entry on the user's Redis) is kept as the string it is, for the checker to refuse, never skipped.
 */
function valueOf(fields: string[] | null): unknown {
  if (fields === null) return null;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'value') return /^-?\d+$/.test(fields[i + 1]) ? Number(fields[i + 1]) : fields[i + 1];
  }
  return null;
}

function isRawEntry(e: unknown): e is RawEntry {
  return Array.isArray(e) && typeof e[0] === 'string' && (e[1] === null || Array.isArray(e[1]));
}

/** XRANGE's reply (and XAUTOCLAIM's second element) as triples of partition p. */
export function entriesOf(p: number, reply: unknown): Triple[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected entries reply: ${JSON.stringify(reply)}`);
  return reply.map((e) => {
    if (!isRawEntry(e)) throw new Error(`unexpected entry: ${JSON.stringify(e)}`);
    return [p, e[0], valueOf(e[1])];
  });
}

/**
 * XREAD's and XREADGROUP's reply (`[[stream, entries]…]`, or null for none) as triples, each stream's partition
 * found by its key.
 */
export function streamsOf(reply: unknown, partitionOfKey: ReadonlyMap<string, number>): Triple[] {
  if (reply === null) return [];
  if (!Array.isArray(reply)) throw new Error(`unexpected streams reply: ${JSON.stringify(reply)}`);
  return reply.flatMap((s: unknown) => {
    const p = Array.isArray(s) ? partitionOfKey.get(String(s[0])) : undefined;
    if (p === undefined) throw new Error(`unexpected stream in reply: ${JSON.stringify(s)}`);
    return entriesOf(p, (s as unknown[])[1]);
  });
}

/** Stream IDs in their order, (ms, seq) numerically: never as strings. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/** Triples by partition, each partition's in ascending offsets: the order one consumer read them in. */
export function inReadOrder(triples: readonly Triple[]): Triple[] {
  return [...triples].sort((x, y) => x[0] - y[0] || compareIds(x[1], y[1]));
}
