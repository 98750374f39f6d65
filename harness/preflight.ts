import { usageError } from './errors.js';
import { processGenerator, type Workload } from '../workloads/workload.js';
import { describeValue } from './config/index.js';
import type { ClientOp } from './runtime.js';

/** Ops drawn from a fresh generator and checked before a run: enough to meet every operation of a real workload. */
const SAMPLE = 1_000;
const SAMPLE_PROCESSES = 5;

/**
 * Checks that a workload asks for what it declares, before anything starts: a sample of what its generator makes
 * from the run's seed (a fresh generator: the run's own stream is untouched) and its final reads, each against the
 * declared shape of its operation. A user's workload with a typo in an `f` fails here, in one line, not as a
 * history of `fail`s that any checker passes.
 */
export function preflight(workload: Workload, seed: number, options: Readonly<Record<string, unknown>> = {}): void {
  const declared = Object.keys(workload.operations);
  const check = (op: ClientOp, how: string) => {
    const shape = Object.hasOwn(workload.operations, op.f) ? workload.operations[op.f] : undefined;
    if (shape === undefined) {
      throw usageError(`workload '${workload.name}' ${how} a '${String(op.f)}' operation it does not declare (it declares ${declared.join(', ')})`);
    }
    const r = shape.safeParse(op.value);
    if (!r.success) {
      const why = r.error.issues[0];
      const at = why && why.path.length ? ` at ${why.path.join('.')}` : '';
      throw usageError(`workload '${workload.name}' ${how} a '${op.f}' whose value ${describeValue(op.value)} is not of its declared shape${at} (${why?.message ?? 'refused'})`);
    }
  };
  // A generator that follows each process's outcomes is told some went well and some did not, as a run would.
  const generator = processGenerator(workload.generator(seed, options));
  for (let i = 0; i < SAMPLE; i++) {
    const process = i % SAMPLE_PROCESSES;
    const { op } = generator.next(process);
    check(op, 'generates');
    generator.update?.(process, op, { type: i % 3 === 0 ? 'fail' : 'ok' });
  }
  for (const op of workload.finalOps()) check(op, 'reads at the end with');
}
