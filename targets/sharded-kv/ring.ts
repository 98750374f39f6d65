import { fmix32 } from '../../checkers/fmix32.js';

/**
 * Where a key lives in the sharded store: consistent hashing (Karger et al. 1997) with virtual nodes and Dynamo's
 * preference list (DeCandia et al. 2007, §4.2–4.3), and beside it the seed code's `hash % n` placement, the
 * instructive bug: adding or removing one member moves almost every key. Pure: no clock, no randomness, no I/O.
 */

/** Virtual nodes per member in the target: max/mean keys per member 1.15 at 5 members, 1.10 at 10 (BENCHMARKS.md). */
export const DEFAULT_VNODES = 128;

/**
 * A history key as the ring hashes it: its canonical JSON text (keys are usually small integers or strings), so
 * the key 1 and the key "1" land in different places, and an object key's field order does not matter.
 */
export function keyText(key: unknown): string {
  return canonical(key);
}

function canonical(v: unknown): string {
  if (v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol') return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  const fields = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`);
  return `{${fields.join(',')}}`;
}

/**
 * MurmurHash3's 32-bit x86 variant (Austin Appleby, public domain), seed 0, over the text's UTF-8 bytes, which
 * are encoded on the fly (no buffer per call). Stable across runs and machines; fmix32 at the end gives the
 * avalanche a ring needs (`${member}#${i}` differ in one or two characters).
 */
export function hash32(text: string): number {
  let h = 0;
  let block = 0; // bytes accumulated little-endian
  let filled = 0; // how many of them (0–3)
  let length = 0;
  const push = (byte: number) => {
    block |= byte << (filled * 8);
    length++;
    if (++filled === 4) {
      h ^= mixK(block);
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
      block = 0;
      filled = 0;
    }
  };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    // A lone surrogate is encoded as U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) push(c);
    else if (c < 0x800) {
      push(0xc0 | (c >> 6));
      push(0x80 | (c & 63));
    } else if (c < 0x10000) {
      push(0xe0 | (c >> 12));
      push(0x80 | ((c >> 6) & 63));
      push(0x80 | (c & 63));
    } else {
      push(0xf0 | (c >> 18));
      push(0x80 | ((c >> 12) & 63));
      push(0x80 | ((c >> 6) & 63));
      push(0x80 | (c & 63));
    }
  }
  if (filled > 0) h ^= mixK(block);
  h ^= length;
  return fmix32(h);
}

function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}


/** How keys are placed: the owners of a key (its preference list, `replication` distinct members, the first is the primary) for a membership. */
export interface Placement {
  readonly name: string;
  owners(members: readonly string[], key: unknown, replication: number): string[];
}

/** A membership's ring: its points in clockwise order, and for each the index of the member it belongs to. */
interface Ring {
  members: string[];
  points: Uint32Array;
  owner: Uint32Array;
}

/** Rings kept per consistent-hashing placement: memberships change a few times a test, so a handful suffice. */
const RING_CACHE = 16;

/**
 * Consistent hashing: each member has `vnodes` points on a 2^32 ring at hash32(`${member}#${i}`); a key's owners
 * are the first `replication` DISTINCT members met walking clockwise from hash32(keyText(key)), wrapping around
 * (Dynamo's preference list skips further points of a member already chosen). Members are sorted and deduplicated
 * first, so the answer does not depend on the order given; two points on the same hash are ordered by member name.
 * If replication > members, every member is returned, in walk order.
 */
