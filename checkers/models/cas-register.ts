import type { Model, ModelOp, Step } from './model.js';
import { show } from './model.js';
import { stepRegister } from './register.js';
import { sameValue, valueFingerprint } from './values.js';

/** A register with compare-and-set: `cas` takes `[expected, new]` (Knossos `cas-register`). */
export function casRegister(options: Record<string, unknown> = {}): Model<unknown> {
  return {
    name: 'cas-register',
    init: () => options.initial ?? null,
    step: stepCasRegister,
    fingerprint: valueFingerprint,
    describeState: show,
    describeOp: (op) =>
      op.f === 'cas' && Array.isArray(op.value) ? `cas ${show(op.value[0])}→${show(op.value[1])}` : `${op.f} ${show(op.value)}`,
    validate(op) {
      if (op.f === 'read' || op.f === 'write') return null;
      if (op.f === 'cas') return Array.isArray(op.value) && op.value.length === 2 ? null : `cas value must be [expected new], got ${show(op.value)}`;
      return `cas-register has no operation '${op.f}' (read, write, cas)`;
    },
    isReadOnly: (op) => op.f === 'read',
    overwrites: (op) => op.f === 'write',
  };
}

function stepCasRegister(state: unknown, op: ModelOp): Step<unknown> {
  if (op.f !== 'cas') return stepRegister(state, op);
  const [expected, next] = op.value as [unknown, unknown];
  return sameValue(expected, state)
    ? { ok: true, state: next ?? null }
    : { ok: false, reason: `can't CAS ${show(state)} from ${show(expected)} to ${show(next)}` };
}
