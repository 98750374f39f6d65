/**
 * The replicated log's messages: the controller's record of each partition (kept in a Raft register), replication
 * between brokers (Kafka's follower fetch, with the leader epoch that fences stale leaders and finds where a
 * follower's log diverges), and the client protocol.
 */

/** One record of a partition's log: the leader epoch it was appended in, and the producer's id and sequence (dedup). */
export interface Entry {
  epoch: number;
  key: string;
  value: number;
  producer: string;
  seq: number;
}

/**
 * What the controller decided for one partition (Kafka's PartitionState): its leader, the leader epoch (bumped by
 * every election), the partition epoch (by every change), the in-sync replicas, and the fixed replica set. Stored as JSON text so a cas compares it exactly.
 */
export interface PartitionState {
  partition: number;
  epoch: number;
  /** Kafka's partition epoch: bumped by every change (an election or an ISR change). */
  version: number;
  leader: string;
  isr: string[];
  replicas: string[];
}

/**
 * A follower asks its leader for what follows `offset` (it has [0, offset)). `lastEpoch` is the epoch of its entry
 * at offset - 1: the leader checks it against its own (Kafka's OffsetsForLeaderEpoch folded into the fetch).
 */
export interface Fetch {
  kind: 'fetch';
  /** The follower's number for this fetch: an answer to an older one (re-sent after a time-out) is dropped. */
  id: number;
  partition: number;
  epoch: number;
  offset: number;
  lastEpoch: number;
}

/**
 * The leader's answer: entries from the fetch's offset and its high watermark; or `diverging`, the end of the
 * follower's last epoch in the leader's log, to which the follower truncates; or `fenced`, the epochs differ.
 * `group` is the consumer group's committed offset, so that a new leader resumes the group near where it was.
 */
export interface Fetched {
  kind: 'fetched';
  id: number;
  partition: number;
  /** The fetch's offset, where `entries` begin. */
  offset: number;
  epoch: number;
  entries?: Entry[];
  hw?: number;
  group?: number;
  diverging?: number;
  fenced?: true;
}

/** Client requests (the transport adds `rid`). */
export type ClientRequest =
  | { kind: 'produce'; partition: number; key: string; value: number; producer: string; seq: number }
  | { kind: 'read'; partition: number; from: number; max: number }
  | { kind: 'group-read'; partition: number; max: number }
  | { kind: 'commit'; partition: number; offset: number };

/** The error of a request to a broker that does not lead the partition: it did not happen. */
export const NOT_LEADER = 'not leader';

/** A broker's reply: `error` (with the leader it knows of), or the request's result. */
export interface ClientReply {
  rid: number;
  error?: string;
  leader?: string;
  offset?: number;
  /** Reads: [offset, value] pairs from `from`, up to the high watermark. */
  entries?: [number, number][];
  from?: number;
  hw?: number;
}

export const CLIENT_KINDS: readonly string[] = ['produce', 'read', 'group-read', 'commit'];
