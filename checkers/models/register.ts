import type { Model, ModelOp, Step } from './model.js';
import { show } from './model.js';
import { sameValue, valueFingerprint } from './values.js';

/** A read/write register (Knossos `register`). Initial value nil unless `options.initial` says otherwise. */
export function register(options: Record<string, unknown> = {}): Model<unknown> {
  return {
    name: 'register',
    init: () => options.initial ?? null,
    step: stepRegister,
    fingerprint: valueFingerprint,
    describeState: show,
    validate: (op) => (op.f === 'read' || op.f === 'write' ? null : `register has no operation '${op.f}' (read, write)`),
    isReadOnly: (op) => op.f === 'read',
    overwrites: (op) => op.f === 'write',
  };
}

export function stepRegister(state: unknown, op: ModelOp): Step<unknown> {
  if (op.f === 'write') return { ok: true, state: op.value ?? null };
  if (op.f === 'read') {
    return sameValue(op.value, state)
      ? { ok: true, state }
      : { ok: false, reason: `can't read ${show(op.value)} from register ${show(state)}` };
  }
  return { ok: false, reason: `unknown operation ${op.f}` };
}
