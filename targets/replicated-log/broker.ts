import { countBoot, type NodeContext, type NodeProgram } from '../../harness/node.js';
import { NodeRpc } from '../sharded-kv/node-rpc.js';
import type { Behaviour, Settings } from './behaviour.js';
import { replicasOf } from './behaviour.js';
import { ControllerLink } from './controller.js';
import { CLIENT_KINDS, NOT_LEADER, type ClientReply, type ClientRequest, type Fetch, type Fetched, type PartitionState } from './messages.js';
import { PartitionLog } from './partition-log.js';

/** How often a broker reads each partition's state from the controller and considers a change (virtual ms). */
export const CONTROL_MS = 200;
/** A follower whose fetch came back empty waits this long before the next. */
export const FETCH_INTERVAL_MS = 10;
/**
 * A caught-up follower's fetch waits at the leader this long for a new entry (Kafka's replica.fetch.wait.max.ms,
 * there 500 ms): a long poll. So a follower learns the high watermark only with the next entry or at this wait's
 * end, never as soon as the HW moves; the lag that KIP-101 is about, and that truncate-on-failover cuts by.
 */
export const FETCH_WAIT_MS = 200;
/** A fetch not answered in this long is sent again (longer than a fetch waits at the leader). */
export const FETCH_TIMEOUT_MS = FETCH_WAIT_MS + 100;
/** A follower that has not fetched for this long leaves the ISR (Kafka's replica.lag.time.max.ms). */
export const REPLICA_LAG_MS = 400;
/** A follower that has not heard its leader for this long (plus its rank in the ISR) asks to lead. */
export const LEADER_TIMEOUT_MS = 500;
/** Most entries in one fetch or read. */
export const MAX_BATCH = 64;

/** The changes a broker asks the controller for. */
export type ChangeKind = 'election' | 'shrink' | 'expand';

/** The cluster a broker belongs to. */
export interface BrokerSetup {
  brokers: readonly string[];
  settings: Settings;
  behaviour: Behaviour;
}

/** What a leader knows of a follower: where its last fetch was (it has everything before) and when. */
interface FollowerPosition {
  offset: number;
  at: number;
}

/** A broker's part in one partition it is a replica of. */
class Replica {
  role: 'leader' | 'follower' | 'none' = 'none';
  /** The leader epoch this broker acts in (durable: a restarted leader resumes its epoch rather than starting one). */
  epoch: number;
  leader: string | undefined;
  // Leader.
  readonly followers = new Map<string, FollowerPosition>();
  /**
   * A follower this leader asked to add to the ISR: counted for the high watermark from the asking on (KIP-497), until
   * the controller refused, or the state moved past the version the request was made from (it can no longer apply).
   */
  pendingAdd: { broker: string; from: number } | undefined;
  proposing = false;
  /** Sends waiting for the high watermark to pass their offset. */
  acks: { offset: number; reply: (offset: number) => void }[] = [];
  /** Caught-up followers' fetches waiting for a new entry (long polls), each answered at most once. */
  readonly parked = new Map<string, { answer: () => void; cancel: () => void }>();
  /** The consumer group's committed offset (the leader's, copied to followers with each fetch). */
  group = 0;
  // Follower.
  lastHeard = 0;
  fetchId = 0;

  constructor(
    readonly log: PartitionLog,
    private readonly ctx: NodeContext,
  ) {
    this.epoch = ctx.storage.get<number>(`p${log.partition}:epoch`) ?? 0;
  }

  /** Answers every waiting fetch now (a new entry), or drops them (this broker no longer leads in that epoch). */
  unpark(answer: boolean): void {
    const waiting = [...this.parked.values()];
    this.parked.clear();
    for (const w of waiting) {
      w.cancel();
      if (answer) w.answer();
    }
  }

  actIn(epoch: number): void {
    this.epoch = epoch;
    this.ctx.storage.put(`p${this.log.partition}:epoch`, epoch);
  }
}

/**
 * A broker of a Kafka-style partitioned log. Each partition has a fixed replica set; the controller (a Raft group,
 * controller.ts) records its leader, leader epoch and in-sync replicas (ISR). Followers pull from the leader (fetch);
 * the leader's high watermark (HW) is the least offset every ISR member has fetched, a send is acknowledged once the
 * HW passes it (acks=all), and consumers read only below the HW. The leader asks the controller to drop a follower
 * that stopped fetching and to take one back once it has caught up to the HW. A follower that has not heard its
 * leader asks, if it is in the ISR, to lead the next epoch with the ISR minus the old leader (a clean election: an
 * ISR member has every acknowledged entry). A new leader keeps its log; a follower of a new epoch finds where its log
 * diverges from the leader's by the epochs of its entries, and truncates there.
 */
