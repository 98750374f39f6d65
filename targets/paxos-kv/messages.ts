import type { ClientOp } from '../../harness/runtime.js';
import type { Ballot } from './ballot.js';

/**
 * The messages of multi-decree Paxos (Lamport, "Paxos Made Simple", 2001, §2 and §3), with the distinguished
 * proposer (the leader) of §3: one phase 1 for every instance from the first it does not know chosen, then phase 2
 * per instance. `chosenTop` is not in the paper: the leader tells its followers on each Heartbeat the first instance
 * it does not know chosen, so they learn what was chosen without a message per instance (Raft's leaderCommit does
 * the same). Announced only on the beat, every 50 ms, it leaves each failover with instances the old leader had
 * chosen and answered that no follower knows chosen yet: the new leader must recover them from phase 1, which is
 * the path the correct protocol must get right and the one ignore-accepted breaks.
 */

/** A value of the log: a no-op (a gap a new leader fills) or a client's read, write or cas. */
export type Command = { kind: 'noop' } | { kind: 'op'; clientId: string; seq: number; op: ClientOp };

export const NOOP: Command = Object.freeze({ kind: 'noop' });

/** What an acceptor accepted in one instance: the ballot and the value. */
export interface AcceptedValue {
  ballot: Ballot;
  value: Command;
}

/** Phase 1a: promise no ballot below `ballot`, and tell what you accepted in every instance from `from` on. */
export interface Prepare {
  type: 'Prepare';
  ballot: Ballot;
  from: number;
}

/** Phase 1b. */
export interface PromiseReply {
  type: 'Promise';
  ballot: Ballot;
  accepted: [instance: number, accepted: AcceptedValue][];
}

/** Phase 2a. */
export interface Accept {
  type: 'Accept';
  ballot: Ballot;
  instance: number;
  value: Command;
}

/** Phase 2b. */
export interface AcceptedReply {
  type: 'Accepted';
  ballot: Ballot;
  instance: number;
}

/** A refusal: the acceptor promised a higher ballot. The proposer of `ballot` stops leading. */
export interface Nack {
  type: 'Nack';
  ballot: Ballot;
  promised: Ballot;
}

/** The leader's beat: it still leads with `ballot`; everything below `chosenTop` is chosen. */
export interface Heartbeat {
  type: 'Heartbeat';
  ballot: Ballot;
  chosenTop: number;
}

/** A learner that cannot tell what was chosen from what it accepted asks the leader for the values themselves. */
export interface Catchup {
  type: 'Catchup';
  from: number;
}

export interface Chosen {
  type: 'Chosen';
  values: [instance: number, value: Command][];
}

export type PeerMessage = Prepare | PromiseReply | Accept | AcceptedReply | Nack | Heartbeat | Catchup | Chosen;
