/*
 * The words a test definition is made of, without the schema that checks one (zod): what the registry and
 * `faultline check` need, loaded without the definition's parser.
 */

/**
 * The runtimes a test can run on: the embedded simulation, real servers in Docker containers, and a cluster someone
 * else started (`external`: the user's own nodes, reached at the addresses the test names).
 */
export const RUNTIMES = ['sim', 'docker', 'external'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/**
 * Faults between the harness's clients and the nodes, made by the TCP fault proxy the clients connect through
 * (harness/proxy/): the nodes among themselves are untouched (a client cut off from a primary, not a primary cut
 * off from its replicas). Kinds of their own, so that a nemesis that needs node-to-node faults is refused where
 * only these exist rather than run silently weaker. `client-partition`: the aimed nodes' connections go dead
 * (dropped or reset); `client-latency`: delayed; `client-loss`: what packet loss does to TCP, stalls of a
 * retransmission time-out; `client-slow`: a trickle of bandwidth.
 */
export const CLIENT_FAULT_KINDS = ['client-partition', 'client-latency', 'client-loss', 'client-slow'] as const;
export type ClientFaultKind = (typeof CLIENT_FAULT_KINDS)[number];

/**
 * Faults of the nodes themselves and of the network between them. `crash-loop` crash-restarts its nodes again and
 * again while it lasts (a process crash-looping under its supervisor): many elections, each with nodes that forget
 * what they did not persist.
 */
export const NODE_FAULT_KINDS = ['partition', 'kill', 'pause', 'latency', 'loss', 'crash-loop'] as const;
export type NodeFaultKind = (typeof NODE_FAULT_KINDS)[number];

/**
 * Faults of the harness's own logical processes, which every runtime has: `pause-client` stalls a process between
 * two of its operations (a GC pause, a descheduled VM), by default one inside its critical section, for longer than a
 * lock's lease; `crash-client` crashes a process where dying loses the most (a consumer after it read a batch and
 * before it acknowledged it, as Jepsen's Kafka test crashes its clients): its op ends `info` and a fresh process takes
 * its place. Neither aims at nodes.
 */
export const PROCESS_FAULT_KINDS = ['pause-client', 'crash-client'] as const;
export type ProcessFaultKind = (typeof PROCESS_FAULT_KINDS)[number];

export function isProcessFault(kind: FaultKind): kind is ProcessFaultKind {
  return (PROCESS_FAULT_KINDS as readonly string[]).includes(kind);
}

/**
 * A node's wall clock jumps (`offset`) or drifts (`rate`) while the run goes on; Docker makes it with libfaketime in
 * the node's container. A capability a runtime declares, as the others are.
 */
export const CLOCK_FAULT_KINDS = ['clock'] as const;

/**
 * A node joins or leaves the system's membership (a ring, a configuration) while it runs: a change of state, not
 * undone when the fault's window ends, asked of the system through the runtime. A capability a runtime declares, and
 * a target too (TargetInfo.membership): a system without membership changes cannot be asked for one.
 */
export const MEMBERSHIP_FAULT_KINDS = ['membership'] as const;

/** The faults the nemesis can inflict. */
export const FAULT_KINDS = [...NODE_FAULT_KINDS, ...CLIENT_FAULT_KINDS, ...PROCESS_FAULT_KINDS, ...CLOCK_FAULT_KINDS, ...MEMBERSHIP_FAULT_KINDS] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How a fault parameter's value is written: a duration with its unit (`3s`, `500ms`, `+60s`, `-2m`), or a factor. */
export type FaultParamKind = 'duration' | 'signed-duration' | 'factor';

export interface FaultParamSpec {
  readonly kind: FaultParamKind;
  readonly description: string;
}

/**
 * The parameters a fault takes (`pause-client:duration=3s`, `clock:primary:offset=-30s`, or the same names as fields
 * of a fault in a file), which decide what it breaks: a pause longer than a lease, a clock jump larger than one.
 * Durations are kept in milliseconds. A parameter a fault does not take is refused.
 */
export const FAULT_PARAMS: Readonly<Partial<Record<FaultKind, Readonly<Record<string, FaultParamSpec>>>>> = {
  'pause-client': {
    duration: { kind: 'duration', description: "how long the process stalls (default: until the fault's window ends)" },
  },
  clock: {
    offset: { kind: 'signed-duration', description: 'how far the clock jumps, forward (+) or back (-); default +60s' },
    rate: { kind: 'factor', description: 'instead of a jump, the clock runs this many times as fast (a drift), from the fault on' },
  },
};

/**
 * Parameters a runtime that has the fault cannot honour, with why: refused before the run, as a fault it lacks is.
 * Docker's clock is libfaketime, which measures a rate from each process's start: set during a run, a drift would
 * first jump the clock by (rate - 1) × the server's age, and it speeds up the server's sleeps too (measured).
 */
export const UNHONOURED_FAULT_PARAMS: Readonly<Partial<Record<RuntimeName, Partial<Record<FaultKind, Readonly<Record<string, string>>>>>>> = {
  docker: { clock: { rate: "libfaketime measures a drift from each process's start, so it would jump the clock and speed up the server's sleeps; use offset= (a jump)" } },
};

export function isClientFault(kind: FaultKind): kind is ClientFaultKind {
  return (CLIENT_FAULT_KINDS as readonly string[]).includes(kind);
}

/**
 * The network faults of a peerless target (TargetInfo.peerless: its nodes never talk among themselves, as a cache
 * and a database that only the clients talk to), with the client fault the TCP fault proxy makes in their place:
 * between such nodes there is no traffic to break, so a network fault on a node is a fault between it and the
 * clients.
 */
export const PEERLESS_FAULTS = { partition: 'client-partition', latency: 'client-latency', loss: 'client-loss' } as const satisfies Partial<Record<NodeFaultKind, ClientFaultKind>>;
export type PeerlessFaultKind = keyof typeof PEERLESS_FAULTS;

export function isPeerlessFault(kind: FaultKind): kind is PeerlessFaultKind {
  return Object.hasOwn(PEERLESS_FAULTS, kind);
}

/**
 * The fault a runtime that can inflict `can` is asked for when a test names `kind`: for a peerless target, a network
 * fault is the proxy's client fault where the runtime has the proxy (Docker, external); elsewhere (the simulation,
 * which makes every fault itself) and for any other target, the fault itself.
 */
export function madeAs(kind: FaultKind, peerless: boolean, can: readonly FaultKind[]): FaultKind {
  if (!peerless || !isPeerlessFault(kind)) return kind;
  const client = PEERLESS_FAULTS[kind];
  return can.includes(client) ? client : kind;
}

/** What a name may be: of a test, a target, a workload, a bug (and, in the registry, whatever a plugin brings). */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** How a value is shown after "got": short, and the type when the value would not help. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

/** Commander's argument parser for a repeatable flag: every value, in order. */
export const collectFlag = (v: string, all: string[] | undefined): string[] => [...(all ?? []), v];
