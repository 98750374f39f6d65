import type { Completion } from '../../harness/runtime.js';
import type { NodeContext, NodeProgram } from '../../harness/node.js';
import { applyRegisterOp } from '../register-ops.js';
import {
  compareBallots,
  compareIds,
  isClientRequest,
  NOT_PRIMARY,
  sameBallot,
  type Ballot,
  type ClientReply,
  type ClientRequest,
  type PeerMessage,
  type Replicate,
} from './messages.js';

/** The primary's heartbeat period. */
export const HEARTBEAT_MS = 10;
/** How long the primary waits for a replica's ack before it considers the replica not live. */
export const REPLICATION_TIMEOUT_MS = 20;
/** Silence from the primary after which the first replica in line promotes itself (lost-failover only). */
export const FAILOVER_TIMEOUT_MS = 50;
/** Out-of-order replicates a replica keeps while waiting for a gap to fill; past that it waits for a transfer. */
const MAX_BUFFERED = 1000;

/** What distinguishes the correct protocol from its bugs. */
export interface Behaviour {
  /** Acknowledge a write once applied at the primary, replicate in the background (async-replication). */
  ackBeforeReplicating: boolean;
  /** Replicas answer reads from their own, possibly stale, state (async-replication). */
  replicaReads: boolean;
  /** Replicas promote themselves when the primary is silent, without catching up first (lost-failover). */
  failover: boolean;
}

export const CORRECT: Behaviour = { ackBeforeReplicating: false, replicaReads: false, failover: false };

/**
 * What a node has made durable: its copy of the data and the position in a primary's log it reflects. `ballot`
 * names whose log `seq` counts in: after a failover the new primary numbers its own log, so a replica's state is
 * only comparable with a primary's when the ballots match ("synced"); otherwise it needs a full state transfer.
 */
interface Durable {
  ballot: Ballot;
  seq: number;
  data: Record<string, unknown>;
}

/** A write the primary applied and is waiting to hear replicated before answering the client. */
interface Pending {
  seq: number;
  /** The replicas live when it was applied; each leaves by acking or by being dropped. */
  waitFor: Set<string>;
  /** Answers the client (absent when it was answered already: ack-before-replicating). */
  reply?: () => void;
}

/**
 * One node of a primary-backup register store: each key a cas-register. The primary applies every op, makes it
 * durable, and (in the correct protocol) acknowledges a write only once every replica it believes live has acked
 * it; a replica that does not ack in time is dropped from the live set and readmitted only after a full state
 * transfer. Only the primary serves reads. There is no failover in the correct protocol: n1 stays primary, and
 * a primary never rolls back what it applied, so everything it answers is linearizable.
 */
export class PrimaryBackupNode implements NodeProgram {
  /** What this node believes it is (primaries() reads it: during a split brain two nodes say 'primary'). */
  role: 'primary' | 'replica';
  private ballot: Ballot;
  private state: Durable;

  // Primary side.
  /** Replicas whose acks writes wait for (the correct protocol's "live replicas"). */
  private readonly live = new Set<string>();
  /** The highest seq each replica acknowledged (cumulative). */
  private readonly acked = new Map<string, number>();
  private pending: Pending[] = [];

  // Replica side.
  /** Replicates that arrived ahead of a gap (or before the state transfer they follow). */
  private readonly buffer = new Map<number, Replicate>();
  /** When this replica last heard from its primary (the failure detector of lost-failover). */
  private lastHeard: number;

  constructor(
    private readonly ctx: NodeContext,
    private readonly behaviour: Behaviour = CORRECT,
  ) {
    const all = [ctx.id, ...ctx.peers].sort(compareIds);
    const initial: Ballot = { epoch: 0, primary: all[0] };
    const firstBoot = ctx.storage.get<Ballot>('ballot') === undefined;
    this.ballot = ctx.storage.get<Ballot>('ballot') ?? initial;
    this.state = ctx.storage.get<Durable>('state') ?? { ballot: initial, seq: 0, data: {} };
    if (firstBoot) ctx.storage.put('ballot', this.ballot);
    this.role = this.ballot.primary === ctx.id ? 'primary' : 'replica';
    // At the first boot everyone holds the same empty state. After a restart the primary cannot know what its
    // replicas missed meanwhile: each must answer a heartbeat and take a state transfer before it counts again.
    if (firstBoot && this.role === 'primary') for (const p of ctx.peers) this.live.add(p);
    this.lastHeard = ctx.now();
    // Not from here: the other nodes may not exist yet while the cluster boots.
    ctx.setTimer(0, () => this.tick());
  }

