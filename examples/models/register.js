// A model of your own: a compare-and-set register, as Porcupine writes one (init, step, equals).
// Check a history against it: faultline check --model examples/models/register.js#myRegister history.jsonl
import { defineModel } from 'faultline/checkers';

const register = {
  name: 'my-register', // optional: named in results
  init: () => null, // the state before any op
  step(state, op) {
    // op: { f, value, key?, status? }; a read carries what it read, a cas [expected, new]
    if (op.f === 'write') return { ok: true, state: op.value };
    if (op.f === 'read') return op.value === state ? { ok: true, state } : { ok: false, reason: `can't read ${op.value} from ${state}` };
    if (op.f === 'cas') return op.value[0] === state ? { ok: true, state: op.value[1] } : { ok: false, reason: `can't cas from ${op.value[0]}: it holds ${state}` };
    return { ok: false, reason: `no operation ${op.f}` };
  },
  equals: (a, b) => a === b, // optional: when two states are the same
};

// The model, and where worker threads find it again (this module, this export).
export const myRegister = defineModel(import.meta.url, 'myRegister', register);
