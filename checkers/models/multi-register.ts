import type { Model, ModelOp, Step } from './model.js';
import { canonical, show } from './model.js';
import { sameValue } from './values.js';

type Registers = Readonly<Record<string, unknown>>;
type Micro = [string, string | number, unknown];

/**
 * Several registers changed together by transactions (Knossos `multi-register`): a `txn` op's value is a list of
 * micro-ops `[f, key, value]` with f `read` or `write`; a read sees the writes before it in the same transaction.
 * Registers start nil unless `options.initial` gives them values ({"x": 0}).
 */
export function multiRegister(options: Record<string, unknown> = {}): Model<Registers> {
  const initial = (options.initial && typeof options.initial === 'object' ? options.initial : {}) as Registers;
  return {
    name: 'multi-register',
    partition: 'none',
    init: () => initial,
    step: stepTxn,
    fingerprint: canonical,
    describeState: show,
    describeOp: (op) => `txn ${(op.value as Micro[]).map(([f, k, v]) => `${f === 'read' ? 'r' : 'w'}${k}${show(v)}`).join(' ')}`,
    validate(op) {
      if (op.f !== 'txn') return `multi-register has no operation '${op.f}' (txn)`;
      if (!Array.isArray(op.value)) return `txn value must be a list of [f key value], got ${show(op.value)}`;
      for (const m of op.value) {
        if (!Array.isArray(m) || m.length !== 3 || (m[0] !== 'read' && m[0] !== 'write')) {
          return `txn micro-op must be [read|write key value], got ${show(m)}`;
        }
      }
      return null;
    },
    isReadOnly: (op) => (op.value as Micro[]).every((m) => m[0] === 'read'),
  };
}

function stepTxn(state: Registers, op: ModelOp): Step<Registers> {
  let next: Record<string, unknown> | null = null;
  for (const [f, k, v] of op.value as Micro[]) {
    const cur = (next ?? state)[String(k)] ?? null;
    if (f === 'read') {
      // A crashed transaction's reads carry no result (nil in the invocation): they constrain nothing.
      if (op.status !== 'info' && !sameValue(v, cur)) {
        return { ok: false, reason: `can't read ${show(v)} from register ${k}, which is ${show(cur)}` };
      }
    } else {
      next ??= { ...state };
      next[String(k)] = v ?? null;
    }
  }
  return { ok: true, state: next ?? state };
}