  /** A key's value in this node's copy (for tests and debugging). */
  value(key: string | number): unknown {
    return this.state.data[String(key)] ?? null;
  }

  /** Who this node follows (itself when primary). */
  get primary(): string {
    return this.ballot.primary;
  }

  receive(from: string, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    const m = msg as PeerMessage;
    const order = compareBallots(m.ballot, this.ballot);
    if (order > 0 && m.ballot.primary !== this.ctx.id) this.follow(m.ballot);
    else if (order < 0) {
      // A deposed primary (or a replica of one): tell it who is primary now, so it steps down.
      if (m.kind === 'heartbeat') this.ctx.send(from, { kind: 'heartbeat-ack', ballot: this.ballot, seq: this.state.seq, synced: false });
      return;
    }
    if (this.role === 'primary') this.onPrimaryMessage(from, m);
    else if (from === this.ballot.primary) this.onReplicaMessage(from, m);
  }

  // ---- clients ------------------------------------------------------------------------------------------------

  private onClient(from: string, { rid, op }: ClientRequest): void {
    const reply = (c: Completion, extra: Partial<ClientReply> = {}) =>
      this.ctx.send(from, { rid, type: c.type, value: c.value, ...(c.error === undefined ? {} : { error: c.error }), ...extra });
    const key = String(op.key);
    if (this.role !== 'primary') {
      if (op.f === 'read' && this.behaviour.replicaReads) return reply({ type: 'ok', value: this.value(key) });
      return reply({ type: 'fail', value: op.value, error: NOT_PRIMARY }, { primary: this.ballot.primary });
    }
    // Reads (and a cas that does not match) see writes still waiting for acks: those are durable here and a
    // primary never takes back what it applied, so they are already in effect.
    const r = applyRegisterOp(this.value(key), op);
    if (r.next === undefined) return reply(r.completion);
    const seq = this.state.seq + 1;
    this.state = { ...this.state, seq, data: { ...this.state.data, [key]: r.next } };
    this.ctx.storage.put('state', this.state);
    const rep: Replicate = { kind: 'replicate', ballot: this.ballot, seq, key, value: r.next };
    // Every peer gets the write: live ones must ack it; one catching up buffers it behind its state transfer.
    for (const p of this.ctx.peers) this.ctx.send(p, rep);
    if (this.behaviour.ackBeforeReplicating) {
      reply(r.completion); // the bug: fire and forget
      this.await(seq); // still tracks acks, to notice replicas that fell behind
    } else {
      // If this node dies or steps down before the acks, the client hears nothing (info): the write is applied
      // and durable here, so it must not be reported as failed.
      this.await(seq, () => reply(r.completion));
    }
  }

  // ---- primary ------------------------------------------------------------------------------------------------

  private await(seq: number, reply?: () => void): void {
    const p: Pending = { seq, waitFor: new Set(this.live), reply };
    this.pending.push(p);
    const ballot = this.ballot;
    this.ctx.setTimer(REPLICATION_TIMEOUT_MS, () => {
      if (!sameBallot(ballot, this.ballot) || !this.pending.includes(p)) return;
      // Silent replicas are no longer live: later writes do not wait for them until they catch up.
      for (const r of [...p.waitFor]) if ((this.acked.get(r) ?? 0) < seq) this.drop(r);
      this.settle();
    });
    this.settle();
  }

  /** Answers every pending write that all its replicas have acked. */
  private settle(): void {
    const still: Pending[] = [];
    for (const p of this.pending) {
      for (const r of p.waitFor) if ((this.acked.get(r) ?? 0) >= p.seq) p.waitFor.delete(r);
      if (p.waitFor.size === 0) p.reply?.();
      else still.push(p);
    }
    this.pending = still;
  }

  private drop(replica: string): void {
    this.ctx.log(`${replica} is not live`);
    this.live.delete(replica);
    for (const p of this.pending) p.waitFor.delete(replica);
  }

  private onPrimaryMessage(from: string, m: PeerMessage): void {
    switch (m.kind) {
      case 'heartbeat-ack':
        if (this.live.has(from) && !m.synced) this.drop(from);
        // A replica that is not live answered: send it everything; writes from now on reach it as replicates.
        if (!this.live.has(from)) this.ctx.send(from, { kind: 'state', ballot: this.ballot, seq: this.state.seq, data: this.state.data });
        break;
      case 'replicate-ack':
        this.acked.set(from, Math.max(this.acked.get(from) ?? 0, m.seq));
        this.settle();
        break;
      case 'state-ack':
        this.acked.set(from, Math.max(this.acked.get(from) ?? 0, m.seq));
        this.live.add(from);
        break;
      default:
        break; // another primary's heartbeat at our own ballot cannot happen; a lower one was answered above
    }
  }

