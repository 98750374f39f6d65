import type { Model, ModelOp, Step } from './model.js';
import { canonical, show } from './model.js';

/** Pending elements as sorted canonical strings (a multiset). */
type Bag = readonly string[];

/**
 * A queue without order (Knossos `unordered-queue`): `dequeue` may return any enqueued element not yet dequeued,
 * nil only when it is empty. A crashed dequeue whose value is unknown is dropped before the search (see
 * docs/history.md): it could have removed any element, which only ever makes a later "empty" dequeue acceptable.
 */
export function unorderedQueue(): Model<Bag> {
  return {
    name: 'unordered-queue',
    init: () => [],
    step: stepBag,
    fingerprint: (b) => b.join('\u0000'),
    describeState: (b) => `{${b.map((e) => show(JSON.parse(e))).join(' ')}}`,
    validate: (op) => (op.f === 'enqueue' || op.f === 'dequeue' ? null : `unordered-queue has no operation '${op.f}' (enqueue, dequeue)`),
    isReadOnly: (op) => op.f === 'dequeue' && op.status === 'info',
  };
}

function stepBag(b: Bag, op: ModelOp): Step<Bag> {
  if (op.f === 'enqueue') return { ok: true, state: [...b, canonical(op.value ?? null)].sort() };
  if (op.value === null || op.value === undefined) {
    return b.length === 0 ? { ok: true, state: b } : { ok: false, reason: `can't dequeue nothing from a queue holding ${b.length}` };
  }
  const e = canonical(op.value);
  const i = b.indexOf(e);
  return i < 0
    ? { ok: false, reason: `can't dequeue ${show(op.value)}: it is not in the queue` }
    : { ok: true, state: [...b.slice(0, i), ...b.slice(i + 1)] };
}
