import type { Model, ModelOp, Step } from './model.js';
import { show } from './model.js';
import { showShort } from '../values/show.js';
import { sameValue, valueKey } from '../values/key.js';
import { Keyword, nameOf } from '../values/types.js';

/**
 * The registers: by each register name's value key, the name as written and its value. A Map, never a plain
 * object: a register may be called `constructor` or `__proto__`.
 */
type Registers = ReadonlyMap<string, readonly [unknown, unknown]>;
type Micro = [unknown, unknown, unknown];

/**
 * Several registers changed together by transactions (Knossos `multi-register`): a `txn` op's value is a list of
 * micro-ops `[f key value]` with f `read` or `write` (strings or keywords); a read sees the writes before it in the
 * same transaction. Registers are named by any value (`"x"`, `:x`, `1`) and start nil, unless `options.initial`
 * gives them values ({"x": 0}: such a name stands for the string or the keyword `x`).
 */
export function multiRegister(options: Record<string, unknown> = {}): Model<Registers> {
  const initial = new Map<string, readonly [unknown, unknown]>();
  const given = (options.initial ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    initial.set(valueKey(name), [name, given[name]]);
    initial.set(valueKey(new Keyword(name)), [new Keyword(name), given[name]]);
  }
  return {
    name: 'multi-register',
    partition: 'none',
    init: () => initial,
    step: stepTxn,
    fingerprint: (s) => [...s].map(([k, [, v]]) => `${k}=${valueKey(v)}`).sort().join(','),
    describeState: (s) => `{${[...s.values()].map(([k, v]) => `${show(k)} ${show(v)}`).sort().join(', ')}}`,
    describeOp: (op) => `txn ${(op.value as Micro[]).map(([f, k, v]) => `${nameOf(f) === 'read' ? 'r' : 'w'}${show(k)}${show(v)}`).join(' ')}`,
    validate(op) {
      if (op.f !== 'txn') return `multi-register has no operation '${op.f}' (txn)`;
      if (!Array.isArray(op.value)) return `txn value must be a list of [f key value], got ${showShort(op.value, 80)}`;
      for (const m of op.value) {
        const f = Array.isArray(m) && m.length === 3 ? nameOf(m[0]) : undefined;
        if (f !== 'read' && f !== 'write') return `txn micro-op must be [read|write key value], got ${showShort(m, 80)}`;
      }
      return null;
    },
    isReadOnly: (op) => (op.value as Micro[]).every((m) => nameOf(m[0]) === 'read'),
  };
}

function stepTxn(state: Registers, op: ModelOp): Step<Registers> {
  let next: Map<string, readonly [unknown, unknown]> | null = null;
  for (const [f, k, v] of op.value as Micro[]) {
    const at = valueKey(k);
    const cur = (next ?? state).get(at)?.[1] ?? null;
    if (nameOf(f) === 'read') {
      // A crashed transaction's reads carry no result (nil in the invocation): they constrain nothing.
      if (op.status !== 'info' && !sameValue(v ?? null, cur)) {
        return { ok: false, reason: `can't read ${show(v)} from register ${show(k)}, which is ${show(cur)}` };
      }
    } else {
      next ??= new Map(state);
      next.set(at, [k, v ?? null]);
    }
  }
  return { ok: true, state: next ?? state };
}
