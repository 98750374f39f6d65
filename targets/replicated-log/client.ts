import type { Client, ClientOp, Clock, Completion } from '../../harness/runtime.js';
import type { RequestTransport } from '../../harness/transport.js';
import { CORRECT, partitionOf, replicasOf, type Behaviour, type Settings } from './behaviour.js';
import { MAX_BATCH } from './broker.js';
import { NOT_LEADER, type ClientReply, type ClientRequest } from './messages.js';

/** The client's timing, in virtual ms. */
export const CLIENT_TIMING = Object.freeze({
  /** One attempt at one broker. */
  attemptMs: 200,
  /** A send is retried (at the leader it finds) until this long after it began; then it is unknown (info). */
  sendMs: 2000,
  /** The final drain tries this long for every partition before it gives up (info). */
  drainMs: 20_000,
});

/** The consumer's mode (the log contract): its own positions (assign), or the group `faultline` (subscribe). */
type Mode = { kind: 'none' } | { kind: 'assign'; partitions: number[] } | { kind: 'subscribe' };

/**
 * One process's producer and consumer. A send goes to the leader of hash(key) mod partitions, with the process's
 * producer id and a sequence number, so a retry after a time-out (at the same or a new leader) is appended once; it
 * is retried until CLIENT_TIMING.sendMs, then it is info. A poll in assign mode reads each assigned partition from
 * the process's own position (just past what it last read there). In subscribe mode the process is a member of the
 * group `faultline`, whose committed offset per partition the partition's leader keeps (and copies to its
 * followers): each poll takes the next partition in turn, reads from the group's offset, and commits past what it
 * read before the poll completes. A consumer that dies before its commit leaves the batch to the next poll of any
 * member (at-least-once delivery, as Kafka's group after a rebalance). The drain reads every partition from 0 to
 * its high watermark; the drain-group reads what the group has yet to deliver, as a member of it.
 *
 * Crashed by the nemesis (`crash-client`), the client dies at its next poll that read entries, before handing them
 * over: in the group before its commit (with the bug commit-before-process, after it), in assign mode with its
 * positions. The poll ends `info`, with the entries it read as `unacked`.
 */
