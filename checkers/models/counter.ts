import type { Model, ModelOp, Step } from './model.js';
import { show } from './model.js';

/** A counter (Jepsen's counter workload, checked for linearizability): `add n` (n ≥ any integer), `read`. */
export function counter(options: Record<string, unknown> = {}): Model<number> {
  const initial = typeof options.initial === 'number' ? options.initial : 0;
  return {
    name: 'counter',
    init: () => initial,
    step: stepCounter,
    fingerprint: (n) => n,
    describeState: String,
    validate(op) {
      if (op.f === 'read') return op.value === null || typeof op.value === 'number' ? null : `counter read must return a number`;
      if (op.f === 'add') return op.value === null || typeof op.value === 'number' ? null : `counter add needs a number, got ${show(op.value)}`;
      return `counter has no operation '${op.f}' (add, read)`;
    },
    isReadOnly: (op) => op.f === 'read',
  };
}

function stepCounter(n: number, op: ModelOp): Step<number> {
  if (op.f === 'add') return { ok: true, state: n + ((op.value as number | null) ?? 1) };
  return op.value === n ? { ok: true, state: n } : { ok: false, reason: `can't read ${show(op.value)} from counter ${n}` };
}
