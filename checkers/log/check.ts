import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import { readLogHistory, type Entry, type LogHistory, type Unacked } from './history.js';
import { compareOffsets, positionKey, SeenOffsets, type Offset } from './offsets.js';
import type { Duplicate, GroupLost, InconsistentOffset, LogAnomalyKind, LogResult, LostWrite, MissingWrite, NonmonotonicPoll, PartitionSummary, Phantom, PollSkip, Position, Sighting } from './result.js';

/** Evidence kept per kind: the counts stay exact. */
const MAX_LISTED = 1_000;

/** An entry as some op saw it. */
interface Seen {
  entry: Entry;
  by: Sighting;
}

/**
 * Checks a log history (workloads/log.ts) as Jepsen's Kafka checker does, for the anomalies of issue 20's contract:
 * lost writes, duplicates, inconsistent offsets, nonmonotonic polls, skips and phantoms. Every entry any op saw (a
 * send's acknowledgement, a poll's or the drain's triple) is a sighting of a value at a position; the anomalies are
 * facts about those sightings, each with the ops that make it certain. valid = no anomaly; unknown when no read
 * returned anything (then no write can be judged lost).
 */
export async function checkLog(history: History | Op[]): Promise<LogResult> {
  const start = performance.now();
  const h = readLogHistory(history);
  const seen = sightings(h);

  // Where each value was seen, and what each position held: the first op to see each, in the history's order.
  const positionsOf = new Map<number, Map<string, Position>>();
  const valuesAt = new Map<string, { partition: number; offset: Offset; values: Map<number, Sighting> }>();
  const offsetsOf = new Map<number, Offset[]>();
  const firstAt = new Map<string, Sighting>();
  for (const { entry: e, by } of seen) {
    const k = positionKey(e.partition, e.offset);
    let ps = positionsOf.get(e.value);
    if (!ps) positionsOf.set(e.value, (ps = new Map()));
    if (!ps.has(k)) ps.set(k, { partition: e.partition, offset: e.offset, by });
    let at = valuesAt.get(k);
    if (!at) valuesAt.set(k, (at = { partition: e.partition, offset: e.offset, values: new Map() }));
    if (!at.values.has(e.value)) at.values.set(e.value, by);
    if (!firstAt.has(k)) {
      firstAt.set(k, by);
      const os = offsetsOf.get(e.partition);
      if (os) os.push(e.offset);
      else offsetsOf.set(e.partition, [e.offset]);
    }
  }
  const ordered = new Map([...offsetsOf].map(([p, os]) => [p, new SeenOffsets(os)]));

  const duplicates: Duplicate[] = [];
  for (const [value, ps] of positionsOf) if (ps.size > 1) duplicates.push({ value, positions: [...ps.values()] });
  const inconsistentOffsets: InconsistentOffset[] = [];
  for (const at of valuesAt.values()) {
    if (at.values.size > 1) inconsistentOffsets.push({ partition: at.partition, offset: at.offset, values: [...at.values].map(([value, by]) => ({ value, by })) });
  }

  const phantoms: Phantom[] = [];
  const phantomValues = new Set<number>();
  for (const { entry: e, by } of seen) {
    if (by.f === 'send' || h.sendOf.has(e.value) || phantomValues.has(e.value)) continue;
    phantomValues.add(e.value);
    phantoms.push({ value: e.value, partition: e.partition, offset: e.offset, read: by });
  }

  const { lostWrites, unseen } = lost(h, seen);
  const lostValues = new Set(lostWrites.map((l) => l.value));
  const missing = missingFromDrain(h, seen, lostValues);
  const groupLost = undeliveredByGroup(h, new Set([...lostValues, ...missing.map((m) => m.value)]));
  const { nonmonotonicPolls, skips } = pollOrder(h, ordered, firstAt);

  const anomalyCounts: Record<LogAnomalyKind, number> = {
    'lost-write': lostWrites.length,
    missing: missing.length,
    'group-lost': groupLost.length,
    duplicate: duplicates.length,
    'inconsistent-offsets': inconsistentOffsets.length,
    'nonmonotonic-poll': nonmonotonicPolls.length,
    skip: skips.length,
    phantom: phantoms.length,
  };
  const anomalies = Object.values(anomalyCounts).reduce((a, b) => a + b, 0);
  const reads = seen.filter((s) => s.by.f !== 'send');
  const valid = anomalies > 0 ? false : reads.length === 0 ? 'unknown' : true;
  const partitions: PartitionSummary[] = [...h.kinds.keys()]
    .sort((a, b) => a - b)
    .map((partition) => {
      const mine = seen.filter((s) => s.entry.partition === partition);
      const read = mine.filter((s) => s.by.f !== 'send');
      const maxRead = read.reduce<Offset | undefined>((m, s) => (m === undefined || compareOffsets(s.entry.offset, m) > 0 ? s.entry.offset : m), undefined);
      return {
        partition,
        kind: h.kinds.get(partition)!.kind,
        offsetsSeen: ordered.get(partition)?.offsets.length ?? 0,
        acks: mine.length - read.length,
        reads: read.length,
        ...(maxRead !== undefined && { maxRead }),
      };
    });
  return {
    checker: 'log',
    valid,
    ...(valid === 'unknown' && { unknownReason: 'no poll or drain returned an entry: no write can be judged lost' }),
    ops: h.clientOps,
    counts: {
      sends: h.sends.length,
      sendsOk: h.sends.filter((s) => s.status === 'ok').length,
      sendsFailed: h.sends.filter((s) => s.status === 'fail').length,
      sendsInfo: h.sends.filter((s) => s.status === 'info' || s.status === 'pending').length,
      polls: h.reads.filter((r) => r.f === 'poll').length,
      drains: h.reads.filter((r) => r.f === 'drain').length,
      entriesRead: reads.length,
      valuesRead: new Set(reads.map((s) => s.entry.value)).size,
      unseen,
    },
    anomalyCounts,
    lostWrites: lostWrites.slice(0, MAX_LISTED),
    missing: missing.slice(0, MAX_LISTED),
    groupLost: groupLost.slice(0, MAX_LISTED),
    duplicates: duplicates.slice(0, MAX_LISTED),
    inconsistentOffsets: inconsistentOffsets.slice(0, MAX_LISTED),
    nonmonotonicPolls: nonmonotonicPolls.slice(0, MAX_LISTED),
    skips: skips.slice(0, MAX_LISTED),
    phantoms: phantoms.slice(0, MAX_LISTED),
    partitions,
    ms: performance.now() - start,
  };
}

