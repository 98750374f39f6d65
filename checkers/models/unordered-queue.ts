import type { Model, ModelOp, Step } from './model.js';
import { canonical, show } from './model.js';
import { decodeKey } from '../values/key.js';

/** Pending elements as sorted canonical strings (a multiset). */
type Bag = readonly string[];

/**
 * A queue without order (Knossos `unordered-queue`): `dequeue` may return any enqueued element not yet dequeued,
 * nil only when it is empty. A crashed dequeue may have removed any element that was ever enqueued (or none): the
 * search tries each of them as an alternative, when some dequeue found the queue empty (the only op it can help).
 */
export function unorderedQueue(): Model<Bag> {
  return {
    name: 'unordered-queue',
    init: () => [],
    step: stepBag,
    fingerprint: (b) => b.join('\u0000'),
    describeState: (b) => `{${b.map((e) => show(decodeKey(e))).join(' ')}}`,
    validate: (op) => (op.f === 'enqueue' || op.f === 'dequeue' ? null : `unordered-queue has no operation '${op.f}' (enqueue, dequeue)`),
    // Removing an element commutes with enqueues and with dequeues of an element: it only matters to a dequeue
    // that found the queue empty.
    needsCrashed: (op) => op.f === 'dequeue' && (op.value === null || op.value === undefined),
    crashedResults: (op, ops) => {
      if (op.f !== 'dequeue') return undefined;
      // Removing an element only ever helps a dequeue that found the queue empty; without one, a crashed dequeue
      // is best never applied, so it has no alternatives worth searching.
      if (!ops.some((o) => o.f === 'dequeue' && o.status === 'ok' && (o.value === null || o.value === undefined))) return [];
      const seen = new Map<string, unknown>();
      for (const o of ops) if (o.f === 'enqueue') seen.set(canonical(o.value ?? null), o.value ?? null);
      return [...seen.values()];
    },
  };
}

function stepBag(b: Bag, op: ModelOp): Step<Bag> {
  if (op.f === 'enqueue') return { ok: true, state: [...b, canonical(op.value ?? null)].sort() };
  if (op.value === null || op.value === undefined) {
    // A crashed dequeue that got nothing changed nothing.
    if (op.status === 'info') return { ok: true, state: b };
    return b.length === 0 ? { ok: true, state: b } : { ok: false, reason: `can't dequeue nothing from a queue holding ${b.length}` };
  }
  const e = canonical(op.value);
  const i = b.indexOf(e);
  return i < 0
    ? { ok: false, reason: `can't dequeue ${show(op.value)}: it is not in the queue` }
    : { ok: true, state: [...b.slice(0, i), ...b.slice(i + 1)] };
}
