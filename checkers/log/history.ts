import { Calls, type CallRef } from '../history/calls.js';
import type { History } from '../history/history.js';
import { isClientProcess, type Op } from '../history/op.js';
import { show } from '../values/show.js';
import { offsetKind, type Offset, type OffsetKind } from './offsets.js';

/** One entry of a partition: a `[partition, offset, value]` triple of a poll or a drain, or a send's acknowledgement. */
export interface Entry {
  partition: number;
  offset: Offset;
  value: number;
}

/** How a consumer reads (workloads/log.ts): its own partitions from its own positions, or what the group gives it. */
export type ConsumerMode = 'assign' | 'subscribe' | 'none';

/** A send that may have happened: ok (with where it landed), info, or still pending at the end; failed ones are kept apart. */
export interface Send {
  call: CallRef;
  key: unknown;
  value: number;
  status: 'ok' | 'fail' | 'info' | 'pending';
  /** Where the ok said it was appended. */
  partition?: number;
  offset?: Offset;
}

/**
 * A poll or a drain that returned: what it read, in the order it read it. `drain-group` is the final read of the
 * consumer group: what the group had yet to deliver.
 */
export interface Read {
  call: CallRef;
  f: 'poll' | 'drain' | 'drain-group';
  /** The process's mode when it polled (a drain reads everything, whatever its process's mode; a drain-group is the group's). */
  mode: ConsumerMode;
  entries: Entry[];
}

/**
 * A poll that ended `info` with the entries it had read and not acknowledged (`unacked`: a consumer crashed
 * mid-batch, crash-client). Evidence only, never a read: the poll's outcome is unknown, so none of its entries counts
 * as delivered.
 */
export interface Unacked {
  call: CallRef;
  entries: Entry[];
}

/** A log history read against its contract: every op checked, none skipped. */
export interface LogHistory {
  calls: Calls;
  /** Every send, in the history's order. */
  sends: Send[];
  /** The value a send invoked → that send (values are unique in a run). */
  sendOf: Map<number, Send>;
  /** Every ok poll and drain, in the history's order. */
  reads: Read[];
  /** Every info poll that said what it had read unacknowledged, in the history's order. */
  unacked: Unacked[];
  /** Each partition's offset kind, and the op that first showed it. */
  kinds: Map<number, { kind: OffsetKind; op: number }>;
  clientOps: number;
}

const LOG_FS = new Set(['send', 'poll', 'assign', 'subscribe', 'drain', 'drain-group']);
const isPartition = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * Reads a log history (workloads/log.ts, the contract of issue 20): sends of unique integers whose ok says where they
 * landed (`partition`, `offset`, beside the value), polls and a drain whose ok is a list of `[partition, offset,
 * value]` triples (a poll that ended info may say what it read unacknowledged, `unacked`, triples likewise), the
 * consumer group's final `drain-group` likewise, assigns of a list of partitions, subscribes. Offsets are non-negative integers or Redis stream IDs,
 * one kind per partition. Anything else (a value read that is not an integer, a triple of another shape, a mix of
 * offset kinds) is an input error naming the op's index and line: a checker that skipped it could call valid a
 * history it never read.
 */
