import type { ExternalNode } from '../../config/cluster-spec.js';
import type { Grudge } from '../../nemesis/grudge.js';

/**
 * One way of making node faults on a cluster we do not own (SSH, Docker, the user's exec hooks). The external
 * runtime's faults (faults.ts) send each kind to the method the test configured for it; a method implements the
 * kinds it can make, and says so by the calls it has.
 *
 * Every fault is journaled before it is applied (journal.ts): `applying` records how to undo it as steps that need
 * nothing of this process (a command, a script over SSH, a Docker call), so `faultline heal <run-dir>` can undo
 * what a run killed with SIGKILL left in force. Once undone, the method calls `healed` with the id it was given.
 */
export interface FaultMethod {
  readonly name: 'ssh' | 'docker' | 'exec';
  /** Replaces the partition in force: each node stops hearing the nodes its grudge names (an empty grudge: none). */
  partition?(grudge: Grudge): Promise<void>;
  kill?(node: string): Promise<void>;
  restart?(node: string): Promise<void>;
  pause?(node: string): Promise<void>;
  resume?(node: string): Promise<void>;
  /** Node-to-node latency and loss on these nodes, until `healNet`. */
  slow?(nodes: readonly string[], ms: { min: number; max: number }): Promise<void>;
  lose?(nodes: readonly string[], p: number): Promise<void>;
  /** Undoes this method's partition, latency and loss. */
  healNet?(): Promise<void>;
  /** Where a node's service is now (a restarted container may have new published ports); absent: where it was. */
  endpointOf?(node: string, port: number): Promise<{ host: string; port: number } | undefined>;
  /** Copies the nodes' log files into `dir` (one subdirectory per node); called at the end, also after Ctrl-C. */
  collectLogs?(dir: string): Promise<void>;
  close(): Promise<void>;
}

/** A serializable way to undo one applied fault, runnable by a process that knows nothing of the run but this. */
export type UndoStep =
  | { method: 'exec'; command: string }
  | { method: 'ssh'; login: SshLogin; script: string }
  | { method: 'docker'; container: string; action: 'start' | 'unpause' | 'net-script'; script?: string; netToolsImage?: string };

/**
 * Where and as whom to log in over SSH, without the secret itself: the key, passphrase or password stays a
 * reference, read again by `faultline heal`.
 */
export interface SshLogin {
  host: string;
  port: number;
  user: string;
  key?: ExternalNode['password'];
  passphrase?: ExternalNode['password'];
  password?: ExternalNode['password'];
  sudo?: boolean;
  knownHosts?: string;
}

export interface Journal {
  /** Records, before the fault is applied, what it is and how to undo it; returns its id. Written and flushed at once. */
  applying(kind: string, nodes: readonly string[], undo: readonly UndoStep[]): string;
  /** Records that the fault with this id is undone. */
  healed(id: string): void;
}

/** What a method is made with: the nodes, the journal, and run.log for hook output and exit statuses. */
export interface MethodContext {
  readonly nodes: readonly ExternalNode[];
  readonly journal: Journal;
  log(line: string): void;
}
