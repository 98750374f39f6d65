import type { CallRef } from '../history/calls.js';
import type { Offset } from './offsets.js';
import type { Duplicate, GroupLost, InconsistentOffset, LogResult, LostWrite, MissingWrite, NonmonotonicPoll, Phantom, PollSkip, Sighting } from './result.js';

/** An offset in prose: integers as themselves, stream IDs quoted as Redis prints them. */
export const offsetText = (o: Offset) => String(o);
/** A position in prose: "partition 2 at offset 17". */
export const at = (partition: number, offset: Offset) => `partition ${partition} at offset ${offsetText(offset)}`;
/** An op in prose: "op 12 (process 3)". */
export const opText = (c: CallRef) => `op ${c.invokeIndex} (process ${c.process})`;
/** Who saw an entry: "the ack of op 4 (process 1)", "the poll op 9 (process 2)". */
export const byText = (s: Sighting) => (s.f === 'send' ? `the ack of send ${opText(s.call)}` : `the ${s.f} ${opText(s.call)}`);

export function lostText(l: LostWrite): string {
  return `${l.value}, acknowledged at ${at(l.partition, l.offset)} by send ${opText(l.send)}, was never read, though ${byText(l.pastBy)} read partition ${l.partition} up to offset ${offsetText(l.pastOffset)}`;
}

export function missingText(m: MissingWrite): string {
  const before = m.readBefore ? `; ${byText(m.readBefore)} had read it` : '; no poll had read it';
  return `${m.value}, acknowledged at ${at(m.partition, m.offset)} by send ${opText(m.send)}, is not in the log the drain ${opText(m.drain)} read after the faults${before}`;
}

export function groupLostText(g: GroupLost): string {
  const held = g.heldBy ? `; ${opText(g.heldBy)} read it and crashed before acknowledging it` : '';
  return `${g.value}, acknowledged at ${at(g.partition, g.offset)} by send ${opText(g.send)} and in the log the drain ${opText(g.drain)} read, was never delivered by the consumer group: no group poll returned it, nor did its final read ${opText(g.groupDrain)}${held}`;
}

export function duplicateText(d: Duplicate): string {
  return `${d.value} is at ${d.positions.length} positions: ${d.positions.map((p) => `${at(p.partition, p.offset)} (${byText(p.by)})`).join(', ')}`;
}

export function inconsistentText(i: InconsistentOffset): string {
  return `${at(i.partition, i.offset)} held ${i.values.length} values: ${i.values.map((v) => `${v.value} (${byText(v.by)})`).join(', ')}`;
}

export function nonmonotonicText(n: NonmonotonicPoll): string {
  return `process ${n.process} read partition ${n.partition} at offset ${offsetText(n.afterOffset)} in op ${n.after.invokeIndex}, after reading offset ${offsetText(n.beforeOffset)} there in op ${n.before.invokeIndex}`;
}

export function skipText(s: PollSkip): string {
  const more = s.skippedCount > 1 ? ` and ${s.skippedCount - 1} more` : '';
  return `process ${s.process} read partition ${s.partition} at offset ${offsetText(s.beforeOffset)} (op ${s.before.invokeIndex}) then at ${offsetText(s.afterOffset)} (op ${s.after.invokeIndex}), skipping offset ${offsetText(s.skipped)}${more}, which ${byText(s.skippedBy)} saw`;
}

export function phantomText(p: Phantom): string {
  return `${byText(p.read)} read ${p.value} at ${at(p.partition, p.offset)}, a value no send ever sent`;
}

/** Each kind in the order the prose and the report take them: what was lost first, then what the log made up. */
export const KINDS = [
  { kind: 'lost-write', title: 'Lost writes', list: (r: LogResult) => r.lostWrites, text: lostText },
  { kind: 'missing', title: 'Missing from the drain', list: (r: LogResult) => r.missing, text: missingText },
  { kind: 'group-lost', title: 'Never delivered by the group', list: (r: LogResult) => r.groupLost, text: groupLostText },
  { kind: 'duplicate', title: 'Duplicates', list: (r: LogResult) => r.duplicates, text: duplicateText },
  { kind: 'inconsistent-offsets', title: 'Inconsistent offsets', list: (r: LogResult) => r.inconsistentOffsets, text: inconsistentText },
  { kind: 'nonmonotonic-poll', title: 'Nonmonotonic polls', list: (r: LogResult) => r.nonmonotonicPolls, text: nonmonotonicText },
  { kind: 'skip', title: 'Skips', list: (r: LogResult) => r.skips, text: skipText },
  { kind: 'phantom', title: 'Phantoms (never sent)', list: (r: LogResult) => r.phantoms, text: phantomText },
] as const;

/** The first of one kind in a sentence, with how many there were: "2 lost-write: first, 7, acknowledged at …". */
export function firstOf(r: LogResult, k: (typeof KINDS)[number]): string | undefined {
  const first = k.list(r)[0];
  if (first === undefined) return undefined;
  const n = r.anomalyCounts[k.kind];
  return `${n} ${k.kind}${n > 1 ? ` (first: ${(k.text as (x: typeof first) => string)(first)})` : `: ${(k.text as (x: typeof first) => string)(first)}`}`;
}

/**
 * The verdict as prose, naming the first anomaly of each kind with its offsets and ops: "1 lost-write: 7,
 * acknowledged at partition 0 at offset 3 by send op 4 (process 1), was never read, though the drain op 40
 * (process 5) read partition 0 up to offset 9."
 */
export function explainLog(r: LogResult): string {
  const c = r.counts;
  const figures = `${c.sendsOk} of ${c.sends} sends acknowledged, ${c.entriesRead} entries read by ${c.polls} polls and ${c.drains} drain${c.drains === 1 ? '' : 's'}`;
  if (r.valid === 'unknown') return `Unknown: ${r.unknownReason ?? 'nothing was read'} (${figures}).`;
  if (r.valid === true) {
    const unseen = c.unseen > 0 ? `; ${c.unseen} acknowledged send(s) were never read, but no read went past them (unseen, not lost)` : '';
    return `No anomaly: no lost write, acknowledged send missing from the drain or never delivered by the group, duplicate, inconsistent offset, nonmonotonic poll, skip or phantom (${figures})${unseen}.`;
  }
  const found = KINDS.map((k) => firstOf(r, k)).filter((s): s is string => s !== undefined);
  return `${found.join('. ')}. (${figures}.)`;
}
