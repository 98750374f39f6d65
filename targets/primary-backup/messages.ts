import type { ClientOp, Completion } from '../../harness/runtime.js';

/**
 * The primary-backup protocol's messages. Every node-to-node message carries the sender's ballot: which primary
 * it follows, at which epoch. A higher ballot always wins, so a deposed primary (or a replica that missed a
 * failover) learns of the new primary from the first message it gets from the new regime.
 */

/** Who is primary, since when. Epochs only change by failover (the lost-failover bug); ties go to the lower id. */
export interface Ballot {
  epoch: number;
  primary: string;
}

/** > 0 when `a` is newer than `b`. */
export function compareBallots(a: Ballot, b: Ballot): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  // Same epoch, two self-promoted primaries (each cut off from the other): the lower id wins.
  return compareIds(b.primary, a.primary);
}

export function sameBallot(a: Ballot, b: Ballot): boolean {
  return a.epoch === b.epoch && a.primary === b.primary;
}

/** n2 < n10: node ids ordered by their number. */
export function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The error of an op sent to a node that is not the primary: it did not happen, the client may try elsewhere. */
export const NOT_PRIMARY = 'not primary';

/** A client's request (the transport adds `rid`). */
export interface ClientRequest {
  rid: number;
  op: ClientOp;
}

/** The reply to a request: a completion, and on 'not primary' the node the replier believes is primary. */
export interface ClientReply {
  rid: number;
  type: Completion['type'];
  value: unknown;
  error?: string;
  primary?: string;
}

/**
 * Primary → everyone, every HEARTBEAT_MS: "I am primary and at `seq`". Replicas answer, which is how the primary
 * finds out that a replica it dropped is reachable again, and how replicas notice the primary went silent.
 */
export interface Heartbeat {
  kind: 'heartbeat';
  ballot: Ballot;
  seq: number;
}

/** The answer to a heartbeat. `synced`: the replica's state belongs to this primary's log (else it needs a transfer). */
export interface HeartbeatAck {
  kind: 'heartbeat-ack';
  ballot: Ballot;
  seq: number;
  synced: boolean;
}

/** One applied write, number `seq` of the primary's log; replicas apply them strictly in order. */
export interface Replicate {
  kind: 'replicate';
  ballot: Ballot;
  seq: number;
  key: string;
  value: unknown;
}

/** Cumulative: the replica has applied (and made durable) everything up to `seq`. */
export interface ReplicateAck {
  kind: 'replicate-ack';
  ballot: Ballot;
  seq: number;
}

/** A full state transfer: how a replica that fell behind (or follows a new primary) catches up. */
export interface StateTransfer {
  kind: 'state';
  ballot: Ballot;
  seq: number;
  data: Record<string, unknown>;
}

export interface StateAck {
  kind: 'state-ack';
  ballot: Ballot;
  seq: number;
}

export type PeerMessage = Heartbeat | HeartbeatAck | Replicate | ReplicateAck | StateTransfer | StateAck;

export function isClientRequest(msg: unknown): msg is ClientRequest {
  return typeof msg === 'object' && msg !== null && 'op' in msg && 'rid' in msg;
}
