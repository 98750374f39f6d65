import type { Op } from '../../../checkers/history/op.js';
import type { NodeFactory } from '../../node.js';
import type { Observations } from '../../observations.js';
import type { Client, Clock } from '../../runtime.js';
import type { TargetInfo } from '../../target.js';
import type { RequestTransport } from '../../transport.js';

/** A target as the simulation runs it: its node program and its client. */
export interface SimTarget extends TargetInfo {
  /** Node ids for a cluster of n. */
  nodeIds(n: number): string[];
  /** The node program, for the bug and the options (already checked against `options`) of the run. */
  node(bug: string | undefined, options: Readonly<Record<string, unknown>>): NodeFactory;
  /** `clock` is the run's virtual time, for a client that waits between attempts. */
  client(
    transport: RequestTransport,
    nodes: readonly string[],
    bug: string | undefined,
    process: number,
    options: Readonly<Record<string, unknown>>,
    clock: Clock,
  ): Client;
  /** Which nodes act as primary, from the node programs (HasPrimary). */
  primaries?(programs: ReadonlyMap<string, unknown>): string[];
  /**
   * What the target saw, as figures for the report, read from its node programs once the final reads are done.
   * `programs` has every node's: a live node's running program, a node dead at the end its last one (as it was when
   * killed). A restart starts a new program: what must outlive a kill is the program's to keep in durable storage.
   */
  observe?(programs: ReadonlyMap<string, unknown>, history: readonly Op[], nodes: readonly string[]): Observations;
  /** How the simulation changes this target's membership (TargetInfo.membership). */
  membership?: SimMembership;
}

/**
 * A target's membership as the simulation asks for changes: which nodes start as members, which may ever be, and
 * the message a node is sent to join or leave. Every node of the cluster runs from the start (a spare is up, not a
 * member); the node programs decide what membership means (a ring, a configuration) and answer the request.
 */
export interface SimMembership {
  /** The members at the start, out of the node ids (the others are spares that may join). */
  initial(nodes: readonly string[]): string[];
  /** Nodes that may ever be members (the others, e.g. a configuration group, never join or leave). */
  candidates(nodes: readonly string[]): string[];
  minMembers: number;
  /** The message the harness's admin endpoint sends the node to ask it to join or to leave. */
  request(op: 'join' | 'leave', node: string): Record<string, unknown>;
}
