import type { Completion } from '../../harness/runtime.js';
import type { Rng } from '../../harness/rng.js';
import { countBoot, lifeRng, type NodeContext, type NodeProgram } from '../../harness/node.js';
import { applyRegisterOp } from '../register-ops.js';
import {
  isClientRequest,
  NOT_LEADER,
  type AppendEntries,
  type AppendEntriesResponse,
  type ClientRequest,
  type LogEntry,
  type PeerMessage,
  type RequestVote,
  type RequestVoteResponse,
} from './messages.js';

/** The leader's heartbeat period (virtual ms). */
export const HEARTBEAT_MS = 50;
/** Election timeouts are drawn uniformly from this range (virtual ms). */
export const ELECTION_TIMEOUT_MS = { min: 150, max: 300 } as const;
/** Most entries in one AppendEntries. */
const MAX_BATCH = 64;

/** What distinguishes the correct protocol from its bugs. */
export interface Behaviour {
  /** The leader answers reads from its own state at once, without confirming it is still leader. */
  staleRead: boolean;
  /** The leader commits an entry once one follower has it (two nodes, not a majority). */
  commitWithoutMajority: boolean;
  /** votedFor is never made durable: a restarted node can vote twice in a term. */
  forgetVote: boolean;
  /** The state machine applies a retried request again instead of returning the stored result. */
  noDedup: boolean;
}

export const CORRECT: Behaviour = { staleRead: false, commitWithoutMajority: false, forgetVote: false, noDedup: false };

/** A client request waiting for its log entry to be applied (leader only). */
interface PendingWrite {
  term: number;
  reply: (c: Completion) => void;
}

/** A read waiting for a leadership confirmation round and for the state machine to reach its read index. */
interface PendingRead {
  round: number;
  readIndex: number;
  key: string;
  reply: (c: Completion) => void;
}

/** The per-client session of the state machine: the last request applied and its result. */
interface Session {
  seq: number;
  result: Completion;
}

/**
 * One node of a Raft-replicated register store: each key a cas-register. Durable state (currentTerm, votedFor,
 * the log) is written to storage before any reply or vote leaves the node; the state machine is volatile and
 * rebuilt by re-applying the log as the node relearns commitIndex. Writes and cas go through the log; reads use
 * ReadIndex (the leader's commitIndex, at least its term's no-op, confirmed by a heartbeat round a majority
 * acknowledged after the read arrived). A follower redirects clients to the leader it knows ('not leader' with a
 * hint); while it knows none (mid-election) it holds their requests and redirects them once it learns one. A leader
 * that steps down drops its pending requests unanswered: their clients time out (info).
 */
export class RaftNode implements NodeProgram {
  role: 'follower' | 'candidate' | 'leader' = 'follower';
  /** Who this node believes is leader of currentTerm (itself when leader). */
  leaderId: string | undefined;

  // Persistent state (Figure 2).
  currentTerm: number;
  votedFor: string | null;
  /** log[i - 1] is entry i (Raft indexes from 1). */
  readonly log: LogEntry[] = [];

  // Volatile state.
  commitIndex = 0;
  lastApplied = 0;
  private readonly data = new Map<string, unknown>();
  private readonly sessions = new Map<string, Session>();

  // Leader state.
  private readonly nextIndex = new Map<string, number>();
  private readonly matchIndex = new Map<string, number>();
  /**
   * Followers with entries on the way and not yet answered: new entries wait for the answer and go in one batch
   * (flow control, as etcd's inflight window of one), instead of an AppendEntries per client request.
   */
  private readonly inflight = new Map<string, { last: number; at: number }>();
  /** The highest broadcast round each follower acknowledged in this term. */
  private readonly ackedRound = new Map<string, number>();
  private round = 0;
  /** The index of this leader's no-op: reads wait until it is committed. */
  private termStart = 0;
  private pendingWrites = new Map<number, PendingWrite>();
  private pendingReads: PendingRead[] = [];

