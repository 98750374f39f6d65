import type { ClientOp, Completion } from '../harness/runtime.js';

/** A register's operations, as a target that serves the register workload declares them. */
export const REGISTER_OPERATIONS = ['read', 'write', 'cas'] as const;

/**
 * A register's operations applied to its value: what a correct node does with read, write and cas. `next` is
 * the new value when the op changed it.
 */
export function applyRegisterOp(current: unknown, op: ClientOp): { completion: Completion; next?: unknown } {
  switch (op.f) {
    case 'read':
      return { completion: { type: 'ok', value: current } };
    case 'write':
      return { completion: { type: 'ok', value: op.value }, next: op.value };
    case 'cas': {
      const [expected, next] = op.value as [unknown, unknown];
      return current === expected
        ? { completion: { type: 'ok', value: op.value }, next }
        : { completion: { type: 'fail', value: op.value, error: 'cas mismatch' } };
    }
    default:
      return { completion: { type: 'fail', value: op.value, error: `unknown operation ${op.f}` } };
  }
}
