import { ReplyError, type Redis } from 'ioredis';
import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import { messageOf, ReconnectingConnection, UNSENT, WAIT_TIMEOUT_MS } from '../redis/client.js';
import { entriesOf, inReadOrder, streamsOf, type Triple } from './entries.js';
import { GROUP, partitionOf, streamKey } from './layout.js';

/** The log workload's operations: what every redis-stream client performs. */
export const LOG_OPERATIONS = ['send', 'poll', 'assign', 'subscribe', 'drain', 'drain-group'];

/** Entries one poll asks of each partition (XREAD's and XREADGROUP's COUNT, XAUTOCLAIM's). */
export const POLL_COUNT = 10;
/** How long an entry stays pending with a consumer before another's poll claims it (XAUTOCLAIM's min-idle-time). */
export const CLAIM_IDLE_MS = 1000;
/** Entries one XRANGE of the drain returns at most: the drain pages through a partition. */
const DRAIN_PAGE = 1000;

export interface StreamClientOptions {
  /** The consumer's name in the group: the process's own, never reused (a retired process's pendings are claimed). */
  consumer: string;
  partitions: number;
  /** A new connection, not yet connected (`lazyConnect`): to the one server, or through the sentinels to the primary. */
  connection(): Redis;
  /** After each XADD, `WAIT` for this many replicas (the `wait` option); 0: no WAIT. */
  waitReplicas: number;
}

/** What one command came to when it did not answer: nothing happened (`fail`), or it may have (`info`). */
type Failure = { certain: boolean; error: string };

/**
 * A logical process of the log: a producer (send: XADD to the key's partition) and a consumer, in assign mode (XREAD
 * of its partitions, each from just past the last ID it read there) or in the group (XREADGROUP `>` as consumer
 * `consumer`, after claiming with XAUTOCLAIM what failed consumers left pending for CLAIM_IDLE_MS; XACK once read).
 * Its connection is kept while it is up, whatever the server behind it became: a process that reached a primary
 * keeps appending there after Sentinel promoted another (what makes the lost entries visible).
 *
 * Outcomes (Jepsen's): `fail` when the op certainly changed nothing (no connection, so nothing was sent; an error
 * reply such as READONLY), `info` when it may have (sent, no reply; a WAIT that counted fewer replicas). Reads
 * change nothing, so a failed XREAD or XRANGE is `fail` whatever met it, except in the group: XAUTOCLAIM and
 * XREADGROUP move entries to this consumer, so a group poll whose reply was lost after either was sent leaves entries
 * pending here that may have been delivered: `info` (and the process retires; another consumer claims them).
 *
 * Crashed by the nemesis (`crash-client`), the process dies at its next poll that read entries: in the group after
 * XAUTOCLAIM and XREADGROUP and instead of XACK, so its entries stay pending with it until another member claims
 * them; in assign mode with its positions. It drops its connection, and the poll ends `info`, naming the entries it
 * read as `unacked`.
 */
export class StreamClient implements Client {
  private mode: 'none' | 'assign' | 'subscribe' = 'none';
  private assigned: readonly number[] = [];
  /** The last ID this process read in assign mode, per partition: its position there. */
  private readonly positions = new Map<number, string>();
  private readonly keyPartition: ReadonlyMap<string, number>;
  private readonly link: ReconnectingConnection;
  /** The nemesis crashed this process: its next poll that read anything dies before acknowledging it. */
  private crashing = false;

  constructor(private readonly o: StreamClientOptions) {
    this.link = new ReconnectingConnection(() => o.connection());
    this.keyPartition = new Map(Array.from({ length: o.partitions }, (_, p) => [streamKey(p), p]));
  }

  invoke(op: ClientOp, done: (c: Completion) => void): void {
    void this.perform(op).then(done, (e: unknown) => done({ type: 'info', value: op.value, error: messageOf(e) }));
  }

  close(): void {
    this.drop();
  }

  crash(): void {
    this.crashing = true;
  }

  /** The crashed poll's completion, its connection dropped: what it read is evidence (`unacked`), not a read. */
  private crashed(triples: readonly Triple[], acknowledged: string): Completion {
    this.drop();
    const partitions = [...new Set(triples.map(([p]) => p))].join(', ');
    return { type: 'info', value: null, error: `crashed mid-batch: read ${triples.length} entries of partition ${partitions}, ${acknowledged}`, extra: { unacked: triples } };
  }

  private async perform(op: ClientOp): Promise<Completion> {
    switch (op.f) {
      case 'assign':
        return this.assign(op);
      case 'subscribe':
        this.mode = 'subscribe';
        return { type: 'ok', value: null };
      case 'send':
        return this.send(op);
      case 'poll':
        if (this.mode === 'assign') return this.pollAssigned(op);
        if (this.mode === 'subscribe') return this.pollGroup(op);
        return { type: 'fail', value: op.value, error: 'poll before assign or subscribe' };
      case 'drain':
        return this.drain(op);
      case 'drain-group':
        return this.drainGroup(op);
      default:
        return { type: 'fail', value: op.value, error: `unknown operation ${op.f}` };
    }
  }