export class Broker implements NodeProgram {
  readonly rpc: NodeRpc;
  private readonly controller: ControllerLink;
  /** The latest state of every partition, as read (or written) at the controller, with its exact text. */
  readonly states = new Map<number, { state: PartitionState; text: string }>();
  readonly replicas = new Map<number, Replica>();
  /** The changes this broker won at the controller, over all its lives (durable): what the report counts. */
  readonly won: Record<ChangeKind, number>;

  constructor(
    readonly ctx: NodeContext,
    readonly setup: BrokerSetup,
  ) {
    this.rpc = new NodeRpc(ctx);
    const boots = countBoot(ctx.storage);
    this.won = ctx.storage.get<Record<ChangeKind, number>>('won') ?? { election: 0, shrink: 0, expand: 0 };
    this.controller = new ControllerLink(this.rpc, setup.settings.partitions, 10_000 * (1 + setup.brokers.indexOf(ctx.id)) + boots);
    for (let p = 0; p < setup.settings.partitions; p++) {
      if (this.replicasOf(p).includes(ctx.id)) this.replicas.set(p, new Replica(new PartitionLog(ctx.storage, p), ctx));
      ctx.setTimer(p, () => this.control(p));
    }
  }

  /** Leads some partition now, as far as it knows (the nemesis aims `primary` at these). */
  get leads(): boolean {
    return [...this.replicas.values()].some((r) => r.role === 'leader');
  }

  private replicasOf(p: number): string[] {
    return replicasOf(p, this.setup.brokers, this.setup.settings.replication);
  }

  receive(from: string, msg: unknown): void {
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as { kind?: string };
    if (m.kind === 'fetch') return this.onFetch(from, msg as Fetch);
    if (m.kind === 'fetched') return this.onFetched(from, msg as Fetched);
    if (m.kind !== undefined && CLIENT_KINDS.includes(m.kind)) return this.onClient(from, msg as ClientRequest & { rid: number });
    this.rpc.settle(msg as Record<string, unknown>); // the controller's answers
  }

  // ---- the controller's decisions ------------------------------------------------------------------------------

  /** Reads partition p's state, adopts it, considers a change; again every CONTROL_MS. */
  private control(p: number): void {
    this.controller.read(p, (text) => {
      const next = () => this.ctx.setTimer(CONTROL_MS, () => this.control(p));
      if (text === undefined) return next();
      if (text === null) {
        // Nobody created the partition yet: any broker may; the conditional write lets one win.
        const replicas = this.replicasOf(p);
        const initial: PartitionState = { partition: p, epoch: 1, version: 1, leader: replicas[0], isr: replicas, replicas };
        return this.controller.propose(p, null, initial, (outcome, t) => {
          if (outcome === 'ok') this.adopt(p, t);
          next();
        });
      }
      this.adopt(p, text);
      this.decide(p);
      next();
    });
  }

  /** Takes a state read or written at the controller: this broker leads, follows, or has no part. */
  private adopt(p: number, text: string): void {
    const state = JSON.parse(text) as PartitionState;
    const known = this.states.get(p);
    if (known && known.state.version > state.version) return; // reads are linearizable; an answer overtaken by our own write
    this.states.set(p, { state, text });
    const r = this.replicas.get(p);
    if (!r) return;
    if (r.pendingAdd !== undefined && (state.isr.includes(r.pendingAdd.broker) || state.version > r.pendingAdd.from)) r.pendingAdd = undefined;
    if (state.leader === this.ctx.id) {
      if (r.role !== 'leader' || r.epoch !== state.epoch) this.becomeLeader(r, state);
      else this.advanceHw(r);
    } else if (r.role !== 'follower' || r.epoch !== state.epoch || r.leader !== state.leader) {
      this.becomeFollower(r, state);
    }
  }

  private becomeLeader(r: Replica, state: PartitionState): void {
    const failover = state.epoch > r.epoch;
    this.ctx.log(`leads partition ${r.log.partition} in epoch ${state.epoch} (isr ${state.isr.join(',')})`);
    r.unpark(false);
    r.role = 'leader';
    r.leader = this.ctx.id;
    r.actIn(state.epoch);
    r.acks = []; // their clients time out: a send of another life or epoch is unknown
    r.pendingAdd = undefined;
    r.proposing = false;
    r.followers.clear();
    // Every follower gets a lag period from now before it can be dropped: none has had a chance to fetch.
    for (const f of state.replicas) if (f !== this.ctx.id) r.followers.set(f, { offset: -1, at: this.ctx.now() });
    // truncate-on-failover: the new leader's HW is a fetch behind the old leader's, which acknowledged past it.
    if (failover && this.setup.behaviour.truncateOnFailover) r.log.truncate(r.log.hw);
    this.advanceHw(r);
  }

