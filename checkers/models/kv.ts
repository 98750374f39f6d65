import type { Model, ModelOp, Step } from './model.js';

/**
 * A key's value, as the chain of the pieces appended to it, with its length and a hash of its text, so that an
 * append costs the piece and not the whole string: Porcupine's kv histories append to one value hundreds of times,
 * and a string state was rehashed and compared in full at every step. The text itself (`flat`) is built only when
 * a read's length and hash match, or evidence needs it, and then kept.
 */
interface Text {
  readonly length: number;
  readonly h: number;
  readonly parent: Text | null;
  readonly piece: string;
  flat?: string;
}

/** FNV's prime as a polynomial base: h(s + t) continues h(s) over t, mod 2^32. */
const BASE = 0x01000193;

function extend(h: number, t: string): number {
  for (let i = 0; i < t.length; i++) h = (Math.imul(h, BASE) + t.charCodeAt(i)) | 0;
  return h;
}

const leaf = (t: string): Text => ({ length: t.length, h: extend(0, t), parent: null, piece: t, flat: t });
const append = (s: Text, t: string): Text => (t.length === 0 ? s : { length: s.length + t.length, h: extend(s.h, t), parent: s, piece: t });

/** The text (built once, from the pieces, without recursion). */
function flat(s: Text): string {
  if (s.flat !== undefined) return s.flat;
  const pieces: string[] = [];
  let at: Text | null = s;
  while (at !== null && at.flat === undefined) {
    pieces.push(at.piece);
    at = at.parent;
  }
  if (at !== null) pieces.push(at.flat!);
  s.flat = pieces.reverse().join('');
  return s.flat;
}

/**
 * One key of Porcupine's kv store: get/put/append over strings, the empty string initially. Checked per key:
 * the history's `key` field partitions it.
 */
export function kv(options: Record<string, unknown> = {}): Model<Text> {
  const initial = leaf(typeof options.initial === 'string' ? options.initial : '');
  // The hash of each string a get returned, computed once per string.
  const hashes = new Map<string, number>();
  const hashOf = (t: string) => {
    let h = hashes.get(t);
    if (h === undefined) hashes.set(t, (h = extend(0, t)));
    return h;
  };
  return {
    name: 'kv',
    init: () => initial,
    step(state: Text, op: ModelOp): Step<Text> {
      switch (op.f) {
        case 'put':
          return { ok: true, state: leaf(op.value as string) };
        case 'append':
          return { ok: true, state: append(state, op.value as string) };
        default: {
          // A get of an absent key reads nil in some clients: the same as the empty string here.
          const read = (op.value ?? '') as string;
          if (read.length === state.length && hashOf(read) === state.h && flat(state) === read) return { ok: true, state };
          return MISMATCH;
        }
      }
    },
    whyNot: (s, op) => `can't get ${JSON.stringify(op.value ?? '')} from ${JSON.stringify(flat(s))}`,
    hash: (s) => s.h ^ Math.imul(s.length, 0x9e3779b1),
    equals: (a, b) => a === b || (a.length === b.length && a.h === b.h && flat(a) === flat(b)),
    describeState: (s) => JSON.stringify(flat(s)),
    describeOp: (op) => `${op.f} ${op.value === null || op.value === undefined ? '' : JSON.stringify(op.value)}`.trimEnd(),
    validate(op) {
      if (op.f !== 'get' && op.f !== 'put' && op.f !== 'append') return `kv has no operation '${op.f}' (get, put, append)`;
      if (op.f !== 'get' && typeof op.value !== 'string') return `kv ${op.f} needs a string value`;
      if (op.f === 'get' && op.value !== null && op.value !== undefined && typeof op.value !== 'string') return 'kv get returns a string (or nil)';
      return null;
    },
    stillReadable(op) {
      // The read's prefix hashes, computed as far as a state's length asks: the state's text is a prefix of the
      // read only if its hash is that prefix's (a match proves nothing; the read's own step compares the text).
      const read = (op.value ?? '') as string;
      let prefix: Int32Array | undefined;
      let known = 0;
      return (s) => {
        if (s.length > read.length) return false;
        prefix ??= new Int32Array(read.length + 1);
        for (; known < s.length; known++) prefix[known + 1] = (Math.imul(prefix[known], BASE) + read.charCodeAt(known)) | 0;
        return prefix[s.length] === s.h;
      };
    },
    isReadOnly: (op) => op.f === 'get',
    overwrites: (op) => op.f === 'put',
  };
}

/** The search's refusal of a get; whyNot words it for evidence. */
const MISMATCH: Step<never> = { ok: false, reason: 'the value read is not the value held' };
