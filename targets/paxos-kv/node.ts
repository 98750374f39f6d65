import { countBoot, lifeRng, type NodeContext, type NodeProgram } from '../../harness/node.js';
import type { Completion } from '../../harness/runtime.js';
import type { Rng } from '../../harness/rng.js';
import { isClientRequest, NOT_LEADER, type ClientRequest } from '../raft-kv/messages.js';
import { Acceptor } from './acceptor.js';
import { compareBallots, sameBallot, showBallot, ZERO_BALLOT, type Ballot } from './ballot.js';
import { Learner } from './learner.js';
import { NOOP, type Accept, type AcceptedReply, type AcceptedValue, type Command, type Heartbeat, type Nack, type PeerMessage, type Prepare, type PromiseReply } from './messages.js';

/** The leader's heartbeat period (virtual ms in the simulation, real ms in Docker). */
export const HEARTBEAT_MS = 50;
/** A node that hears no leader for a time drawn from this range runs phase 1 itself. */
export const ELECTION_TIMEOUT_MS = { min: 150, max: 300 } as const;
/** Most chosen values in one catch-up answer; most proposals sent again in one heartbeat. */
const MAX_BATCH = 64;
/** A catch-up request not answered in this long may be sent again. */
const CATCHUP_TIMEOUT_MS = 100;

/** What distinguishes the correct protocol from its bugs. */
export interface Behaviour {
  /** The acceptor's promise lives in memory only: a restarted acceptor accepts ballots below one it promised. */
  forgetPromise: boolean;
  /** A new leader proposes no-ops where phase 1 returned accepted values, instead of the highest-ballot one. */
  ignoreAccepted: boolean;
  /** A value counts as chosen once a majority less one acceptors (the leader and one other of five) accepted it. */
  minorityAccept: boolean;
  /** The leader answers reads from its own store at once, without a log instance. */
  localRead: boolean;
}

export const CORRECT: Behaviour = { forgetPromise: false, ignoreAccepted: false, minorityAccept: false, localRead: false };

/** A proposal of the leader's current ballot, not yet known chosen. */
interface Proposal {
  value: Command;
  accepts: Set<string>;
  sentAt: number;
}

/**
 * One node of a multi-decree Paxos register store (Lamport, "Paxos Made Simple"): acceptor, learner and proposer in
 * one. The distinguished proposer (the leader) keeps its ballot across instances: it runs phase 1 once, for every
 * instance from the first it does not know chosen, adopts in each the value of the highest ballot any promise
 * reported (a no-op where none did), and then runs phase 2 per instance for each client request: writes, cas and
 * reads alike go through the log, so a read is ordered with every write and answered once its instance is applied.
 *
 * A node that hears no leader (no Heartbeat or Accept of a ballot it has not refused) for an election time-out runs
 * phase 1 with a round above any it has seen; a refusal (Nack) of a higher ballot makes a leader or candidate step
 * down. A leader answers a client once the request's instance is applied; one that steps down drops its clients
 * unanswered (they time out: info). Followers redirect clients to the leader they know (raft-kv's client protocol).
 */
export class PaxosNode implements NodeProgram {
  role: 'follower' | 'candidate' | 'leader' = 'follower';
  /** The leader this node last heard (itself when leading). */
  leaderId: string | undefined;
  /** The ballot this node proposes with, as candidate or leader. */
  ballot: Ballot = ZERO_BALLOT;
  /** The ballot of the leader it follows. */
  private leaderBallot: Ballot = ZERO_BALLOT;

  readonly acceptor: Acceptor;
  readonly learner: Learner;

  // Candidate state: the promises of the current ballot, and where its phase 1 began.
  private promises = new Map<string, [number, AcceptedValue][]>();
  private prepareFrom = 0;

  // Leader state.
  private nextInstance = 0;
  private proposals = new Map<number, Proposal>();
  private pending = new Map<number, (c: Completion) => void>();

  /** The highest round this node ever used or saw (durable). */
  private round: number;
  private readonly rng: Rng;
  private electionDeadline = 0;
  private cancelElection: (() => void) | undefined;
  private cancelHeartbeat: (() => void) | undefined;
  private catchupAt = -Infinity;

