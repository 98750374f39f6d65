import type { Model, ModelOp, Step } from './model.js';
import { show } from './model.js';
import { showShort } from '../values/show.js';
import { sameValue, valueKey } from '../values/key.js';
import { normaliseInteger } from '../values/numbers.js';

type Count = number | bigint;

/**
 * A counter (Jepsen's counter workload, checked for linearizability): `add n` (any integer; nil adds 1), `read`.
 * Exact at any size: sums past 2^53 are bigints.
 */
export function counter(options: Record<string, unknown> = {}): Model<Count> {
  const initial = (options.initial ?? 0) as Count;
  return {
    name: 'counter',
    init: () => initial,
    step: stepCounter,
    fingerprint: (n) => (typeof n === 'number' ? n : valueKey(n)),
    describeState: (n) => String(n),
    validate(op) {
      if (op.f === 'read') return op.value === null || isInteger(op.value) ? null : `counter read must return an integer, got ${showShort(op.value, 80)}`;
      if (op.f === 'add') return op.value === null || isInteger(op.value) ? null : `counter add needs an integer, got ${showShort(op.value, 80)}`;
      return `counter has no operation '${op.f}' (add, read)`;
    },
    isReadOnly: (op) => op.f === 'read',
  };
}

export function isInteger(v: unknown): v is Count {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

function stepCounter(n: Count, op: ModelOp): Step<Count> {
  if (op.f === 'add') return { ok: true, state: add(n, (op.value as Count | null) ?? 1) };
  return sameValue(op.value, n) ? { ok: true, state: n } : { ok: false, reason: `can't read ${show(op.value)} from counter ${n}` };
}

function add(a: Count, b: Count): Count {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    if (Number.isSafeInteger(s)) return s;
  }
  return normaliseInteger(BigInt(a) + BigInt(b));
}
