import type { CallRef } from '../history/calls.js';
import type { Validity } from '../linearizability/result.js';
import type { Offset, OffsetKind } from './offsets.js';

/** An op that saw an entry: the send whose ok placed it there, or a poll or drain that read it. */
export interface Sighting {
  f: 'send' | 'poll' | 'drain' | 'drain-group';
  call: CallRef;
}

/** Where a value was seen: a (partition, offset) position, and the first op that saw it there. */
export interface Position {
  partition: number;
  offset: Offset;
  by: Sighting;
}

/**
 * lost-write (Jepsen's Kafka checker): a send acknowledged at (partition, offset) whose value no read ever returned,
 * while some read of that partition returned an offset past it: the log moved on without it.
 */
export interface LostWrite {
  value: number;
  partition: number;
  offset: Offset;
  send: CallRef;
  /** The read that went furthest in the partition, and the offset it reached. */
  pastBy: Sighting;
  pastOffset: Offset;
}

/**
 * missing (Jepsen's unseen, judged once the final read is done): a send acknowledged at (partition, offset) whose
 * value the drain, every entry of every partition read after the faults healed, lacks. Unlike a lost write it may
 * have been read before: a Redis primary cut off by a partition takes appends that consumers on it read, and drops
 * them when Sentinel demotes it; no read goes past them on the new primary, whose stream IDs are its own.
 */
export interface MissingWrite {
  value: number;
  partition: number;
  offset: Offset;
  send: CallRef;
  /** The drain that lacks it (the last ok one). */
  drain: CallRef;
  /** A poll that read it before it went missing, if one did. */
  readBefore?: Sighting;
}

/**
 * group-lost (at-most-once delivery): a send acknowledged at (partition, offset), in the log the drain read after the
 * faults, that the consumer group never gave any member: no ok poll in group mode returned it, nor did the group's
 * final read (`drain-group`), which takes everything the group has yet to deliver. The group moved past it (Kafka's
 * consumer that commits before it has processed, then crashes). Judged only once both final reads completed.
 */
export interface GroupLost {
  value: number;
  partition: number;
  offset: Offset;
  send: CallRef;
  /** The drain that has it, and the group's final read that lacks it. */
  drain: CallRef;
  groupDrain: CallRef;
  /** A poll that read it and ended info without acknowledging it (a crash mid-batch), if one did. */
  heldBy?: CallRef;
}

/** duplicate: one value at two (or more) different positions, from acks and reads. */
export interface Duplicate {
  value: number;
  positions: Position[];
}

/** inconsistent-offsets: two (or more) different values at one (partition, offset). */
export interface InconsistentOffset {
  partition: number;
  offset: Offset;
  values: { value: number; by: Sighting }[];
}

/**
 * nonmonotonic-poll: a process in assign mode read a partition at an offset at or below one it had read there before
 * (an assign keeps a process's position, so none excuses it; only a new process starts from the beginning).
 */
export interface NonmonotonicPoll {
  process: number;
  partition: number;
  /** The earlier read and the offset it reached, then the later read at an offset not past it. */
  before: CallRef;
  beforeOffset: Offset;
  after: CallRef;
  afterOffset: Offset;
}

/**
 * skip (poll-skip): a process in assign mode read offsets a then b of a partition in a row, and some op saw an offset
 * c with a < c < b: the consumer jumped over c. (Stream IDs are not dense: only what others saw between counts.)
 */
export interface PollSkip {
  process: number;
  partition: number;
  before: CallRef;
  beforeOffset: Offset;
  after: CallRef;
  afterOffset: Offset;
  /** The offsets seen between (the first of them, and how many), and an op that saw the first. */
  skipped: Offset;
  skippedCount: number;
  skippedBy: Sighting;
}

/** phantom (never sent): a read returned a value that no send invoked. */
export interface Phantom {
  value: number;
  partition: number;
  offset: Offset;
  read: Sighting;
}

/** The kinds of anomaly, named as Jepsen's Kafka checker names them. */
export type LogAnomalyKind = 'lost-write' | 'missing' | 'group-lost' | 'duplicate' | 'inconsistent-offsets' | 'nonmonotonic-poll' | 'skip' | 'phantom';

/** What the log checker counted, beside the anomalies. */
export interface LogCounts {
  /** Sends by outcome. */
  sends: number;
  sendsOk: number;
  sendsFailed: number;
  sendsInfo: number;
  /** ok polls and drains, and the entries they returned (with repeats). */
  polls: number;
  drains: number;
  entriesRead: number;
  /** Distinct values read. */
  valuesRead: number;
  /** Acknowledged sends never read where no read went past them: not lost by the rule, not seen either (Jepsen's unseen). */
  unseen: number;
}

/** One partition as the report plots it: its offset kind, and every ack and every poll read, over time. */
export interface PartitionSummary {
  partition: number;
  kind: OffsetKind;
  /** Distinct offsets any op saw there. */
  offsetsSeen: number;
  acks: number;
  reads: number;
  /** The highest offset any read returned there. */
  maxRead?: Offset;
}

/**
 * The log checker's verdict (Jepsen's Kafka checker): valid = no anomaly of any kind; unknown only when no read
 * returned any entry (nothing to judge a write by). Each list keeps its first MAX_LISTED; `anomalyCounts` counts
 * them all.
 */
export interface LogResult {
  checker: 'log';
  valid: Validity;
  unknownReason?: string;
  /** Client invocations. */
  ops: number;
  counts: LogCounts;
  anomalyCounts: Record<LogAnomalyKind, number>;
  lostWrites: LostWrite[];
  missing: MissingWrite[];
  groupLost: GroupLost[];
  duplicates: Duplicate[];
  inconsistentOffsets: InconsistentOffset[];
  nonmonotonicPolls: NonmonotonicPoll[];
  skips: PollSkip[];
  phantoms: Phantom[];
  partitions: PartitionSummary[];
  ms: number;
}