/** Every entry any op saw (acknowledged sends, then each read's triples in their order), by when the op completed. */
export function sightings(h: LogHistory): Seen[] {
  const out: (Seen & { at: number })[] = [];
  for (const s of h.sends) {
    if (s.status === 'ok') out.push({ entry: { partition: s.partition!, offset: s.offset!, value: s.value }, by: { f: 'send', call: s.call }, at: s.call.completeIndex });
  }
  for (const r of h.reads) for (const entry of r.entries) out.push({ entry, by: { f: r.f, call: r.call }, at: r.call.completeIndex });
  // A stable sort: a read's triples keep the order read.
  return out.sort((a, b) => a.at - b.at).map(({ entry, by }) => ({ entry, by }));
}

/**
 * Lost writes (Jepsen's rule): an acknowledged send whose value no read returned, in a partition some read went past
 * its offset in. An acknowledged send never read where no read went past it is only unseen (the consumers may not
 * have got there), and an info send is never lost: it may not have happened.
 */
function lost(h: LogHistory, seen: readonly Seen[]): { lostWrites: LostWrite[]; unseen: number } {
  const read = new Set<number>();
  const furthest = new Map<number, { offset: Offset; by: Sighting }>();
  for (const { entry: e, by } of seen) {
    if (by.f === 'send') continue;
    read.add(e.value);
    const f = furthest.get(e.partition);
    if (!f || compareOffsets(e.offset, f.offset) > 0) furthest.set(e.partition, { offset: e.offset, by });
  }
  const lostWrites: LostWrite[] = [];
  let unseen = 0;
  for (const s of h.sends) {
    if (s.status !== 'ok' || read.has(s.value)) continue;
    const f = furthest.get(s.partition!);
    if (f && compareOffsets(f.offset, s.offset!) > 0) {
      lostWrites.push({ value: s.value, partition: s.partition!, offset: s.offset!, send: s.call, pastBy: f.by, pastOffset: f.offset });
    } else unseen++;
  }
  return { lostWrites, unseen };
}

/**
 * Acknowledged sends the last ok drain lacks (each value once; a lost write is reported as that, not again here). No
 * drain, or none that completed: nothing is judged missing, as nothing read the whole log after the faults.
 */
