import { seconds } from '../presentation.js';
import type { Hold, LockResult, Overlap } from './result.js';

/** A time of the history (ns) as seconds since `origin`. */
export const at = (ns: number, origin: number) => seconds((ns - origin) / 1e6);

/** A holder in words: its process, token, and where the lock came from when that tells the story. */
export function holderText(h: Hold): string {
  const token = h.token === null ? 'no token' : `token ${h.token}`;
  const from = h.nodes.length ? `, granted by ${h.nodes.join(', ')}` : '';
  const key = h.redisKey ? `, key ${h.redisKey}` : '';
  return `process ${h.process} (${token}${key}${from})`;
}

/** How two holders came to hold at once, when their grants say it: a failover, a key that changed, an expired lease. */
export function howOverlap(o: Overlap): string {
  const { first, second } = o;
  if (first.redisKey && second.redisKey && first.redisKey !== second.redisKey) {
    return `they locked different keys (${first.redisKey}, ${second.redisKey}): the lock's key changes with the clock, so nothing excluded them`;
  }
  const a = new Set(first.nodes);
  if (first.nodes.length && second.nodes.length && !second.nodes.some((n) => a.has(n))) {
    // Either order happens: the old primary, still reached by some clients, can grant after the new one did.
    return `different servers granted it (${first.nodes.join(', ')} and then ${second.nodes.join(', ')}): neither had the other holder's key, as after a failover that promoted a replica while clients still reached the old primary`;
  }
  if (first.end === 'lost') return `the first holder's lease ran out while it still held the lock (its release found the lock was no longer its own)`;
  if (first.end === 'crashed') return 'the first holder crashed (info) before releasing';
  return 'the first holder had not begun to release';
}

/** The verdict as prose: the resource's safety first, then mutual exclusion as the clients saw it. */
export function explainLock(r: LockResult, origin = 0): string {
  const parts: string[] = [];
  if (r.valid === false) {
    const l = r.lostUpdates[0];
    if (l) {
      const [w1, w2] = l.writes;
      parts.push(
        `The resource lost acknowledged increments: ${r.lostUpdates.length} value(s) were written by two acknowledged read-modify-writes. ` +
          `First: process ${w1.process} (token ${String(w1.token)}) and process ${w2.process} (token ${String(w2.token)}) both wrote ${l.value} to lock ${String(l.key)}'s counter, at ${at(w1.time, origin)} and ${at(w2.time, origin)}.`,
      );
    }
    const o = r.overwritten[0];
    if (o) parts.push(`${r.overwritten.length} acknowledged write(s) are above the final value ${o.final}: process ${o.write.process} wrote ${o.write.value} and a stale write took the counter back.`);
    const f = r.fencingViolations[0];
    if (f) {
      parts.push(
        `The fenced resource took ${r.fencingViolations.length} access(es) with a token lower than one it had already taken: process ${f.accepted.process}'s ${f.accepted.f} with token ${String(f.accepted.token)} after process ${f.after.process}'s ${f.after.f} with token ${String(f.after.token)}.`,
      );
    }
  } else if (r.valid === 'unknown') {
    parts.push(`The resource's safety is unknown: ${r.unknownReason ?? 'no final read'}.`);
  } else {
    const refused = r.keys.reduce((n, k) => n + k.refused, 0);
    parts.push(
      `The resource is safe: no acknowledged increment was lost${r.fencing === 'none' ? '' : ', and no access was taken after a higher token'}` +
        `${refused ? `; it refused ${refused} access(es) with stale tokens` : ''}.`,
    );
  }
  if (r.mutualExclusion) {
    parts.push('Mutual exclusion held as the clients saw it: no two holds of a lock overlapped.');
  } else {
    const o = r.overlaps[0];
    const lead = `Mutual exclusion was violated${r.valid === true && r.fencing !== 'none' ? ', and fencing kept the resource safe' : ''}`;
    if (o) {
      parts.push(
        `${lead}: ${r.overlaps.length} time(s) two clients held lock ${String(o.key)} at once. First: ${holderText(o.first)} from ${at(o.first.from, origin)}, ` +
          `and ${holderText(o.second)} from ${at(o.second.from, origin)}; both held it from ${at(o.from, origin)} to ${at(o.to, origin)}. ${capital(howOverlap(o))}.`,
      );
    } else {
      const m = r.mutexAnomalies[0];
      parts.push(`${lead}: no order of the acquires and releases is a lock's${m ? ` (at op ${m.op}: ${m.reason})` : ''}.`);
    }
  }
  return parts.join(' ');
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
