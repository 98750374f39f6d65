import type { z } from 'zod';
import type { ClientOp } from '../harness/runtime.js';
import type { OptionSpecs } from '../harness/target.js';

/**
 * What a test asks of the system and how the answers are judged (a partial test definition, as Jepsen's
 * workloads are): a seeded stream of operations, the final reads made after every fault is healed, and the
 * checker (with its model, for the linearizable one) the history is held to.
 */
export interface Workload {
  readonly name: string;
  readonly description: string;
  /** The name of the checker that judges the history: faultline's (checkers/registry.ts) or a plugin's. */
  readonly checker: string;
  /** The linearizable checker's model (see checkers/models); other checkers take none. */
  readonly model?: string;
  /**
   * Every operation the generator and the final reads ask for (`f`), with the shape of its value: a target must
   * serve them all (TargetInfo.operations), and the harness checks a sample of generated ops against the shapes
   * before anything starts (harness/preflight.ts).
   */
  readonly operations: Readonly<Record<string, z.ZodType>>;
  readonly options?: OptionSpecs;
  /** An endless, seeded stream of operations for the processes to run. */
  generator(seed: number): () => ClientOp;
  /** The reads run after the cluster is healed (one per key, for the register). */
  finalOps(): ClientOp[];
}