  /** Assign mode from now on, over these partitions; the positions read so far are kept (the contract's). */
  private assign(op: ClientOp): Completion {
    const ps = op.value;
    if (!Array.isArray(ps) || !ps.every((p) => Number.isInteger(p) && p >= 0 && p < this.o.partitions)) {
      return { type: 'fail', value: op.value, error: `assign takes a list of partitions 0 to ${this.o.partitions - 1}` };
    }
    this.mode = 'assign';
    this.assigned = [...(ps as number[])].sort((a, b) => a - b);
    return { type: 'ok', value: op.value };
  }

  private async send(op: ClientOp): Promise<Completion> {
    const p = partitionOf(String(op.key), this.o.partitions);
    const at = await this.connectedOr(op);
    if ('completion' in at) return at.completion;
    const c = at.conn;
    let id: string | null;
    try {
      id = await c.xadd(streamKey(p), '*', 'key', String(op.key), 'value', String(op.value));
    } catch (e) {
      return this.failed(op, this.afterError(e));
    }
    if (id === null) return { type: 'fail', value: op.value, error: 'XADD appended nothing' };
    const ok: Completion = { type: 'ok', value: op.value, extra: { partition: p, offset: id } };
    if (this.o.waitReplicas === 0) return ok;
    try {
      const replicas = await c.wait(this.o.waitReplicas, WAIT_TIMEOUT_MS);
      if (replicas >= this.o.waitReplicas) return ok;
      return { type: 'info', value: op.value, error: `WAIT: ${replicas} of ${this.o.waitReplicas} replicas acknowledged ${id} on partition ${p}` };
    } catch (e) {
      this.drop();
      return { type: 'info', value: op.value, error: `WAIT after ${id} on partition ${p}: ${messageOf(e)}` };
    }
  }

  /** XREAD of the assigned partitions, each just past this process's position there (XREAD's ID is exclusive). */
  private async pollAssigned(op: ClientOp): Promise<Completion> {
    if (this.assigned.length === 0) return { type: 'ok', value: [] };
    const at = await this.connectedOr(op);
    if ('completion' in at) return at.completion;
    const c = at.conn;
    let triples: Triple[];
    try {
      const keys = this.assigned.map(streamKey);
      const ids = this.assigned.map((p) => this.positions.get(p) ?? '0-0');
      triples = streamsOf(await c.call('XREAD', 'COUNT', POLL_COUNT, 'STREAMS', ...keys, ...ids), this.keyPartition);
    } catch (e) {
      // A read changes nothing: whatever met it, nothing happened.
      this.afterError(e);
      return { type: 'fail', value: op.value, error: messageOf(e) };
    }
    // A crash takes the positions with it: the successor starts over, so nothing is lost.
    if (this.crashing && triples.length > 0) return this.crashed(inReadOrder(triples), 'positions lost');
    for (const [p, id] of triples) this.positions.set(p, id);
    return { type: 'ok', value: inReadOrder(triples) };
  }

  /**
   * A poll in the group: first XAUTOCLAIM, per partition, what has been pending with any consumer for CLAIM_IDLE_MS
   * (a consumer that failed mid-batch), then XREADGROUP `>` of every partition, then XACK of all of it. The claimed
   * entries come first in each partition: they were delivered before anything `>` returns now.
   */
  private async pollGroup(op: ClientOp): Promise<Completion> {
    const at = await this.connectedOr(op);
    if ('completion' in at) return at.completion;
    const c = at.conn;
    const got: Triple[] = [];
    const claimed: [number, string][] = [];
    try {
      for (let p = 0; p < this.o.partitions; p++) {
        const reply = (await c.call('XAUTOCLAIM', streamKey(p), GROUP, this.o.consumer, CLAIM_IDLE_MS, '0-0', 'COUNT', POLL_COUNT)) as unknown[];
        const entries = entriesOf(p, reply[1]);
        got.push(...entries);
        claimed.push(...entries.map(([, id]): [number, string] => [p, id]));
      }
      const keys = Array.from({ length: this.o.partitions }, (_, p) => streamKey(p));
      got.push(...streamsOf(await c.call('XREADGROUP', 'GROUP', GROUP, this.o.consumer, 'COUNT', POLL_COUNT, 'STREAMS', ...keys, ...keys.map(() => '>')), this.keyPartition));
    } catch (e) {
      const f = this.afterError(e);
      // An error reply or an unsent command moved nothing; what an earlier command of this poll claimed stays pending
      // here, delivered and never reported.
      if (f.certain && got.length === 0) return { type: 'fail', value: op.value, error: f.error };
      return { type: 'info', value: op.value, error: `${f.error} (entries may be pending with consumer ${this.o.consumer})` };
    }
    const triples = inReadOrder(got);
    // Dying between the read and XACK: the entries stay pending with this consumer, for another to claim.
    if (this.crashing && triples.length > 0) return this.crashed(triples, 'acknowledged none');
    try {
      for (let p = 0; p < this.o.partitions; p++) {
        const ids = triples.filter(([q]) => q === p).map(([, id]) => id);
        if (ids.length > 0) await c.xack(streamKey(p), GROUP, ...ids);
      }
    } catch (e) {
      // The entries were read: the poll returns them. Unacknowledged, they stay pending and another consumer claims
      // them after CLAIM_IDLE_MS (a redelivery, as a consumer group delivers: at least once).
      this.afterError(e);
    }
    return { type: 'ok', value: triples, ...(claimed.length > 0 ? { extra: { claimed } } : {}) };
  }

