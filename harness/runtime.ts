import type { CompletionType, Key, Op } from '../checkers/history/op.js';
import type { Grudge } from './nemesis/grudge.js';
import type { Observations } from './observations.js';

/**
 * The runtime contract: how a test's cluster is started, reached and broken. The simulation and Docker implement
 * it; the run loop (harness/run.ts) knows only this. Time is the runtime's: virtual in the simulation (a 10 s
 * test runs in a fraction of that), the wall clock elsewhere, so everything that waits (think time, client
 * time-outs, the nemesis schedule) is scheduled through `at`, never setTimeout.
 */
export interface Clock {
  /** Milliseconds since the run started. */
  now(): number;
  /** Runs `fn` after `ms`. */
  at(ms: number, fn: () => void): void;
}

/** What a client asks for: one operation of the workload. */
export interface ClientOp {
  f: string;
  key?: Key;
  value: unknown;
}

/** How it ended: ok (happened), fail (certainly did not), info (unknown: the process is retired). */
export interface Completion {
  type: CompletionType;
  value?: unknown;
  error?: string;
  /**
   * How the op was served, recorded beside it on the completion (Jepsen ops carry such keys): a cache read's `hit`.
   * Checkers that know a key read it; the history's own fields (index, time, process, type, f, key, value, error)
   * cannot be named here.
   */
  extra?: Readonly<Record<string, unknown>>;
}

/** One logical process's connection to the cluster (Jepsen's client): one operation in flight at a time. */
export interface Client {
  invoke(op: ClientOp, done: (c: Completion) => void): void;
  close(): void;
  /**
   * The nemesis crashes this process (`crash-client`): at the next point where dying loses the most — a consumer
   * after its batch is read and before it is acknowledged or committed — the op in flight ends `info` and the client
   * does nothing more (the harness then closes it and a fresh process takes over). Optional: without it the harness
   * crashes the process at its next op, recording `info` as soon as it is invoked. A client that knows where its
   * batches are half done is what makes the fault find what at-least-once delivery hides.
   */
  crash?(): void;
}

/**
 * Fault injection, recorded by the nemesis in the history. In the simulation a call takes effect at once (and returns
 * nothing, so a seed replays exactly); a real runtime returns a promise that settles once the fault is in force (an
 * iptables rule written, a container killed), and rejects with why it could not be.
 */
export type FaultDone = void | Promise<void>;

/**
 * Faults between the harness's clients and the nodes, made by the TCP fault proxy the clients connect through:
 * traffic between nodes is untouched. Each call replaces that kind of fault on the nodes (a delay and a throttle
 * compose; a cut stops everything while it lasts); `heal` undoes all of them on those nodes (every node when none
 * are named).
 */
export interface ClientFaults {
  /** The nodes' client connections go dead: `drop` forwards nothing more (a black hole), `reset` closes with RST. */
  cut(nodes: readonly string[], mode: 'drop' | 'reset'): FaultDone;
  /** Each chunk to and from these nodes is held back by an extra delay (ms), in order. */
  delay(nodes: readonly string[], ms: { min: number; max: number }): FaultDone;
  /** Each chunk is, with probability p, held back for a retransmission time-out: packet loss as TCP shows it. */
  lose(nodes: readonly string[], p: number): FaultDone;
  /** Traffic to and from these nodes trickles at this many bytes per second, each way. */
  throttle(nodes: readonly string[], bytesPerSecond: number): FaultDone;
  heal(nodes?: readonly string[]): FaultDone;
}

/** A change of a node's wall clock: a jump by `offsetMs` (forward when positive), or a drift at `rate` times real time. */
export type ClockChange = { offsetMs: number } | { rate: number };

/**
 * A node's wall clock, changed under the running processes (the monotonic clock is left alone, as an NTP step
 * leaves it): what a lease or a TTL computed from the wall clock meets when a clock jumps.
 */
export interface ClockFaults {
  /** Replaces any change in force on the node. */
  change(node: string, change: ClockChange): FaultDone;
  /** The node's clock is right again (a forward jump undone is a jump back). */
  reset(node: string): FaultDone;
}