  /** Client requests that reached this node while it knew no leader: redirected once it learns one. */
  private parked: { from: string; req: ClientRequest }[] = [];

  // Candidate state.
  private readonly votes = new Set<string>();

  private readonly rng: Rng;
  /**
   * The election timer, reset lazily: every AppendEntries pushes the deadline back, and one armed timer re-arms
   * itself until the deadline has truly passed (a timer per message would flood the event queue with dead ones).
   */
  private electionDeadline = 0;
  private cancelElection: (() => void) | undefined;

  constructor(
    private readonly ctx: NodeContext,
    private readonly behaviour: Behaviour = CORRECT,
  ) {
    this.rng = lifeRng(ctx.id, countBoot(ctx.storage));
    this.currentTerm = ctx.storage.get<number>('currentTerm') ?? 0;
    this.votedFor = ctx.storage.get<string | null>('votedFor') ?? null;
    const length = ctx.storage.get<number>('logLength') ?? 0;
    for (let i = 1; i <= length; i++) this.log.push(ctx.storage.get<LogEntry>(`log:${i}`)!);
    this.resetElectionTimer();
  }

  /** A key's value in this node's state machine (tests and debugging). */
  value(key: string | number): unknown {
    return this.data.get(String(key)) ?? null;
  }

  get lastLogIndex(): number {
    return this.log.length;
  }

  private termAt(index: number): number {
    return index === 0 ? 0 : (this.log[index - 1]?.term ?? -1);
  }

  private get majority(): number {
    return Math.floor((this.ctx.peers.length + 1) / 2) + 1;
  }

  // ---- persistence --------------------------------------------------------------------------------------------

  private persistTermAndVote(): void {
    this.ctx.storage.put('currentTerm', this.currentTerm);
    // forget-vote: the vote lives in memory only.
    if (!this.behaviour.forgetVote) this.ctx.storage.put('votedFor', this.votedFor);
  }

  /** Replaces the log from `from` (1-based) on with `entries`, durably. */
  private persistLogFrom(from: number, entries: LogEntry[]): void {
    this.log.length = from - 1;
    entries.forEach((e, i) => {
      this.log.push(e);
      this.ctx.storage.put(`log:${from + i}`, e);
    });
    this.ctx.storage.put('logLength', this.log.length);
  }

  // ---- messages -----------------------------------------------------------------------------------------------

  receive(from: string, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    const m = msg as PeerMessage;
    // All servers: a higher term makes this node a follower of that term (§5.1).
    if (m.term > this.currentTerm) this.stepDown(m.term);
    switch (m.type) {
      case 'RequestVote':
        return this.onRequestVote(from, m);
      case 'RequestVoteResponse':
        return this.onRequestVoteResponse(from, m);
      case 'AppendEntries':
        return this.onAppendEntries(from, m);
      case 'AppendEntriesResponse':
        return this.onAppendEntriesResponse(from, m);
    }
  }