  // ---- replica ------------------------------------------------------------------------------------------------

  /** This node's state is a prefix of its primary's log. */
  private get synced(): boolean {
    return sameBallot(this.state.ballot, this.ballot);
  }

  private onReplicaMessage(from: string, m: PeerMessage): void {
    this.lastHeard = this.ctx.now();
    switch (m.kind) {
      case 'heartbeat':
        this.ctx.send(from, { kind: 'heartbeat-ack', ballot: this.ballot, seq: this.state.seq, synced: this.synced });
        break;
      case 'replicate':
        if (!this.synced || m.seq > this.state.seq) {
          if (this.buffer.size >= MAX_BUFFERED) this.buffer.clear();
          this.buffer.set(m.seq, m);
        }
        this.applyBuffered(from);
        break;
      case 'state':
        // A transfer older than what this replica already applied from the same log is a late duplicate.
        if (!this.synced || m.seq > this.state.seq) this.install({ ballot: this.ballot, seq: m.seq, data: m.data });
        this.applyBuffered(from);
        if (this.synced) this.ctx.send(from, { kind: 'state-ack', ballot: this.ballot, seq: this.state.seq });
        break;
      default:
        break;
    }
  }

  /** Applies replicates in log order, as far as there is no gap, and acks the position reached. */
  private applyBuffered(primary: string): void {
    if (!this.synced) return; // wait for the state transfer these follow
    let { seq, data } = this.state;
    for (let next = this.buffer.get(seq + 1); next; next = this.buffer.get(seq + 1)) {
      this.buffer.delete(seq + 1);
      seq++;
      data = { ...data, [next.key]: next.value };
    }
    for (const s of this.buffer.keys()) if (s <= seq) this.buffer.delete(s);
    if (seq !== this.state.seq) this.install({ ballot: this.state.ballot, seq, data });
    // Durable before acked: the primary counts on this copy.
    this.ctx.send(primary, { kind: 'replicate-ack', ballot: this.ballot, seq });
  }

  private install(state: Durable): void {
    this.state = state;
    this.ctx.storage.put('state', state);
  }

  // ---- roles --------------------------------------------------------------------------------------------------

  /** Follows a newer primary. A primary stepping down abandons its pending writes unanswered (they applied here). */
  private follow(ballot: Ballot): void {
    this.ctx.log(`follows ${ballot.primary} (epoch ${ballot.epoch})`);
    this.ballot = ballot;
    this.ctx.storage.put('ballot', ballot);
    this.role = 'replica';
    this.pending = [];
    this.live.clear();
    this.acked.clear();
    this.buffer.clear();
    this.lastHeard = this.ctx.now();
  }

  /**
   * The lost-failover bug: a replica takes over with whatever state it has. It does not ask the other replicas
   * what it missed, so writes the old primary acknowledged (after dropping this replica) are gone.
   */
  private promote(): void {
    this.ballot = { epoch: this.ballot.epoch + 1, primary: this.ctx.id };
    this.ctx.log(`promotes itself (epoch ${this.ballot.epoch})`);
    this.ctx.storage.put('ballot', this.ballot);
    // Its log continues under its own ballot; every replica must take a transfer of it before it counts.
    this.install({ ...this.state, ballot: this.ballot });
    this.role = 'primary';
    this.pending = [];
    this.live.clear();
    this.acked.clear();
    this.buffer.clear();
    this.heartbeat(); // the announcement
  }

  /** This node's turn in the succession when the primary is silent: the lowest-numbered replica waits least. */
  private failoverTimeout(): number {
    const line = [this.ctx.id, ...this.ctx.peers].filter((n) => n !== this.ballot.primary).sort(compareIds);
    return FAILOVER_TIMEOUT_MS * (line.indexOf(this.ctx.id) + 1);
  }

  private heartbeat(): void {
    for (const p of this.ctx.peers) this.ctx.send(p, { kind: 'heartbeat', ballot: this.ballot, seq: this.state.seq });
  }

  private tick(): void {
    if (this.role === 'primary') this.heartbeat();
    else if (this.behaviour.failover && this.ctx.now() - this.lastHeard > this.failoverTimeout()) this.promote();
    this.ctx.setTimer(HEARTBEAT_MS, () => this.tick());
  }
}
