import type { ClientOp } from '../../harness/runtime.js';
import type { RingConfig } from './configuration.js';
import type { Stored } from './replica.js';

/**
 * The sharded store's messages. Requests carry `kind` (and an `rid` the reply echoes, see node-rpc.ts); replies
 * carry no kind. Every request about data names the epoch its sender routes by: a shard at another epoch refuses it.
 */

/** A router's operation, to the owner it chose: the primary for writes and cas, any owner for reads. */
export interface OpRequest {
  kind: 'op';
  epoch: number;
  op: ClientOp;
  /** The owners the router's ring gives (a shard that checks epochs computes its own). */
  owners?: string[];
}

/** ABD's first phase: a replica's copy of a key. */
export interface GetRequest {
  kind: 'get';
  epoch: number;
  key: string;
}

/** ABD's second phase (and a hand-off's delivery, `handoff`): keep this copy if newer. */
export interface PutRequest {
  kind: 'put';
  epoch: number;
  key: string;
  stored: Stored;
  handoff?: boolean;
  /** A hand-off's delivery names its configuration: a joiner may not have heard of it yet. */
  config?: RingConfig;
}

/** A hand-off's collection from an old member: move to this configuration, and send every key you hold. */
export interface HandoffRequest {
  kind: 'handoff';
  config: RingConfig;
}

/** A configuration a node should know of (after a hand-off settles it); no reply. */
export interface ConfigNotice {
  kind: 'config';
  config: RingConfig;
}

/** A shard's heartbeat to the other shards' failure detectors; no reply. */
export interface Heartbeat {
  kind: 'hb';
}

/** The harness's membership nemesis: this node should join, or leave, the ring. */
export interface AdminRequest {
  kind: 'join' | 'leave';
}

export type Request = OpRequest | GetRequest | PutRequest | HandoffRequest | ConfigNotice | Heartbeat | AdminRequest;

/**
 * Why a shard refused a request, before anything happened: `epoch` (the sender is behind: the reply has the newer
 * configuration), `behind` (this shard is: it is fetching the configuration), `moving` (the key is being handed off),
 * `not-owner`, `not-primary`.
 */
export type Refusal = 'epoch' | 'behind' | 'moving' | 'not-owner' | 'not-primary';

export const REFUSALS: readonly string[] = ['epoch', 'behind', 'moving', 'not-owner', 'not-primary'];

export const isRequest = (msg: unknown): msg is Request & { rid?: number } =>
  typeof msg === 'object' && msg !== null && typeof (msg as { kind?: unknown }).kind === 'string';
