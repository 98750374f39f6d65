import type { Model, ModelOp, Step } from './model.js';
import { show } from './model.js';
import { decodeKey, valueKey } from '../values/key.js';

/** Elements kept as sorted value keys (values/key.ts), so equal sets are equal arrays. */
type Elements = readonly string[];

/** A grow-only set (Knossos `set`): `add` an element, `read` returns every element. */
export function set(): Model<Elements> {
  return {
    name: 'set',
    init: () => [],
    step: stepSet,
    fingerprint: (s) => s.join('\u0000'),
    describeState: (s) => `#{${s.map(element).join(' ')}}`,
    validate(op) {
      if (op.f === 'add') return null;
      if (op.f === 'read') return op.value === null || Array.isArray(op.value) ? null : `set read must return a list, got ${show(op.value)}`;
      return `set has no operation '${op.f}' (add, read)`;
    },
    isReadOnly: (op) => op.f === 'read',
  };
}

const element = (key: string) => show(decodeKey(key));

function stepSet(s: Elements, op: ModelOp): Step<Elements> {
  if (op.f === 'add') {
    const e = valueKey(op.value ?? null);
    return s.includes(e) ? { ok: true, state: s } : { ok: true, state: [...s, e].sort() };
  }
  const read = [...new Set(((op.value as unknown[] | null) ?? []).map((v) => valueKey(v ?? null)))].sort();
  if (read.length === s.length && read.every((e, i) => e === s[i])) return { ok: true, state: s };
  const missing = s.filter((e) => !read.includes(e)).map(element);
  const extra = read.filter((e) => !s.includes(e)).map(element);
  const parts = [missing.length ? `missing ${missing.join(' ')}` : '', extra.length ? `never added ${extra.join(' ')}` : ''];
  return { ok: false, reason: `can't read ${show(op.value)} from set of ${s.length}: ${parts.filter(Boolean).join('; ')}` };
}