export function consistentHashing(vnodes: number): Placement {
  if (!Number.isInteger(vnodes) || vnodes < 1) throw new RangeError(`consistentHashing: vnodes must be a positive integer, got ${vnodes}`);
  // Keyed by the sorted members joined with NUL (which a member name does not hold); oldest ring evicted first.
  const rings = new Map<string, Ring>();
  const ringOf = (members: readonly string[]): Ring => {
    const sorted = [...new Set(members)].sort();
    const id = sorted.join('\0');
    let ring = rings.get(id);
    if (ring === undefined) {
      ring = build(sorted, vnodes);
      if (rings.size >= RING_CACHE) rings.delete(rings.keys().next().value as string);
      rings.set(id, ring);
    }
    return ring;
  };
  return {
    name: `consistent-hashing(${vnodes})`,
    owners(members, key, replication) {
      if (members.length === 0 || replication < 1) return [];
      const ring = ringOf(members);
      const want = Math.min(replication, ring.members.length);
      const { points, owner } = ring;
      let i = firstAtOrAfter(points, hash32(keyText(key)));
      const out: string[] = [];
      const taken = new Uint8Array(ring.members.length);
      for (let step = 0; step < points.length && out.length < want; step++, i++) {
        if (i === points.length) i = 0;
        const m = owner[i];
        if (taken[m] === 0) {
          taken[m] = 1;
          out.push(ring.members[m]);
        }
      }
      return out;
    },
  };
}

function build(members: string[], vnodes: number): Ring {
  const n = members.length * vnodes;
  const hashes = new Float64Array(n);
  const order = new Uint32Array(n);
  for (let m = 0; m < members.length; m++)
    for (let v = 0; v < vnodes; v++) {
      hashes[m * vnodes + v] = hash32(`${members[m]}#${v}`);
      order[m * vnodes + v] = m * vnodes + v;
    }
  // Members are sorted, so on a tie of hashes the lower index is the lower member name: deterministic.
  order.sort((a, b) => hashes[a] - hashes[b] || a - b);
  const points = new Uint32Array(n);
  const owner = new Uint32Array(n);
  for (let j = 0; j < n; j++) {
    points[j] = hashes[order[j]];
    owner[j] = Math.floor(order[j] / vnodes);
  }
  return { members, points, owner };
}

/** The first index whose point is ≥ h (clockwise from h, a point at h included), or points.length (wrap). */
function firstAtOrAfter(points: Uint32Array, h: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid] < h) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The seed code's placement (the instructive bug): `members[hash32(keyText(key)) % members.length]` over the
 * members in the order given (like the sample `min(hash, node) % len(nodes)`); replicas are the next members in
 * that list, wrapping. When n changes, a key stays only if its hash is the same modulo n and n ± 1: about 1/(n+1)
 * of the keys, so one join or leave moves almost every key.
 */
export const moduloPlacement: Placement = {
  name: 'modulo',
  owners(members, key, replication) {
    const n = members.length;
    if (n === 0 || replication < 1) return [];
    const first = hash32(keyText(key)) % n;
    const out: string[] = [];
    for (let j = 0; j < Math.min(replication, n); j++) out.push(members[(first + j) % n]);
    return out;
  },
};

/** Keys per member: each key counts once for each of its owners (members with none are listed with 0). */
export function keysPerMember(p: Placement, members: readonly string[], keys: readonly unknown[], replication: number): Map<string, number> {
  const counts = new Map<string, number>(members.map((m) => [m, 0]));
  for (const key of keys) for (const m of p.owners(members, key, replication)) counts.set(m, (counts.get(m) ?? 0) + 1);
  return counts;
}

/**
 * What a membership change moved. `primaryMoved`: keys whose primary changed. `ownersChanged`: keys whose SET of
 * owners changed (the same members in another order counts as unchanged: no data moves, only who coordinates).
 * `ideal`: K/n for the larger membership n, the share consistent hashing promises to move for one member joining or
 * leaving (a fractional count of keys).
 */
export interface Movement {
  keys: number;
  primaryMoved: number;
  ownersChanged: number;
  ideal: number;
}

/** Movement when the membership changes from `before` to `after`. */
export function movement(p: Placement, before: readonly string[], after: readonly string[], keys: readonly unknown[], replication: number): Movement {
  let primaryMoved = 0;
  let ownersChanged = 0;
  for (const key of keys) {
    const was = p.owners(before, key, replication);
    const now = p.owners(after, key, replication);
    if (was[0] !== now[0]) primaryMoved++;
    if (was.length !== now.length || !was.every((m) => now.includes(m))) ownersChanged++;
  }
  const n = Math.max(before.length, after.length);
  return { keys: keys.length, primaryMoved, ownersChanged, ideal: n === 0 ? 0 : keys.length / n };
}
