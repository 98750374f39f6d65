import type { Model, ModelOp, Step } from './model.js';

/** A lock (Knossos `mutex`): acquire when free, release when held. */
export function mutex(): Model<boolean> {
  return {
    name: 'mutex',
    init: () => false,
    step: stepMutex,
    fingerprint: (held) => (held ? 1 : 0),
    describeState: (held) => (held ? 'held' : 'free'),
    describeOp: (op) => op.f,
    validate: (op) => (op.f === 'acquire' || op.f === 'release' ? null : `mutex has no operation '${op.f}' (acquire, release)`),
  };
}

function stepMutex(held: boolean, op: ModelOp): Step<boolean> {
  if (op.f === 'acquire') return held ? { ok: false, reason: "can't acquire a mutex that is held" } : { ok: true, state: true };
  return held ? { ok: true, state: false } : { ok: false, reason: "can't release a mutex that is free" };
}
