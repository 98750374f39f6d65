import type { ClientOp, Completion } from '../../harness/runtime.js';

/**
 * The Raft messages (names from Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm",
 * extended version, Figure 2) and the client protocol of the raft-kv target.
 */

/** A command in the replicated log: a no-op (each new leader appends one) or a client's write/cas/read. */
export type Command = { kind: 'noop' } | { kind: 'op'; clientId: string; seq: number; op: ClientOp };

export interface LogEntry {
  term: number;
  command: Command;
}

export interface RequestVote {
  type: 'RequestVote';
  term: number;
  candidateId: string;
  lastLogIndex: number;
  lastLogTerm: number;
}

export interface RequestVoteResponse {
  type: 'RequestVoteResponse';
  term: number;
  voteGranted: boolean;
}

/**
 * `round` is not in the paper: the leader numbers its broadcasts, and a follower echoes the number, so that a
 * read (ReadIndex) knows when a majority has acknowledged this leader after the read arrived.
 */
export interface AppendEntries {
  type: 'AppendEntries';
  term: number;
  leaderId: string;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
  leaderCommit: number;
  round: number;
}

export interface AppendEntriesResponse {
  type: 'AppendEntriesResponse';
  term: number;
  success: boolean;
  /** On success: the last index known to match the leader's log. */
  matchIndex: number;
  /** The follower's last log index (lets the leader jump nextIndex back on a failure). */
  lastLogIndex: number;
  round: number;
}

export type PeerMessage = RequestVote | RequestVoteResponse | AppendEntries | AppendEntriesResponse;

/** The error of a request to a node that is not the leader: it did not happen, the client may try elsewhere. */
export const NOT_LEADER = 'not leader';

/** A client's request (the transport adds `rid`). `clientId` and `seq` identify it across retries. */
export interface ClientRequest {
  rid: number;
  op: ClientOp;
  clientId: string;
  seq: number;
}

export interface ClientReply extends Completion {
  rid: number;
  /** On 'not leader': who the replier believes is leader, if it knows. */
  leader?: string;
}

export function isClientRequest(msg: unknown): msg is ClientRequest {
  return typeof msg === 'object' && msg !== null && 'op' in msg && 'rid' in msg;
}
