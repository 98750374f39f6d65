import type { Model, ModelOp, Step } from './model.js';

/**
 * One key of Porcupine's kv store: get/put/append over strings, the empty string initially. Checked per key:
 * the history's `key` field partitions it.
 */
export function kv(options: Record<string, unknown> = {}): Model<string> {
  const initial = typeof options.initial === 'string' ? options.initial : '';
  return {
    name: 'kv',
    init: () => initial,
    step: stepKv,
    fingerprint: (s) => s,
    describeState: (s) => JSON.stringify(s),
    describeOp: (op) => `${op.f} ${op.value === null || op.value === undefined ? '' : JSON.stringify(op.value)}`.trimEnd(),
    validate(op) {
      if (op.f !== 'get' && op.f !== 'put' && op.f !== 'append') return `kv has no operation '${op.f}' (get, put, append)`;
      if (op.f !== 'get' && typeof op.value !== 'string') return `kv ${op.f} needs a string value`;
      return null;
    },
    isReadOnly: (op) => op.f === 'get',
    overwrites: (op) => op.f === 'put',
  };
}

function stepKv(state: string, op: ModelOp): Step<string> {
  switch (op.f) {
    case 'put':
      return { ok: true, state: op.value as string };
    case 'append':
      return { ok: true, state: state + (op.value as string) };
    default: {
      // A get of an absent key reads nil in some clients: the same as the empty string here.
      const read = op.value ?? '';
      return read === state ? { ok: true, state } : { ok: false, reason: `can't get ${JSON.stringify(read)} from ${JSON.stringify(state)}` };
    }
  }
}
