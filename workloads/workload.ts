import type { ClientOp } from '../harness/runtime.js';

/**
 * What a test asks of the system and how the answers are judged (a partial test definition, as Jepsen's
 * workloads are): a seeded stream of operations, the final reads made after every fault is healed, and the
 * model the linearizability checker holds the history to.
 */
export interface Workload {
  readonly name: string;
  readonly description: string;
  /** The checker's model (see checkers/models). */
  readonly model: string;
  /** An endless, seeded stream of operations for the processes to run. */
  generator(seed: number): () => ClientOp;
  /** One read per key, run after the cluster is healed. */
  finalOps(): ClientOp[];
}
