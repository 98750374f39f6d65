/*
 * What the main thread and the proxy's worker say to each other: a request with an id, answered once by a reply
 * with the same id when what it asked for is in force (a front listening, a fault applied), or with why not.
 */

export interface Endpoint {
  host: string;
  port: number;
}

/**
 * What a node's client traffic goes through now. The kinds compose (a delay and a throttle at once); a cut
 * overrides the others while it lasts, and what they hold is delivered once it is healed.
 */
export interface LinkFaults {
  cut?: 'drop' | 'reset';
  delay?: { min: number; max: number };
  /** The probability that a chunk is lost and held for a retransmission time-out. */
  loss?: number;
  /** Bytes per second, each way. */
  throttle?: number;
}

export type Request =
  | { id: number; op: 'front'; node: string; service: string; upstream: Endpoint }
  | { id: number; op: 'retarget'; node: string; service: string; upstream: Endpoint }
  | { id: number; op: 'set'; nodes: readonly string[]; faults: LinkFaults }
  | { id: number; op: 'heal'; nodes?: readonly string[] }
  | { id: number; op: 'close' };

/** The request minus its id, as the main thread asks. */
export type Ask = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export type Reply = { id: number; ok: true; front?: Endpoint } | { id: number; ok: false; error: string };

/** What the worker is started with. */
export interface WorkerData {
  seed: number;
}