  constructor(
    private readonly ctx: NodeContext,
    private readonly behaviour: Behaviour = CORRECT,
  ) {
    this.rng = lifeRng(ctx.id, countBoot(ctx.storage));
    this.round = ctx.storage.get<number>('round') ?? 0;
    this.acceptor = new Acceptor(ctx.storage, behaviour.forgetPromise);
    this.learner = new Learner(ctx.storage, (instance, result) => this.applied(instance, result));
    this.resetElectionTimer();
  }

  /** A key's value in this node's store (tests and debugging). */
  value(key: string | number): unknown {
    return this.learner.value(key);
  }

  private get majority(): number {
    return Math.floor((this.ctx.peers.length + 1) / 2) + 1;
  }

  /** Accepts that make a value chosen: a majority (minority-accept: one fewer). */
  private get acceptQuorum(): number {
    return this.behaviour.minorityAccept ? Math.max(1, this.majority - 1) : this.majority;
  }

  /** Records a round used or seen: a new ballot goes above every one, across restarts. */
  private seeRound(round: number): void {
    if (round <= this.round) return;
    this.round = round;
    this.ctx.storage.put('round', round);
  }

  // ---- messages -----------------------------------------------------------------------------------------------

  receive(from: string, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    const m = msg as PeerMessage;
    switch (m.type) {
      case 'Prepare':
        return this.onPrepare(from, m);
      case 'Promise':
        return this.onPromise(from, m);
      case 'Accept':
        return this.onAccept(from, m);
      case 'Accepted':
        return this.onAccepted(from, m);
      case 'Nack':
        return this.onNack(m);
      case 'Heartbeat':
        return this.onHeartbeat(from, m);
      case 'Catchup':
        return this.onCatchup(from, m.from);
      case 'Chosen':
        for (const [i, v] of m.values) this.learner.learn(i, v);
        return;
    }
  }

  private broadcast(msg: PeerMessage): void {
    for (const p of this.ctx.peers) this.ctx.send(p, msg);
  }

  // ---- phase 1 ------------------------------------------------------------------------------------------------

  private resetElectionTimer(): void {
    const { min, max } = ELECTION_TIMEOUT_MS;
    this.electionDeadline = this.ctx.now() + min + this.rng.next() * (max - min);
    if (this.cancelElection) return;
    const check = () => {
      this.cancelElection = undefined;
      if (this.role === 'leader') return;
      const left = this.electionDeadline - this.ctx.now();
      if (left > 0) {
        this.cancelElection = this.ctx.setTimer(left, check);
        return;
      }
      this.startPhase1();
    };
    this.cancelElection = this.ctx.setTimer(this.electionDeadline - this.ctx.now(), check);
  }

  /** Becomes a candidate: a fresh ballot, its own promise, and Prepare to every other acceptor. */
  private startPhase1(): void {
    const round = Math.max(this.round, this.acceptor.promised.round) + 1;
    this.seeRound(round);
    this.ballot = { round, id: this.ctx.id };
    this.role = 'candidate';
    this.leaderId = undefined;
    this.dropClients();
    this.promises = new Map();
    this.prepareFrom = this.learner.frontier;
    this.ctx.log(`prepares ballot ${showBallot(this.ballot)} from instance ${this.prepareFrom}`);
    this.resetElectionTimer();
    const own = this.acceptor.prepare(this.ballot, this.prepareFrom);
    if (own === undefined) return; // promised a higher ballot since: the next time-out goes above it
    this.promises.set(this.ctx.id, own);
    this.broadcast({ type: 'Prepare', ballot: this.ballot, from: this.prepareFrom });
    this.maybeLead();
  }

  private onPrepare(from: string, m: Prepare): void {
    const accepted = this.acceptor.prepare(m.ballot, m.from);
    if (accepted === undefined) return this.ctx.send(from, { type: 'Nack', ballot: m.ballot, promised: this.acceptor.promised } satisfies Nack);
    this.seeRound(m.ballot.round);
    // Promising a higher ballot than its own: this node's own proposals would now be refused by itself.
    if (this.role !== 'follower' && compareBallots(m.ballot, this.ballot) > 0) this.stepDown(`promised ${showBallot(m.ballot)}`);
    this.ctx.send(from, { type: 'Promise', ballot: m.ballot, accepted } satisfies PromiseReply);
  }

