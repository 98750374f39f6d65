import type { Model, ModelOp, Step } from './model.js';
import { canonical, show } from './model.js';

/** Elements kept as sorted canonical strings, so equal sets are equal arrays. */
type Elements = readonly string[];

/** A grow-only set (Knossos `set`): `add` an element, `read` returns every element. */
export function set(): Model<Elements> {
  return {
    name: 'set',
    init: () => [],
    step: stepSet,
    fingerprint: (s) => s.join('\u0000'),
    describeState: (s) => `#{${s.map((e) => show(JSON.parse(e))).join(' ')}}`,
    validate(op) {
      if (op.f === 'add') return null;
      if (op.f === 'read') return op.value === null || Array.isArray(op.value) ? null : `set read must return a list, got ${show(op.value)}`;
      return `set has no operation '${op.f}' (add, read)`;
    },
    isReadOnly: (op) => op.f === 'read',
  };
}

function stepSet(s: Elements, op: ModelOp): Step<Elements> {
  if (op.f === 'add') {
    const e = canonical(op.value ?? null);
    return s.includes(e) ? { ok: true, state: s } : { ok: true, state: [...s, e].sort() };
  }
  const read = [...new Set(((op.value as unknown[] | null) ?? []).map((v) => canonical(v ?? null)))].sort();
  if (read.length === s.length && read.every((e, i) => e === s[i])) return { ok: true, state: s };
  const missing = s.filter((e) => !read.includes(e)).map((e) => show(JSON.parse(e)));
  const extra = read.filter((e) => !s.includes(e)).map((e) => show(JSON.parse(e)));
  const parts = [missing.length ? `missing ${missing.join(' ')}` : '', extra.length ? `never added ${extra.join(' ')}` : ''];
  return { ok: false, reason: `can't read ${show(op.value)} from set of ${s.length}: ${parts.filter(Boolean).join('; ')}` };
}