/**
 * Membership changes: a node joins or leaves the system's membership (a ring, a configuration) while it runs. A
 * change of state, not a fault undone when its window ends: the system decides it when it can (a killed, paused or
 * cut-off node delays it), and the harness only asks.
 */
export interface MembershipFaults {
  /** The nodes that are members now, as far as the harness asked (initially the target's initial members). */
  members(): readonly string[];
  /** Every node that may be a member (members and spares). */
  readonly candidates: readonly string[];
  /** The fewest members the system must keep: the nemesis never asks a leave below it. */
  readonly minMembers: number;
  join(node: string): FaultDone;
  leave(node: string): FaultDone;
}

export interface Faults {
  /** A partition of any shape: each node drops what the nodes its grudge names send it. Replaces the last one. */
  partition(grudge: Grudge): FaultDone;
  /** Undoes every partition, latency and loss fault. */
  heal(): FaultDone;
  kill(node: string): FaultDone;
  restart(node: string): FaultDone;
  pause(node: string): FaultDone;
  resume(node: string): FaultDone;
  /** Extra one-way delay (ms) on messages to and from these nodes, until heal(). */
  slow(nodes: readonly string[], ms: { min: number; max: number }): FaultDone;
  /** Drops each message to or from these nodes with probability p, until heal(). */
  lose(nodes: readonly string[], p: number): FaultDone;
  /** Client-to-node faults, where the runtime has the proxy in front of the nodes (its capabilities say so). */
  readonly client?: ClientFaults;
  /** Clock faults, where the runtime can change a node's clock (its capabilities say so). */
  readonly clock?: ClockFaults;
  /** Membership changes, where the runtime can ask the target for them (its capabilities and TargetInfo.membership say so). */
  readonly membership?: MembershipFaults;
}

/** The run a cluster serves, once its directory exists: where to keep its fault journal and copied logs. */
export interface RunAttachment {
  readonly dir: string;
  /** Appends a line to the run's run.log. */
  log(line: string): void;
}

export interface Cluster {
  readonly nodes: readonly string[];
  readonly faults: Faults;
  /** A fresh client for a logical process. */
  client(process: number): Client;
  /** The nodes that currently act as primary or leader, for nemeses that target them (HasPrimary). */
  primaries?(): string[];
  /** Told the run's directory before the first fault (a cluster we do not own journals its faults there). */
  attach?(run: RunAttachment): void;
  /**
   * What the target saw during the run, as figures for the report (keys per node, suspicions against faults): asked
   * once, after the final reads and before `stop`, with the whole history. Never judged; a throw loses the figures,
   * not the run.
   */
  observe?(history: readonly Op[]): Observations | Promise<Observations>;
  stop(): Promise<void>;
}

export interface StartOptions {
  nodes: number;
  bug?: string;
  seed: number;
  /** The target's options from the test definition (e.g. how many replicas must acknowledge a write). */
  options?: Readonly<Record<string, unknown>>;
  /**
   * The nemesis has client faults (client-partition, …): a runtime that makes them with the fault proxy puts it in
   * front of the nodes. Without them the clients reach the nodes directly, with no extra hop.
   */
  clientFaults?: boolean;
  /** The nemesis has clock faults: a runtime that makes them by preloading a fake clock does so only then. */
  clockFaults?: boolean;
}

export interface Runtime extends Clock {
  readonly name: string;
  /**
   * Refuses, from the declarations alone, what `start` would refuse (an unknown target or bug, a target the local
   * image lacks packages for): the run calls it before anything is stored, so a test that does not fit stores
   * nothing. What only starting finds out (Docker unreachable, a node that does not answer) is `start`'s, and the
   * run records it.
   */
  refuse?(target: string, options: StartOptions): void;
  start(target: string, options: StartOptions): Promise<Cluster>;
  /** Makes time pass until `finished()` holds (the simulation runs its events; real runtimes wait). */
  drive(finished: () => boolean): Promise<void>;
}
