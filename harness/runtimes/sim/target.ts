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
}