  /**
   * The group's final read, as a member of it: per partition, XAUTOCLAIM of everything pending with any consumer (page
   * by page; min-idle 0, as no other member is alive in the final phase), then XREADGROUP `>` until nothing is left,
   * XACK of each batch. What crashed members left pending is read here. On a new connection, as the drain. Any
   * failure is `info`: a claim or a read may have moved entries to this consumer.
   */
  private async drainGroup(op: ClientOp): Promise<Completion> {
    this.drop();
    const at = await this.connectedOr(op);
    if ('completion' in at) return at.completion;
    const c = at.conn;
    const all: Triple[] = [];
    const ack = async (p: number, batch: readonly Triple[]) => {
      if (batch.length > 0) await c.xack(streamKey(p), GROUP, ...batch.map(([, id]) => id));
    };
    try {
      for (let p = 0; p < this.o.partitions; p++) {
        for (let cursor = '0-0'; ; ) {
          const reply = (await c.call('XAUTOCLAIM', streamKey(p), GROUP, this.o.consumer, 0, cursor, 'COUNT', DRAIN_PAGE)) as unknown[];
          const batch = entriesOf(p, reply[1]);
          all.push(...batch);
          await ack(p, batch);
          cursor = String(reply[0]);
          if (cursor === '0-0') break;
        }
        for (;;) {
          const batch = streamsOf(await c.call('XREADGROUP', 'GROUP', GROUP, this.o.consumer, 'COUNT', DRAIN_PAGE, 'STREAMS', streamKey(p), '>'), this.keyPartition);
          if (batch.length === 0) break;
          all.push(...batch);
          await ack(p, batch);
        }
      }
    } catch (e) {
      return { type: 'info', value: op.value, error: `${this.afterError(e).error} (entries may be pending with consumer ${this.o.consumer})` };
    }
    return { type: 'ok', value: inReadOrder(all) };
  }

  /**
   * Every entry of every partition, from the start: XRANGE page by page (`(` makes a page start past the last ID).
   * On a new connection: the drain runs after the faults healed, and reads the log where it now is (the primary the
   * sentinels name), not on a server this process reached before a failover, which Sentinel has yet to demote.
   */
  private async drain(op: ClientOp): Promise<Completion> {
    this.drop();
    const at = await this.connectedOr(op);
    if ('completion' in at) return at.completion;
    const c = at.conn;
    const all: Triple[] = [];
    try {
      for (let p = 0; p < this.o.partitions; p++) {
        for (let start = '-'; ; ) {
          const page = entriesOf(p, await c.xrange(streamKey(p), start, '+', 'COUNT', DRAIN_PAGE));
          all.push(...page);
          if (page.length < DRAIN_PAGE) break;
          start = `(${page[page.length - 1][1]}`;
        }
      }
    } catch (e) {
      this.afterError(e);
      return { type: 'fail', value: op.value, error: messageOf(e) };
    }
    return { type: 'ok', value: all };
  }

  private failed(op: ClientOp, f: Failure): Completion {
    return { type: f.certain ? 'fail' : 'info', value: op.value, error: f.error };
  }

  /** The connection, or the op's `fail` when there is none (nothing was sent). */
  private async connectedOr(op: ClientOp): Promise<{ conn: Redis } | { completion: Completion }> {
    try {
      return { conn: await this.connected() };
    } catch (e) {
      return { completion: { type: 'fail', value: op.value, error: `connect: ${messageOf(e)}` } };
    }
  }

  /**
   * After a command's error: whether it certainly did nothing (an error reply, or never written). The connection is
   * dropped unless the server answered and is still what it was (READONLY: a replica now; the next op asks the
   * sentinels again).
   */
  private afterError(e: unknown): Failure {
    const error = messageOf(e);
    if (e instanceof ReplyError) {
      if (/^READONLY/.test(error)) this.drop();
      return { certain: true, error };
    }
    this.drop();
    return { certain: UNSENT.some((re) => re.test(error)), error };
  }

  private connected(): Promise<Redis> {
    return this.link.get();
  }

  private drop(): void {
    this.link.drop();
  }
}
