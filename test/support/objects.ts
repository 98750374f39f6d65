import type { Rng } from '../../harness/rng.js';

/**
 * The real atomic objects the simulator runs ops against, one per model name. They are written here from the
 * models' documented semantics, independently of checkers/models: the point is to have a second implementation
 * whose histories the checker must accept.
 */
export interface RealObject<S> {
  /** True when each key is a separate object (the history carries `key`); multi-register spans keys in one op. */
  readonly keyed: boolean;
  init(): S;
  /** A random invocation: the function and the invocation's value (null for reads). */
  invoke(rng: Rng, fresh: () => number): { f: string; value: unknown };
  /** Takes effect atomically. `ok: false` = the op could not happen (completes `fail`, state unchanged). */
  apply(state: S, f: string, value: unknown, rng: Rng): { ok: boolean; value: unknown; state: S };
}

const small = (rng: Rng) => rng.int(5); // 0..4: few values, so reads often match several writes
const letters = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.pick(['a', 'b', 'c'])).join('');

const register: RealObject<unknown> = {
  keyed: true,
  init: () => null,
  invoke: (rng) => (rng.chance(0.5) ? { f: 'read', value: null } : { f: 'write', value: small(rng) }),
  apply: (s, f, v) => (f === 'read' ? { ok: true, value: s, state: s } : { ok: true, value: v, state: v }),
};

const casRegister: RealObject<unknown> = {
  keyed: true,
  init: () => null,
  invoke(rng) {
    const r = rng.int(3);
    if (r === 0) return { f: 'read', value: null };
    if (r === 1) return { f: 'write', value: small(rng) };
    return { f: 'cas', value: [small(rng), small(rng)] };
  },
  apply(s, f, v) {
    if (f !== 'cas') return register.apply(s, f, v, null as never);
    const [expected, next] = v as [number, number];
    return s === expected ? { ok: true, value: v, state: next } : { ok: false, value: v, state: s };
  },
};

const kv: RealObject<string> = {
  keyed: true,
  init: () => '',
  invoke(rng) {
    const r = rng.int(3);
    if (r === 0) return { f: 'get', value: null };
    if (r === 1) return { f: 'put', value: letters(rng, rng.between(1, 2)) };
    return { f: 'append', value: letters(rng, 1) };
  },
  apply(s, f, v) {
    if (f === 'get') return { ok: true, value: s, state: s };
    return { ok: true, value: v, state: f === 'put' ? (v as string) : s + (v as string) };
  },
};

const counter: RealObject<number> = {
  keyed: true,
  init: () => 0,
  invoke: (rng) => (rng.chance(0.4) ? { f: 'read', value: null } : { f: 'add', value: rng.between(1, 3) }),
  apply: (s, f, v) => (f === 'read' ? { ok: true, value: s, state: s } : { ok: true, value: v, state: s + (v as number) }),
};

const set: RealObject<readonly number[]> = {
  keyed: true,
  init: () => [],
  invoke: (rng) => (rng.chance(0.4) ? { f: 'read', value: null } : { f: 'add', value: rng.int(8) }),
  apply(s, f, v) {
    if (f === 'read') return { ok: true, value: [...s], state: s };
    const n = v as number;
    return { ok: true, value: v, state: s.includes(n) ? s : [...s, n].sort((a, b) => a - b) };
  },
};

const mutex: RealObject<boolean> = {
  keyed: true,
  init: () => false,
  invoke: (rng) => ({ f: rng.chance(0.5) ? 'acquire' : 'release', value: null }),
  // A plain lock: any process may release a held lock (the model does not track owners either).
  apply: (held, f) => ((f === 'acquire') !== held ? { ok: true, value: null, state: !held } : { ok: false, value: null, state: held }),
};

/**
 * Enqueued values are unique (fresh()), so a dequeue's value names exactly one enqueue. Dequeues outnumber
 * enqueues so queues stay short: elements never dequeued leave their order unobserved, and every order is a
 * distinct state for a fifo checker (exponential in the number of concurrent enqueues).
 */
const queueInvoke = (rng: Rng, fresh: () => number) =>
  rng.chance(0.45) ? { f: 'enqueue', value: fresh() } : { f: 'dequeue', value: null };

const fifoQueue: RealObject<readonly unknown[]> = {
  keyed: true,
  init: () => [],
  invoke: queueInvoke,
  apply(q, f, v) {
    if (f === 'enqueue') return { ok: true, value: v, state: [...q, v] };
    // An empty dequeue returns nil (ok), which the model accepts.
    return q.length === 0 ? { ok: true, value: null, state: q } : { ok: true, value: q[0], state: q.slice(1) };
  },
};

const unorderedQueue: RealObject<readonly unknown[]> = {
  keyed: true,
  init: () => [],
  invoke: queueInvoke,
  apply(q, f, v, rng) {
    if (f === 'enqueue') return { ok: true, value: v, state: [...q, v] };
    if (q.length === 0) return { ok: true, value: null, state: q };
    const i = rng.int(q.length); // any element may come out
    return { ok: true, value: q[i], state: [...q.slice(0, i), ...q.slice(i + 1)] };
  },
};

type Micro = [string, string, unknown];

const multiRegister: RealObject<Readonly<Record<string, unknown>>> = {
  keyed: false,
  init: () => ({}),
  invoke(rng) {
    const micros: Micro[] = Array.from({ length: rng.between(1, 3) }, () => {
      const k = rng.pick(['x', 'y', 'z']);
      return rng.chance(0.5) ? ['read', k, null] : ['write', k, small(rng)];
    });
    return { f: 'txn', value: micros };
  },
  apply(s, _f, v) {
    const next: Record<string, unknown> = { ...s };
    // Reads see the writes before them in the same transaction.
    const done = (v as Micro[]).map(([f, k, x]): Micro => {
      if (f === 'read') return [f, k, next[k] ?? null];
      next[k] = x;
      return [f, k, x];
    });
    return { ok: true, value: done, state: next };
  },
};

export const OBJECTS: Readonly<Record<string, RealObject<any>>> = {
  register,
  'cas-register': casRegister,
  kv,
  counter,
  set,
  mutex,
  'fifo-queue': fifoQueue,
  'unordered-queue': unorderedQueue,
  'multi-register': multiRegister,
};