  private becomeFollower(r: Replica, state: PartitionState): void {
    r.unpark(false); // their followers time out and fetch from the new leader
    r.role = 'follower';
    r.leader = state.leader;
    r.actIn(state.epoch);
    r.acks = [];
    r.proposing = false;
    r.pendingAdd = undefined;
    r.lastHeard = this.ctx.now();
    this.fetch(r);
  }

  /** One change at a time per partition, each a conditional write from the state read. */
  private decide(p: number): void {
    const r = this.replicas.get(p);
    const known = this.states.get(p);
    if (!r || !known || r.proposing) return;
    const { state, text } = known;
    const me = this.ctx.id;
    const now = this.ctx.now();
    if (r.role === 'leader') {
      const lagging = state.isr.find((f) => f !== me && now - (r.followers.get(f)?.at ?? -Infinity) > REPLICA_LAG_MS);
      if (lagging !== undefined) return this.propose(r, 'shrink', text, { ...state, isr: state.isr.filter((f) => f !== lagging) });
      const caughtUp = state.replicas.find((f) => {
        const pos = r.followers.get(f);
        return !state.isr.includes(f) && pos !== undefined && pos.offset >= r.log.hw && now - pos.at <= REPLICA_LAG_MS;
      });
      if (caughtUp !== undefined) {
        r.pendingAdd = { broker: caughtUp, from: state.version };
        return this.propose(r, 'expand', text, { ...state, isr: [...state.isr, caughtUp] }, () => (r.pendingAdd = undefined));
      }
      return;
    }
    const rank = state.isr.indexOf(me);
    if (r.role === 'follower' && rank !== -1 && now - r.lastHeard > LEADER_TIMEOUT_MS + 100 * rank) {
      this.ctx.log(`suspects ${state.leader}, the leader of partition ${p}`);
      this.propose(r, 'election', text, { ...state, epoch: state.epoch + 1, leader: me, isr: state.isr.filter((b) => b !== state.leader) });
    }
  }

  /** `refused`: the controller certainly did not take it (an unknown outcome is neither). */
  private propose(r: Replica, kind: ChangeKind, expected: string, next: PartitionState, refused?: () => void): void {
    r.proposing = true;
    this.controller.propose(r.log.partition, expected, { ...next, version: next.version + 1 }, (outcome, text) => {
      r.proposing = false;
      if (outcome === 'fail') return refused?.();
      if (outcome === 'unknown') return;
      this.won[kind]++;
      this.ctx.storage.put('won', this.won);
      this.adopt(r.log.partition, text);
    });
  }

  // ---- replication ---------------------------------------------------------------------------------------------

  private fetch(r: Replica): void {
    if (r.role !== 'follower' || r.leader === undefined) return;
    const id = ++r.fetchId;
    const m: Fetch = { kind: 'fetch', id, partition: r.log.partition, epoch: r.epoch, offset: r.log.end, lastEpoch: r.log.epochBefore(r.log.end) };
    this.ctx.send(r.leader, m);
    this.ctx.setTimer(FETCH_TIMEOUT_MS, () => {
      if (r.fetchId === id) this.fetch(r);
    });
  }

  private onFetched(from: string, m: Fetched): void {
    const r = this.replicas.get(m.partition);
    if (!r || r.role !== 'follower' || from !== r.leader || m.id !== r.fetchId) return;
    const again = (ms: number) => {
      const id = ++r.fetchId; // the time-out of the answered fetch must not send another
      this.ctx.setTimer(ms, () => {
        if (r.fetchId === id) this.fetch(r);
      });
    };
    if (m.fenced) return again(FETCH_TIMEOUT_MS); // one of us is behind the controller: the next read settles it
    r.lastHeard = this.ctx.now();
    if (m.diverging !== undefined) {
      r.log.truncate(Math.min(m.diverging, r.log.end));
      return again(0);
    }
    if (m.offset !== r.log.end) return again(0);
    const entries = m.entries ?? [];
    r.log.append(entries);
    const hw = Math.min(m.hw ?? 0, r.log.end);
    if (hw > r.log.hw) r.log.setHw(hw);
    if (m.group !== undefined) r.group = Math.max(r.group, m.group);
    again(entries.length > 0 ? 0 : FETCH_INTERVAL_MS);
  }