  private onPromise(from: string, m: PromiseReply): void {
    if (this.role !== 'candidate' || !sameBallot(m.ballot, this.ballot)) return;
    this.promises.set(from, m.accepted);
    this.maybeLead();
  }

  /**
   * With a majority of promises: in each instance from where phase 1 began, the value of the highest ballot any
   * promise reported (Paxos's rule: a value that may have been chosen is the only one a higher ballot may propose),
   * a no-op where none did (ignore-accepted: a no-op everywhere); then phase 2 for all of them.
   */
  private maybeLead(): void {
    if (this.role !== 'candidate' || this.promises.size < this.majority) return;
    const adopted = new Map<number, AcceptedValue>();
    for (const accepted of this.promises.values()) {
      for (const [i, a] of accepted) {
        const known = adopted.get(i);
        if (!known || compareBallots(a.ballot, known.ballot) > 0) adopted.set(i, a);
      }
    }
    let top = this.prepareFrom - 1;
    for (const i of adopted.keys()) top = Math.max(top, i);
    this.role = 'leader';
    this.leaderId = this.ctx.id;
    this.leaderBallot = this.ballot;
    this.proposals = new Map();
    this.nextInstance = top + 1;
    this.ctx.log(`leads with ballot ${showBallot(this.ballot)}, re-proposing instances ${this.prepareFrom}–${top}`);
    for (let i = this.prepareFrom; i <= top; i++) {
      const chosen = this.learner.chosenIn(i);
      const value = chosen ?? (this.behaviour.ignoreAccepted ? NOOP : (adopted.get(i)?.value ?? NOOP));
      this.propose(i, value);
      if (this.role !== 'leader') return;
    }
    this.heartbeat();
  }

  private onNack(m: Nack): void {
    this.seeRound(m.promised.round);
    if (this.role !== 'follower' && sameBallot(m.ballot, this.ballot)) this.stepDown(`refused by a promise of ${showBallot(m.promised)}`);
  }

  private stepDown(why: string): void {
    this.ctx.log(`steps down from ballot ${showBallot(this.ballot)}: ${why}`);
    this.role = 'follower';
    this.leaderId = undefined;
    this.proposals = new Map();
    this.dropClients();
    this.cancelHeartbeat?.();
    this.cancelHeartbeat = undefined;
    this.resetElectionTimer();
  }

  /** Requests waiting on this node as leader get no answer: their clients time out (info); they may still be chosen. */
  private dropClients(): void {
    this.pending = new Map();
  }

  // ---- phase 2 ------------------------------------------------------------------------------------------------

  private propose(instance: number, value: Command): void {
    const proposal: Proposal = { value, accepts: new Set(), sentAt: this.ctx.now() };
    this.proposals.set(instance, proposal);
    if (!this.acceptor.accept(this.ballot, instance, value)) return this.stepDown('its own acceptor promised a higher ballot');
    proposal.accepts.add(this.ctx.id);
    this.broadcast(this.acceptMessage(instance, value));
    this.checkChosen(instance, proposal);
  }

  private acceptMessage(instance: number, value: Command): Accept {
    return { type: 'Accept', ballot: this.ballot, instance, value };
  }

  private onAccept(from: string, m: Accept): void {
    if (!this.acceptor.accept(m.ballot, m.instance, m.value)) {
      return this.ctx.send(from, { type: 'Nack', ballot: m.ballot, promised: this.acceptor.promised } satisfies Nack);
    }
    this.ctx.send(from, { type: 'Accepted', ballot: m.ballot, instance: m.instance } satisfies AcceptedReply);
    this.follow(from, m.ballot);
  }

  private onAccepted(from: string, m: AcceptedReply): void {
    if (this.role !== 'leader' || !sameBallot(m.ballot, this.ballot)) return;
    const proposal = this.proposals.get(m.instance);
    if (!proposal) return;
    proposal.accepts.add(from);
    this.checkChosen(m.instance, proposal);
  }

  private checkChosen(instance: number, proposal: Proposal): void {
    if (proposal.accepts.size < this.acceptQuorum) return;
    this.proposals.delete(instance);
    this.learner.learn(instance, proposal.value);
  }