export function logClient(transport: RequestTransport, brokers: readonly string[], process: number, settings: Settings, clock: Clock, behaviour: Behaviour = CORRECT): Client {
  const producer = `c${process}`;
  let seq = 0;
  let mode: Mode = { kind: 'none' };
  /** Assign mode's positions: they outlive a re-assign (the contract: an assign keeps the position). */
  const position = new Map<number, number>();
  let nextGroupPartition = process % settings.partitions;
  /** Where the client last found each partition's leader: the first replica until told otherwise. */
  const leaderOf = Array.from({ length: settings.partitions }, (_, p) => replicasOf(p, brokers, settings.replication)[0]);
  const nextBroker = (b: string) => brokers[(brokers.indexOf(b) + 1) % brokers.length];
  /** The nemesis crashed this process: its next poll that read anything dies before handing it over. */
  let crashing = false;

  /** The crashed poll's completion: what it read is evidence (`unacked`), not a read: its outcome is unknown. */
  const crashed = (triples: [number, number, number][], committed: string): Completion => {
    const partitions = [...new Set(triples.map(([p]) => p))].join(', ');
    return { type: 'info', value: null, error: `crashed mid-batch: read ${triples.length} entries of partition ${partitions}, ${committed}`, extra: { unacked: triples } };
  };

  /**
   * A request to partition p's leader, following redirects and moving on after a time-out, until `deadline`.
   * `done(reply, timedOut)`: the leader's reply, or undefined once the deadline passed (timedOut: some attempt did).
   */
  const ask = (p: number, req: ClientRequest, deadline: number, done: (reply: ClientReply | undefined, timedOut: boolean) => void) => {
    let timedOut = false;
    const attempt = () => {
      if (clock.now() >= deadline) return done(undefined, timedOut);
      const broker = leaderOf[p];
      transport.request(broker, req as unknown as Record<string, unknown>, CLIENT_TIMING.attemptMs, (raw) => {
        const reply = raw as ClientReply | undefined;
        if (!reply) {
          timedOut = true;
          leaderOf[p] = nextBroker(broker);
          return attempt();
        }
        if (reply.error === NOT_LEADER) {
          // A broker that knows no other leader (or names itself, mid-change): try the next, after a breath.
          leaderOf[p] = reply.leader !== undefined && reply.leader !== broker ? reply.leader : nextBroker(broker);
          return clock.at(10, attempt);
        }
        done(reply, timedOut);
      });
    };
    attempt();
  };

  const send = (op: ClientOp, done: (c: Completion) => void) => {
    const key = String(op.key);
    const p = partitionOf(key, settings.partitions);
    const req: ClientRequest = { kind: 'produce', partition: p, key, value: op.value as number, producer, seq: ++seq };
    ask(p, req, clock.now() + CLIENT_TIMING.sendMs, (reply, timedOut) => {
      if (reply?.offset !== undefined) return done({ type: 'ok', value: op.value, extra: { partition: p, offset: reply.offset } });
      // Never appended only if no attempt could have reached a leader: every broker said it does not lead.
      done(timedOut ? { type: 'info', value: op.value, error: 'timeout' } : { type: 'fail', value: op.value, error: 'no leader' });
    });
  };

  /** Reads one partition once from `from` (one attempt and its redirects): the triples read, none if it failed. */
  const readOnce = (p: number, req: ClientRequest, done: (triples: [number, number, number][], reply: ClientReply | undefined) => void) => {
    ask(p, req, clock.now() + CLIENT_TIMING.attemptMs, (reply) => done((reply?.entries ?? []).map(([o, v]) => [p, o, v]), reply));
  };

  const pollAssigned = (partitions: readonly number[], done: (c: Completion) => void) => {
    if (partitions.length === 0) return done({ type: 'ok', value: [] });
    const read: [number, number, number][][] = partitions.map(() => []);
    let left = partitions.length;
    partitions.forEach((p, i) => {
      readOnce(p, { kind: 'read', partition: p, from: position.get(p) ?? 0, max: MAX_BATCH }, (triples) => {
        // Positions move only forward: a read from an older position cannot be in flight (one op at a time).
        if (triples.length) position.set(p, triples[triples.length - 1][1] + 1);
        read[i] = triples;
        if (--left > 0) return;
        // A crash takes the positions with it: the successor starts over, so nothing is lost.
        if (crashing && read.some((t) => t.length > 0)) done(crashed(read.flat(), 'positions lost'));
        else done({ type: 'ok', value: read.flat() });
      });
    });
  };

  const pollGroup = (done: (c: Completion) => void) => {
    const p = nextGroupPartition;
    nextGroupPartition = (p + 1) % settings.partitions;
    readOnce(p, { kind: 'group-read', partition: p, max: MAX_BATCH }, (triples) => {
      if (!triples.length) return done({ type: 'ok', value: triples });
      const offset = triples[triples.length - 1][1] + 1;
      const commit = (then: () => void) => transport.request(leaderOf[p], { kind: 'commit', partition: p, offset }, CLIENT_TIMING.attemptMs, then);
      // The bug: committed before the batch is handed over, so a crash in between loses it for the group.
      if (behaviour.commitBeforeProcess) return commit(() => done(crashing ? crashed(triples, `committed past offset ${offset - 1}`) : { type: 'ok', value: triples }));
      // Dying here leaves the group's offset before the batch: the next poll of any member reads it again.
      if (crashing) return done(crashed(triples, 'committed none'));
      // The commit follows the read; if it is lost, the group reads the batch again (at least once).
      commit(() => done({ type: 'ok', value: triples }));
    });
  };

  const drain = (done: (c: Completion) => void) => {
    const deadline = clock.now() + CLIENT_TIMING.drainMs;
    const all: [number, number, number][] = [];
    const partition = (p: number, from: number): void => {
      if (p === settings.partitions) return done({ type: 'ok', value: all });
      ask(p, { kind: 'read', partition: p, from, max: MAX_BATCH }, deadline, (reply) => {
        if (!reply) return done({ type: 'info', value: null, error: `partition ${p} unreachable` });
        for (const [o, v] of reply.entries ?? []) all.push([p, o, v]);
        const next = from + (reply.entries?.length ?? 0);
        if (next < (reply.hw ?? 0)) return partition(p, next);
        partition(p + 1, 0);
      });
    };
    partition(0, 0);
  };

  /**
   * The group's final read: every partition from the group's committed offset to its high watermark, batch by batch,
   * committing past each (what crashed members left uncommitted is read here). Info if a partition stays unreachable.
   */
  const drainGroup = (done: (c: Completion) => void) => {
    const deadline = clock.now() + CLIENT_TIMING.drainMs;
    const all: [number, number, number][] = [];
    const partition = (p: number): void => {
      if (p === settings.partitions) return done({ type: 'ok', value: all });
      ask(p, { kind: 'group-read', partition: p, max: MAX_BATCH }, deadline, (reply) => {
        if (!reply) return done({ type: 'info', value: null, error: `partition ${p} unreachable` });
        const entries = reply.entries ?? [];
        if (entries.length === 0) return partition(p + 1);
        for (const [o, v] of entries) all.push([p, o, v]);
        ask(p, { kind: 'commit', partition: p, offset: entries[entries.length - 1][0] + 1 }, deadline, (committed) => {
          if (!committed) return done({ type: 'info', value: null, error: `partition ${p}: commit unanswered` });
          partition(p);
        });
      });
    };
    partition(0);
  };

  return {
    invoke(op: ClientOp, done: (c: Completion) => void) {
      switch (op.f) {
        case 'send':
          return send(op, done);
        case 'assign': {
          const ps = op.value as number[];
          if (!Array.isArray(ps) || ps.some((p) => !Number.isInteger(p) || p < 0 || p >= settings.partitions)) {
            return done({ type: 'fail', value: op.value, error: `partitions are 0..${settings.partitions - 1}` });
          }
          mode = { kind: 'assign', partitions: [...ps] };
          return done({ type: 'ok', value: op.value });
        }
        case 'subscribe':
          mode = { kind: 'subscribe' };
          return done({ type: 'ok', value: null });
        case 'poll':
          if (mode.kind === 'assign') return pollAssigned(mode.partitions, done);
          if (mode.kind === 'subscribe') return pollGroup(done);
          return done({ type: 'fail', value: null, error: 'neither assigned nor subscribed' });
        case 'drain':
          return drain(done);
        case 'drain-group':
          return drainGroup(done);
        default:
          return done({ type: 'fail', value: op.value, error: `unknown operation ${op.f}` });
      }
    },
    close() {},
    crash() {
      crashing = true;
    },
  };
}