  private onFetch(from: string, m: Fetch): void {
    const r = this.replicas.get(m.partition);
    const reply = (body: Partial<Fetched>) => this.ctx.send(from, { kind: 'fetched', id: m.id, partition: m.partition, offset: m.offset, epoch: r?.epoch ?? 0, ...body });
    if (!r || r.role !== 'leader' || m.epoch !== r.epoch) return reply({ fenced: true });
    const log = r.log;
    if (m.offset > log.end || log.epochBefore(m.offset) !== m.lastEpoch) {
      // The follower's last entry is not ours: it truncates to where its epoch ends here, and at least by one.
      return reply({ diverging: Math.min(log.endOfEpoch(m.lastEpoch), m.offset - 1) });
    }
    r.followers.set(from, { offset: m.offset, at: this.ctx.now() });
    this.advanceHw(r);
    const answer = () => reply({ entries: log.entries.slice(m.offset, m.offset + MAX_BATCH), hw: log.hw, group: r.group });
    r.parked.get(from)?.cancel();
    r.parked.delete(from);
    if (m.offset < log.end) return answer();
    // Caught up: the fetch waits for the next entry, or FETCH_WAIT_MS, and then carries the HW of that moment.
    const cancel = this.ctx.setTimer(FETCH_WAIT_MS, () => {
      if (r.parked.get(from)?.cancel !== cancel) return;
      r.parked.delete(from);
      answer();
    });
    r.parked.set(from, { answer, cancel });
  }

  /** The HW: the least offset every ISR member (and the follower being added) has, never moving back. */
  private advanceHw(r: Replica): void {
    const known = this.states.get(r.log.partition);
    if (r.role !== 'leader' || !known) return;
    const isr = new Set(known.state.isr);
    if (r.pendingAdd !== undefined) isr.add(r.pendingAdd.broker);
    let hw = r.log.end;
    for (const f of isr) if (f !== this.ctx.id) hw = Math.min(hw, r.followers.get(f)?.offset ?? -1);
    if (hw <= r.log.hw) return;
    r.log.setHw(hw);
    const waiting = r.acks;
    r.acks = [];
    for (const a of waiting) {
      if (a.offset < hw) a.reply(a.offset);
      else r.acks.push(a);
    }
  }

  // ---- clients -------------------------------------------------------------------------------------------------

  private onClient(from: string, req: ClientRequest & { rid: number }): void {
    const reply = (body: Omit<ClientReply, 'rid'>) => this.ctx.send(from, { rid: req.rid, ...body });
    const r = this.replicas.get(req.partition);
    if (!r || r.role !== 'leader') return reply({ error: NOT_LEADER, leader: this.states.get(req.partition)?.state.leader });
    const log = r.log;
    switch (req.kind) {
      case 'produce': {
        const ack = (offset: number) => reply({ offset });
        const existing = log.offsetOf(req.producer, req.seq);
        if (existing !== undefined) return this.whenCommitted(r, existing, ack); // a retry: it is in the log once
        log.append([{ epoch: r.epoch, key: req.key, value: req.value, producer: req.producer, seq: req.seq }]);
        r.unpark(true); // the waiting followers take it at once
        this.whenCommitted(r, log.end - 1, ack);
        return this.advanceHw(r); // an ISR of one
      }
      case 'read':
        return reply(this.readFrom(log, req.from, req.max));
      case 'group-read':
        return reply(this.readFrom(log, Math.min(r.group, log.hw), req.max));
      case 'commit':
        r.group = Math.max(r.group, Math.min(req.offset, log.hw));
        return reply({});
    }
  }

  /** Acknowledges once the HW passes the offset (ack-before-replicate: at once). */
  private whenCommitted(r: Replica, offset: number, ack: (offset: number) => void): void {
    if (this.setup.behaviour.ackBeforeReplicate || offset < r.log.hw) return ack(offset);
    r.acks.push({ offset, reply: ack });
  }

  /** Committed entries from `from`: consumers never see past the HW. */
  private readFrom(log: PartitionLog, from: number, max: number): Omit<ClientReply, 'rid'> {
    const to = Math.min(log.hw, from + Math.max(0, max));
    const entries: [number, number][] = [];
    for (let o = from; o < to; o++) entries.push([o, log.entries[o].value]);
    return { entries, from, hw: log.hw };
  }
}