  /** A leader's request is answered once its instance is applied, with the result the store gave it. */
  private applied(instance: number, result: Completion | undefined): void {
    const reply = this.pending.get(instance);
    if (!reply) return;
    this.pending.delete(instance);
    reply(result ?? { type: 'fail', error: 'replaced by a no-op' });
  }

  // ---- the leader's beat, and learning ------------------------------------------------------------------------

  /** Every beat: the ballot and what is chosen to every follower, and proposals not yet chosen sent again. */
  private heartbeat(): void {
    this.cancelHeartbeat?.();
    this.cancelHeartbeat = undefined;
    if (this.role !== 'leader') return;
    this.broadcast({ type: 'Heartbeat', ballot: this.ballot, chosenTop: this.learner.frontier } satisfies Heartbeat);
    const now = this.ctx.now();
    let resent = 0;
    for (const [i, p] of this.proposals) {
      if (resent >= MAX_BATCH) break;
      if (now - p.sentAt < HEARTBEAT_MS) continue;
      p.sentAt = now;
      resent++;
      const m = this.acceptMessage(i, p.value);
      for (const peer of this.ctx.peers) if (!p.accepts.has(peer)) this.ctx.send(peer, m);
    }
    this.cancelHeartbeat = this.ctx.setTimer(HEARTBEAT_MS, () => this.heartbeat());
  }

  private onHeartbeat(from: string, m: Heartbeat): void {
    if (compareBallots(m.ballot, this.acceptor.promised) < 0) {
      return this.ctx.send(from, { type: 'Nack', ballot: m.ballot, promised: this.acceptor.promised } satisfies Nack);
    }
    if (this.follow(from, m.ballot)) this.learnUpTo(from, m.ballot, m.chosenTop);
  }

  /**
   * A leader of a ballot this node has not refused: it follows it (no election while it beats). Whether it now
   * follows `leader`.
   */
  private follow(leader: string, ballot: Ballot): boolean {
    if (leader === this.ctx.id) return false;
    this.seeRound(ballot.round);
    if (this.role !== 'follower' && compareBallots(ballot, this.ballot) >= 0) this.stepDown(`${leader} leads with ${showBallot(ballot)}`);
    if (this.role !== 'follower') return false;
    if (compareBallots(ballot, this.leaderBallot) >= 0 || this.leaderId === undefined) {
      this.leaderId = leader;
      this.leaderBallot = ballot;
    }
    if (leader !== this.leaderId) return false;
    this.resetElectionTimer();
    return true;
  }

  /**
   * What the leader says is chosen: below `chosenTop`, a value this node accepted in the leader's own ballot is the
   * chosen one (a ballot proposes one value per instance); anything else it asks the leader for.
   */
  private learnUpTo(leader: string, ballot: Ballot, chosenTop: number): void {
    for (let i = this.learner.frontier; i < chosenTop; i = this.learner.frontier) {
      const a = this.acceptor.acceptedIn(i);
      if (!a || !sameBallot(a.ballot, ballot)) {
        const now = this.ctx.now();
        if (now - this.catchupAt >= CATCHUP_TIMEOUT_MS) {
          this.catchupAt = now;
          this.ctx.send(leader, { type: 'Catchup', from: i });
        }
        return;
      }
      this.learner.learn(i, a.value);
    }
  }

  private onCatchup(from: string, start: number): void {
    const values: [number, Command][] = [];
    for (let i = start; values.length < MAX_BATCH; i++) {
      const v = this.learner.chosenIn(i);
      if (v === undefined) break;
      values.push([i, v]);
    }
    if (values.length > 0) this.ctx.send(from, { type: 'Chosen', values });
  }

  // ---- clients ------------------------------------------------------------------------------------------------

  private onClient(from: string, req: ClientRequest): void {
    const reply = (c: Completion) => this.ctx.send(from, { rid: req.rid, ...c });
    if (this.role !== 'leader') {
      return this.ctx.send(from, { rid: req.rid, type: 'fail', value: req.op.value, error: NOT_LEADER, ...(this.leaderId === undefined ? {} : { leader: this.leaderId }) });
    }
    if (this.behaviour.localRead && req.op.f === 'read') return reply(this.learner.readLocal(req.op.key as string));
    const instance = this.nextInstance++;
    this.pending.set(instance, reply);
    this.propose(instance, { kind: 'op', clientId: req.clientId, seq: req.seq, op: req.op });
  }
}