function missingFromDrain(h: LogHistory, seen: readonly Seen[], lost: ReadonlySet<number>): MissingWrite[] {
  const drain = h.reads.filter((r) => r.f === 'drain').at(-1);
  if (drain === undefined) return [];
  const drained = new Set(drain.entries.map((e) => e.value));
  const firstPoll = new Map<number, Sighting>();
  for (const { entry, by } of seen) if (by.f === 'poll' && !firstPoll.has(entry.value)) firstPoll.set(entry.value, by);
  const out: MissingWrite[] = [];
  for (const s of h.sends) {
    if (s.status !== 'ok' || drained.has(s.value) || lost.has(s.value)) continue;
    const before = firstPoll.get(s.value);
    out.push({ value: s.value, partition: s.partition!, offset: s.offset!, send: s.call, drain: drain.call, ...(before && { readBefore: before }) });
  }
  return out;
}

/**
 * Acknowledged sends in the log (the last ok drain has them) that the consumer group never delivered: no ok poll in
 * group mode and no ok drain-group returned them (each value once; one already lost or missing is reported as that).
 * Without an ok drain and an ok drain-group nothing is judged: only the group's final read says the group will never
 * deliver an entry (a crashed member's entries wait to be claimed or re-read until then). A poll that ended info is
 * no delivery: its outcome is unknown; one that said it held the entry unacknowledged is named as evidence.
 */
function undeliveredByGroup(h: LogHistory, reported: ReadonlySet<number>): GroupLost[] {
  const drain = h.reads.filter((r) => r.f === 'drain').at(-1);
  const groupDrain = h.reads.filter((r) => r.f === 'drain-group').at(-1);
  if (drain === undefined || groupDrain === undefined) return [];
  const drained = new Set(drain.entries.map((e) => e.value));
  const delivered = new Set<number>();
  for (const r of h.reads) if (r.f === 'drain-group' || (r.f === 'poll' && r.mode === 'subscribe')) for (const e of r.entries) delivered.add(e.value);
  const heldBy = new Map<number, Unacked['call']>();
  for (const u of h.unacked) for (const e of u.entries) if (!heldBy.has(e.value)) heldBy.set(e.value, u.call);
  const out: GroupLost[] = [];
  for (const s of h.sends) {
    if (s.status !== 'ok' || !drained.has(s.value) || delivered.has(s.value) || reported.has(s.value)) continue;
    const held = heldBy.get(s.value);
    out.push({ value: s.value, partition: s.partition!, offset: s.offset!, send: s.call, drain: drain.call, groupDrain: groupDrain.call, ...(held && { heldBy: held }) });
  }
  return out;
}

/**
 * Nonmonotonic polls and skips: per process in assign mode, the offsets it read in each partition, one after another
 * (across polls and within one). Only reads in a row count: a poll in group mode (after a subscribe) breaks the row,
 * since where the group left the process's own position is the target's business; an assign does not (it keeps the
 * positions), and a new process (after an info) starts a row of its own.
 */
function pollOrder(h: LogHistory, ordered: Map<number, SeenOffsets>, firstAt: Map<string, Sighting>): { nonmonotonicPolls: NonmonotonicPoll[]; skips: PollSkip[] } {
  const nonmonotonicPolls: NonmonotonicPoll[] = [];
  const skips: PollSkip[] = [];
  const last = new Map<number, Map<number, { offset: Offset; read: Sighting }>>();
  for (const r of h.reads) {
    if (r.f !== 'poll') continue;
    const process = r.call.process;
    if (r.mode !== 'assign') {
      last.delete(process);
      continue;
    }
    let mine = last.get(process);
    if (!mine) last.set(process, (mine = new Map()));
    for (const e of r.entries) {
      const before = mine.get(e.partition);
      mine.set(e.partition, { offset: e.offset, read: { f: 'poll', call: r.call } });
      if (!before) continue;
      const pair = { process, partition: e.partition, before: before.read.call, beforeOffset: before.offset, after: r.call, afterOffset: e.offset };
      if (compareOffsets(e.offset, before.offset) <= 0) {
        nonmonotonicPolls.push(pair);
        continue;
      }
      const between = ordered.get(e.partition)!.between(before.offset, e.offset);
      if (between.length > 0) {
        skips.push({ ...pair, skipped: between[0], skippedCount: between.length, skippedBy: firstAt.get(positionKey(e.partition, between[0]))! });
      }
    }
  }
  return { nonmonotonicPolls, skips };
}
