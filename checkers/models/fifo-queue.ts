import type { Model, ModelOp, Step } from './model.js';
import { canonical, show } from './model.js';
import { sameValue } from './values.js';

/**
 * A FIFO queue (Knossos `fifo-queue`): `enqueue v`; `dequeue` returns the head, or nil when the queue is empty.
 * A crashed dequeue (value unknown) removes whatever is at the head, if anything.
 */
export function fifoQueue(): Model<readonly unknown[]> {
  return {
    name: 'fifo-queue',
    init: () => [],
    step: stepFifo,
    fingerprint: canonical,
    describeState: show,
    validate: (op) => (op.f === 'enqueue' || op.f === 'dequeue' ? null : `fifo-queue has no operation '${op.f}' (enqueue, dequeue)`),
  };
}

function stepFifo(q: readonly unknown[], op: ModelOp): Step<readonly unknown[]> {
  if (op.f === 'enqueue') return { ok: true, state: [...q, op.value ?? null] };
  if (op.status === 'info') return { ok: true, state: q.slice(1) };
  if (q.length === 0) {
    return op.value === null ? { ok: true, state: q } : { ok: false, reason: `can't dequeue ${show(op.value)} from an empty queue` };
  }
  return sameValue(q[0], op.value)
    ? { ok: true, state: q.slice(1) }
    : { ok: false, reason: `can't dequeue ${show(op.value)}: the head of the queue is ${show(q[0])}` };
}
