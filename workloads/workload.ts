import type { z } from 'zod';
import type { ClientOp, Completion } from '../harness/runtime.js';
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
  /**
   * An endless, seeded stream of operations for the processes to run: one stream every process draws from, or a
   * ProcessGenerator that gives each process its own sequence. `options` are the test's options as given (a workload
   * reads the ones it declares, and applies its own defaults).
   */
  generator(seed: number, options?: Readonly<Record<string, unknown>>): (() => ClientOp) | ProcessGenerator;
  /** The reads run after the cluster is healed (one per key, for the register). */
  finalOps(): ClientOp[];
}

/**
 * A generator that knows which process asks and hears how each op ended (Jepsen's generator `op` and `update`): what
 * a workload whose processes follow a protocol needs (acquire, read, write, release). The run calls `next` when a
 * process is free, waits `delayMs` (absent: the run's think time), invokes the op, and passes its completion to
 * `update`. A process that got `info` is retired; its successor is a new process id.
 */
export interface ProcessGenerator {
  next(process: number): { op: ClientOp; delayMs?: number };
  update?(process: number, op: ClientOp, completion: Completion): void;
  /**
   * The processes now inside a critical section (holding a lock, before the write it protects; a member of a consumer
   * group, whose batch is its own until acknowledged): where a `pause-client` fault stalls a process and a
   * `crash-client` fault crashes one, as a GC pause or a crash would at the worst moment.
   */
  critical?(): readonly number[];
}

/** A plain stream as a ProcessGenerator. */
export function processGenerator(g: (() => ClientOp) | ProcessGenerator): ProcessGenerator {
  return typeof g === 'function' ? { next: () => ({ op: g() }) } : g;
}