export function readLogHistory(history: History | Op[]): LogHistory {
  const calls = new Calls(history);
  const ops = calls.ops;
  const bad = (p: number, what: string) => calls.error(p, `op ${ops[p].index}: ${what}`);
  const sends: Send[] = [];
  const sendOf = new Map<number, Send>();
  const reads: Read[] = [];
  const unacked: Unacked[] = [];
  const kinds = new Map<number, { kind: OffsetKind; op: number }>();
  const mode = new Map<number, ConsumerMode>();
  let clientOps = 0;

  /** Checks an offset at position q and that its partition keeps one kind of offset. */
  const offsetAt = (q: number, partition: number, offset: unknown, what: string): Offset => {
    const kind = offsetKind(offset);
    if (kind === undefined) throw bad(q, `${what} has offset ${show(offset)}, which is neither a non-negative integer nor a stream ID like "1700000000000-0"`);
    const had = kinds.get(partition);
    if (had === undefined) kinds.set(partition, { kind, op: ops[q].index });
    else if (had.kind !== kind) throw bad(q, `${what} has ${kind} offset ${show(offset)} in partition ${partition}, whose offsets are ${had.kind}s (op ${had.op}): one partition has one kind of offset`);
    return offset as Offset;
  };

  const entriesAt = (q: number, f: string, v: unknown, field = 'ok value'): Entry[] => {
    if (!Array.isArray(v)) throw bad(q, `a ${f}'s ${field} must be a list of [partition, offset, value] triples, got ${show(v)}`);
    return v.map((t: unknown, i) => {
      const what = `the ${f}'s ${field === 'ok value' ? '' : `${field} `}triple ${i} ${show(t)}`;
      if (!Array.isArray(t) || t.length !== 3) throw bad(q, `${what} is not a [partition, offset, value] triple`);
      const [partition, offset, value] = t as unknown[];
      if (!isPartition(partition)) throw bad(q, `${what} names partition ${show(partition)}, not a non-negative integer`);
      if (!Number.isSafeInteger(value)) throw bad(q, `${what} read value ${show(value)}, not an integer (the log workload sends integers)`);
      return { partition, offset: offsetAt(q, partition, offset, what), value: value as number };
    });
  };

  for (let p = 0; p < ops.length; p++) {
    const op = ops[p];
    if (!isClientProcess(op.process) || op.type !== 'invoke') continue;
    clientOps++;
    const f = op.f;
    if (!LOG_FS.has(f)) throw bad(p, `the log checker knows send, poll, assign, subscribe, drain and drain-group, not '${f}'`);
    const q = calls.completion[p];
    const done = q >= 0 ? ops[q] : undefined;
    const call = calls.ref(p);
    const process = op.process;
    switch (f) {
      case 'send': {
        if (!Number.isSafeInteger(op.value)) throw bad(p, `a send's value must be an integer, got ${show(op.value)}`);
        const value = op.value as number;
        const before = sendOf.get(value);
        if (before) throw bad(p, `${value} was sent before (op ${before.call.invokeIndex}): the log workload sends every value once, so that a read names its send`);
        const s: Send = { call, key: op.key, value, status: done?.type ?? 'pending' } as Send;
        if (done?.type === 'ok') {
          if (done.value !== value) throw bad(q, `a send's ok returns the value sent (${value}), got ${show(done.value)}`);
          if (!isPartition(done.partition)) throw bad(q, `a send's ok names the partition it was appended to (a non-negative integer), got ${show(done.partition)}`);
          s.partition = done.partition;
          s.offset = offsetAt(q, done.partition, done.offset, `the send of ${value}`);
        }
        sends.push(s);
        sendOf.set(value, s);
        break;
      }
      case 'assign': {
        const v = op.value;
        if (!Array.isArray(v) || v.length === 0 || !v.every(isPartition)) throw bad(p, `an assign's value must be a non-empty list of partitions, got ${show(v)}`);
        if (done?.type === 'ok') {
          if (show(done.value) !== show(v)) throw bad(q, `an assign's ok returns the partitions assigned (${show(v)}), got ${show(done.value)}`);
          mode.set(process, 'assign');
        }
        break;
      }
      case 'subscribe':
        if (op.value !== null) throw bad(p, `a subscribe's value must be null, got ${show(op.value)}`);
        if (done?.type === 'ok') mode.set(process, 'subscribe');
        break;
      case 'poll':
      case 'drain':
      case 'drain-group': {
        if (op.value !== null) throw bad(p, `a ${f}'s value must be null, got ${show(op.value)}`);
        const readMode = f === 'poll' ? (mode.get(process) ?? 'none') : f === 'drain-group' ? 'subscribe' : 'none';
        if (done?.type === 'ok') reads.push({ call, f, mode: readMode, entries: entriesAt(q, f, done.value) });
        if (done !== undefined && done.unacked !== undefined) {
          if (done.type !== 'info') throw bad(q, `only a ${f} that ended info names entries it left unacknowledged ('unacked'); this one is ${done.type}`);
          unacked.push({ call, entries: entriesAt(q, f, done.unacked, "'unacked'") });
        }
        break;
      }
    }
  }
  return { calls, sends, sendOf, reads, unacked, kinds, clientOps };
}
