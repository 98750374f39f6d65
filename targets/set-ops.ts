import type { ClientOp, Completion } from '../harness/runtime.js';
import type { DurableStorage } from '../harness/node.js';

/** A grow-only set's operations, as a target that serves the set workload declares them. */
export const SET_OPERATIONS = ['add', 'read'] as const;

/**
 * A grow-only set kept in durable storage, for the set workload: `add` one element, `read` every element. Each
 * element is its own storage entry (`<key>#<n>`) and the count (`<key>#size`) is written after it, so an add costs
 * two small writes whatever the set's size, and one that a crash interrupts before the count is never seen.
 * A key holds a set once something was added to it; a read of a key that never held one finds the empty set.
 */
export function applySetOp(storage: DurableStorage, key: string, op: ClientOp): Completion {
  const size = storage.get<number>(`${key}#size`) ?? 0;
  switch (op.f) {
    case 'add':
      storage.put(`${key}#${size}`, op.value);
      storage.put(`${key}#size`, size + 1);
      return { type: 'ok', value: op.value };
    case 'read': {
      const elements: unknown[] = [];
      for (let i = 0; i < size; i++) elements.push(storage.get(`${key}#${i}`));
      return { type: 'ok', value: elements };
    }
    default:
      return { type: 'fail', value: op.value, error: `unknown operation ${op.f}` };
  }
}

/** Whether the op is a set op on that key: every add, and a read of a key that holds a set. */
export function isSetOp(storage: DurableStorage, key: string, op: ClientOp): boolean {
  return op.f === 'add' || (op.f === 'read' && storage.get(`${key}#size`) !== undefined);
}
