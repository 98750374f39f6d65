import { Rng } from './rng.js';

/**
 * The node-program contract, the harness's: what a node of a system under test sees of the world, whatever runs
 * it: the simulated network (harness/runtimes/sim), or a real OS process speaking TCP (harness/hosting). Targets
 * implement it; protocol code (Raft, 2PC, primary-backup) is written against this and nothing else, so the same
 * code runs in both.
 */
export interface NodeContext {
  readonly id: string;
  /** The other nodes of the cluster. */
  readonly peers: readonly string[];
  /** Milliseconds on this node's clock. */
  now(): number;
  /** Runs `fn` after `ms`, unless cancelled or the node dies first. Returns the cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
  /** Sends a message; it may be delayed, lost or never delivered. No reply is implied. */
  send(to: string, msg: unknown): void;
  /** What survives a crash (a kill loses everything else): writes are durable when put returns. */
  readonly storage: DurableStorage;
  /** A line for the run's log. */
  log(line: string): void;
}

export interface DurableStorage {
  get<T = unknown>(key: string): T | undefined;
  put(key: string, value: unknown): void;
}

/** A running node: its handler for every message that reaches it. */
export interface NodeProgram {
  receive(from: string, msg: unknown): void;
}

/** Starts a node (at boot, and again after every restart, with the same storage). */
export type NodeFactory = (ctx: NodeContext) => NodeProgram;

/** Jepsen's node names for a cluster of n: n1…nN (`fallback` nodes when n is not positive). */
export function numberedNodes(n: number, fallback: number): string[] {
  return Array.from({ length: n > 0 ? n : fallback }, (_, i) => `n${i + 1}`);
}

/**
 * Counts this start of a node in its durable storage and returns the count, 1 at the first boot. Protocols use it to
 * tell one life of a node from the next: fresh randomness per restart, a client session of its own per life.
 */
export function countBoot(storage: DurableStorage): number {
  const boots = (storage.get<number>('boots') ?? 0) + 1;
  storage.put('boots', boots);
  return boots;
}

const hashId = (s: string): number => [...s].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7);

/**
 * A node's randomness for one life (election time-outs): seeded by its id and its boot count, so nodes draw apart,
 * a restarted node draws anew, and a seeded simulation replays exactly.
 */
export function lifeRng(id: string, boot: number): Rng {
  return new Rng(hashId(id) + boot * 7919);
}