  private stepDown(term: number): void {
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = null;
      this.persistTermAndVote();
      this.leaderId = undefined;
    }
    if (this.role !== 'follower') this.ctx.log(`steps down in term ${this.currentTerm}`);
    if (this.role === 'leader') this.resetElectionTimer();
    this.role = 'follower';
    // Uncommitted requests get no answer: their clients time out (info), they may still commit under a new leader.
    this.pendingWrites = new Map();
    this.pendingReads = [];
  }

  // ---- election -----------------------------------------------------------------------------------------------

  private resetElectionTimer(): void {
    this.electionDeadline = this.ctx.now() + this.rng.between(ELECTION_TIMEOUT_MS.min, ELECTION_TIMEOUT_MS.max);
    if (!this.cancelElection) this.armElectionTimer(this.electionDeadline - this.ctx.now());
  }

  private armElectionTimer(ms: number): void {
    this.cancelElection = this.ctx.setTimer(ms, () => {
      this.cancelElection = undefined;
      const left = this.electionDeadline - this.ctx.now();
      if (left > 0) this.armElectionTimer(left);
      else this.startElection();
    });
  }

  private stopElectionTimer(): void {
    this.cancelElection?.();
    this.cancelElection = undefined;
  }

  private startElection(): void {
    if (this.role === 'leader') return;
    this.role = 'candidate';
    this.currentTerm++;
    this.votedFor = this.ctx.id;
    this.leaderId = undefined;
    this.persistTermAndVote();
    this.votes.clear();
    this.votes.add(this.ctx.id);
    this.ctx.log(`starts an election for term ${this.currentTerm}`);
    const rv: RequestVote = {
      type: 'RequestVote',
      term: this.currentTerm,
      candidateId: this.ctx.id,
      lastLogIndex: this.lastLogIndex,
      lastLogTerm: this.termAt(this.lastLogIndex),
    };
    for (const p of this.ctx.peers) this.ctx.send(p, rv);
    this.resetElectionTimer();
    if (this.votes.size >= this.majority) this.becomeLeader();
  }

  private onRequestVote(from: string, m: RequestVote): void {
    const upToDate = m.lastLogTerm > this.termAt(this.lastLogIndex) || (m.lastLogTerm === this.termAt(this.lastLogIndex) && m.lastLogIndex >= this.lastLogIndex);
    const grant = m.term === this.currentTerm && (this.votedFor === null || this.votedFor === m.candidateId) && upToDate;
    if (grant) {
      this.votedFor = m.candidateId;
      this.persistTermAndVote(); // before the vote leaves
      this.resetElectionTimer();
    }
    const r: RequestVoteResponse = { type: 'RequestVoteResponse', term: this.currentTerm, voteGranted: grant };
    this.ctx.send(from, r);
  }

  private onRequestVoteResponse(from: string, m: RequestVoteResponse): void {
    if (this.role !== 'candidate' || m.term !== this.currentTerm || !m.voteGranted) return;
    this.votes.add(from);
    if (this.votes.size >= this.majority) this.becomeLeader();
  }

  private becomeLeader(): void {
    this.ctx.log(`becomes leader of term ${this.currentTerm}`);
    this.role = 'leader';
    this.leaderId = this.ctx.id;
    this.stopElectionTimer();
    this.nextIndex.clear();
    this.matchIndex.clear();
    this.ackedRound.clear();
    this.inflight.clear();
    for (const p of this.ctx.peers) {
      this.nextIndex.set(p, this.lastLogIndex + 1);
      this.matchIndex.set(p, 0);
    }
    // A no-op of this term: committing it commits everything before it, and reads wait for it (§8).
    this.persistLogFrom(this.lastLogIndex + 1, [{ term: this.currentTerm, command: { kind: 'noop' } }]);
    this.termStart = this.lastLogIndex;
    this.broadcast();
    this.flushParked();
    this.heartbeat(this.currentTerm);
  }

  private heartbeat(term: number): void {
    this.ctx.setTimer(HEARTBEAT_MS, () => {
      if (this.role !== 'leader' || this.currentTerm !== term) return;
      this.broadcast();
      this.heartbeat(term);
    });
  }

  // ---- replication --------------------------------------------------------------------------------------------

  /**
   * One AppendEntries round to every follower: what it lacks, or only the round (no entries, at its matchIndex) to
   * a follower whose entries are on their way — unless they have been for a heartbeat, when they are sent again.
   */
  private broadcast(): void {
    this.round++;
    for (const p of this.ctx.peers) {
      const f = this.inflight.get(p);
      this.sendAppendEntries(p, f !== undefined && this.ctx.now() - f.at < HEARTBEAT_MS);
    }
    this.maybeCommit(); // a single-node cluster
    this.serveReads();
  }

  /** Sends the follower what it lacks, unless entries are already on their way to it. */
  private replicate(peer: string): void {
    if (this.inflight.has(peer) || (this.nextIndex.get(peer) ?? 1) > this.lastLogIndex) return;
    this.sendAppendEntries(peer);
  }

  private sendAppendEntries(peer: string, roundOnly = false): void {
    // Entries up to matchIndex are known to match (§5.3), so an AppendEntries with none there always succeeds.
    const next = roundOnly ? (this.matchIndex.get(peer) ?? 0) + 1 : (this.nextIndex.get(peer) ?? this.lastLogIndex + 1);
    const entries = roundOnly ? [] : this.log.slice(next - 1, next - 1 + MAX_BATCH);
    if (entries.length) this.inflight.set(peer, { last: next - 1 + entries.length, at: this.ctx.now() });
    const ae: AppendEntries = {
      type: 'AppendEntries',
      term: this.currentTerm,
      leaderId: this.ctx.id,
      prevLogIndex: next - 1,
      prevLogTerm: this.termAt(next - 1),
      entries,
      leaderCommit: this.commitIndex,
      round: this.round,
    };
    this.ctx.send(peer, ae);
  }

  private onAppendEntries(from: string, m: AppendEntries): void {
    const reply = (success: boolean, matchIndex: number) => {
      const r: AppendEntriesResponse = { type: 'AppendEntriesResponse', term: this.currentTerm, success, matchIndex, lastLogIndex: this.lastLogIndex, round: m.round };
      this.ctx.send(from, r);
    };
    if (m.term < this.currentTerm) return reply(false, 0);
    // The leader of this term: a candidate of the same term gives up.
    if (this.role !== 'follower') this.stepDown(m.term);
    if (this.leaderId === undefined) {
      this.leaderId = m.leaderId;
      this.flushParked();
    }
    this.resetElectionTimer();
    if (m.prevLogIndex > this.lastLogIndex || this.termAt(m.prevLogIndex) !== m.prevLogTerm) return reply(false, 0);
    // Skip what already matches (a late or duplicated AppendEntries must not truncate), truncate at a conflict.
    let i = 0;
    while (i < m.entries.length && this.termAt(m.prevLogIndex + 1 + i) === m.entries[i].term) i++;
    if (i < m.entries.length) this.persistLogFrom(m.prevLogIndex + 1 + i, m.entries.slice(i));
    const lastNew = m.prevLogIndex + m.entries.length;
    if (m.leaderCommit > this.commitIndex) this.commitIndex = Math.max(this.commitIndex, Math.min(m.leaderCommit, lastNew));
    this.apply();
    reply(true, lastNew);
  }

  private onAppendEntriesResponse(from: string, m: AppendEntriesResponse): void {
    if (this.role !== 'leader' || m.term !== this.currentTerm) return;
    // Any answer in this term acknowledges this node as leader (the ReadIndex confirmation).
    this.ackedRound.set(from, Math.max(this.ackedRound.get(from) ?? 0, m.round));
    if (m.success) {
      if (m.matchIndex > (this.matchIndex.get(from) ?? 0)) this.matchIndex.set(from, m.matchIndex);
      if (m.matchIndex >= (this.inflight.get(from)?.last ?? Infinity)) this.inflight.delete(from);
      this.nextIndex.set(from, Math.max(this.nextIndex.get(from) ?? 1, (this.matchIndex.get(from) ?? 0) + 1));
      this.maybeCommit();
      this.replicate(from);
    } else {
      this.inflight.delete(from);
      const next = Math.max(1, Math.min((this.nextIndex.get(from) ?? 1) - 1, m.lastLogIndex + 1));
      this.nextIndex.set(from, Math.max(next, (this.matchIndex.get(from) ?? 0) + 1));
      this.sendAppendEntries(from);
    }
    this.serveReads();
  }

  /** Advances commitIndex to the highest entry of this term stored on a majority (§5.3, §5.4.2). */
  private maybeCommit(): void {
    const needed = this.behaviour.commitWithoutMajority ? Math.min(2, this.majority) : this.majority;
    for (let n = this.lastLogIndex; n > this.commitIndex; n--) {
      if (this.termAt(n) !== this.currentTerm) break;
      let count = 1;
      for (const p of this.ctx.peers) if ((this.matchIndex.get(p) ?? 0) >= n) count++;
      if (count >= needed) {
        this.commitIndex = n;
        break;
      }
    }
    this.apply();
  }

  /** Applies committed entries in order; the leader answers the requests they carry. */
  private apply(): void {
    while (this.lastApplied < this.commitIndex) {
      const index = ++this.lastApplied;
      const entry = this.log[index - 1];
      const result = this.applyCommand(entry);
      const pending = this.pendingWrites.get(index);
      if (pending) {
        this.pendingWrites.delete(index);
        if (pending.term === entry.term && result) pending.reply(result);
      }
    }
    if (this.role === 'leader') this.serveReads();
  }

  private applyCommand(entry: LogEntry): Completion | undefined {
    const c = entry.command;
    if (c.kind === 'noop') return undefined;
    const session = this.sessions.get(c.clientId);
    if (!this.behaviour.noDedup && session && session.seq >= c.seq) return session.result; // a retry: applied once
    const key = String(c.op.key);
    const r = applyRegisterOp(this.data.get(key) ?? null, c.op);
    if (r.next !== undefined) this.data.set(key, r.next);
    this.sessions.set(c.clientId, { seq: c.seq, result: r.completion });
    return r.completion;
  }

  // ---- clients ------------------------------------------------------------------------------------------------

  private onClient(from: string, req: ClientRequest): void {
    const { rid, op } = req;
    const reply = (c: Completion) => this.ctx.send(from, { rid, ...c });
    if (this.role !== 'leader') {
      // Mid-election: hold the request until a leader is known, rather than send the client round in circles.
      if (this.leaderId === undefined) return void this.parked.push({ from, req });
      return this.ctx.send(from, { rid, type: 'fail', value: op.value, error: NOT_LEADER, ...(this.leaderId === undefined ? {} : { leader: this.leaderId }) });
    }
    if (op.f === 'read') {
      if (this.behaviour.staleRead) return reply({ type: 'ok', value: this.value(op.key as string) });
      // The read needs a round begun after it arrived: the next one. While a round is unanswered, reads arriving
      // wait for the one after it together (ReadIndex batching); else that round begins now.
      this.pendingReads.push({ round: this.round + 1, readIndex: Math.max(this.commitIndex, this.termStart), key: String(op.key), reply });
      if (!this.roundOutstanding()) this.broadcast();
      return;
    }
    this.persistLogFrom(this.lastLogIndex + 1, [{ term: this.currentTerm, command: { kind: 'op', clientId: req.clientId, seq: req.seq, op } }]);
    this.pendingWrites.set(this.lastLogIndex, { term: this.currentTerm, reply });
    for (const p of this.ctx.peers) this.replicate(p);
    this.maybeCommit();
  }

  private flushParked(): void {
    const parked = this.parked;
    this.parked = [];
    for (const { from, req } of parked) this.onClient(from, req);
  }

  /** Whether a majority acknowledged broadcast round `round` (the leader counts itself). */
  private confirmed(round: number): boolean {
    let acks = 1;
    for (const p of this.ctx.peers) if ((this.ackedRound.get(p) ?? 0) >= round) acks++;
    return acks >= this.majority;
  }

  /** Whether the latest round still waits for a majority (a read arriving now waits for the next round). */
  private roundOutstanding(): boolean {
    return this.round > 0 && !this.confirmed(this.round);
  }

  /**
   * Answers the reads whose round a majority acknowledged and whose read index is applied; once the outstanding
   * round is confirmed, starts the round that reads which arrived meanwhile wait for.
   */
  private serveReads(): void {
    if (this.role !== 'leader' || this.pendingReads.length === 0) return;
    const still: PendingRead[] = [];
    for (const r of this.pendingReads) {
      if (this.confirmed(r.round) && this.lastApplied >= r.readIndex) r.reply({ type: 'ok', value: this.value(r.key) });
      else still.push(r);
    }
    this.pendingReads = still;
    if (still.some((r) => r.round > this.round) && !this.roundOutstanding()) this.broadcast();
  }
}
