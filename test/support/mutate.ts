import type { Op } from '../../checkers/history/op.js';
import type { Rng } from '../../harness/rng.js';

/**
 * One plausible corruption of a well-formed history, the kind a buggy database (or a buggy recorder) produces.
 * The result may or may not be linearizable: the oracle decides. Each mutation keeps the history well-formed
 * (every completion follows its own invocation) and type-correct for its model (a replacement value has the
 * type of the value it replaces, drawn from values that occur in the history), so the checker can read it.
 */
type Mutation = (h: Op[], rng: Rng, pool: Pool) => boolean;

interface Pool {
  numbers: number[];
  strings: string[];
}

const isCompletion = (e: Op) => e.type !== 'invoke';

/** Position of the invocation that `pos` (a completion) completes. */
function invocationOf(h: Op[], pos: number): number {
  for (let i = pos - 1; i >= 0; i--) if (h[i].process === h[pos].process) return i;
  return -1;
}

const positions = (h: Op[], pred: (e: Op, i: number) => boolean) => h.flatMap((e, i) => (pred(e, i) ? [i] : []));

/** A different value of the same shape: numbers for numbers, strings for strings, one element more or less. */
function perturb(v: unknown, rng: Rng, pool: Pool, f = ''): unknown {
  const other = <T>(xs: T[], x: T, fallback: T): T => {
    const ys = xs.filter((y) => y !== x);
    return ys.length ? rng.pick(ys) : fallback;
  };
  if (typeof v === 'number') return other(pool.numbers, v, v + 1);
  if (typeof v === 'string') return other(pool.strings, v, v + 'x');
  if (v === null) return pool.numbers.length ? rng.pick(pool.numbers) : pool.strings.length ? rng.pick(pool.strings) : 0;
  if (Array.isArray(v) && f === 'cas') {
    const i = rng.int(2);
    return v.map((x, j) => (j === i ? perturb(x, rng, pool) : x));
  }
  if (Array.isArray(v)) {
    // A transaction: change one micro-op's value. A [expected new] pair: change one of the two.
    if (v.length > 0 && v.every((m) => Array.isArray(m) && m.length === 3)) {
      const i = rng.int(v.length);
      return v.map((m, j) => (j === i ? [m[0], m[1], perturb(m[2], rng, pool)] : m));
    }
    // A set read: drop an element, or add one.
    if (v.length > 0 && rng.chance(0.5)) {
      const i = rng.int(v.length);
      return [...v.slice(0, i), ...v.slice(i + 1)];
    }
    return [...v, perturb(v.length ? v[0] : null, rng, pool)].sort();
  }
  return v;
}

/** Change what an ok read-like op returned (any op whose invocation carried nothing, or a txn). */
const readValue: Mutation = (h, rng, pool) => {
  const cs = positions(h, (e, i) => e.type === 'ok' && (h[invocationOf(h, i)].value == null || e.f === 'txn'));
  if (!cs.length) return false;
  const i = rng.pick(cs);
  h[i].value = perturb(h[i].value, rng, pool, h[i].f);
  return true;
};

/** Change the value an ok op wrote, in both its invocation and its completion. */
const writeValue: Mutation = (h, rng, pool) => {
  const cs = positions(h, (e, i) => e.type === 'ok' && h[invocationOf(h, i)].value != null);
  if (!cs.length) return false;
  const i = rng.pick(cs);
  const v = perturb(h[i].value, rng, pool, h[i].f);
  h[i].value = v;
  h[invocationOf(h, i)].value = structuredClone(v);
  return true;
};

/**
 * Swap two completions of different processes: changes real-time order. Stays well-formed: the later one's
 * invocation precedes the earlier slot, and the earlier one's process does nothing in between.
 */
const swapCompletions: Mutation = (h, rng) => {
  const cs = positions(h, isCompletion);
  const quiet = (p: Op['process'], i: number, j: number) => h.slice(i + 1, j).every((e) => e.process !== p);
  const pairs = cs.flatMap((i) =>
    cs.filter((j) => j > i && h[j].process !== h[i].process && invocationOf(h, j) < i && quiet(h[i].process, i, j)).map((j) => [i, j]),
  );
  if (!pairs.length) return false;
  const [i, j] = rng.pick(pairs);
  [h[i], h[j]] = [h[j], h[i]];
  return true;
};

/** Swap two adjacent events of different processes: an op now overlaps one it followed, or the reverse. */
const swapAdjacent: Mutation = (h, rng) => {
  const cs = positions(h, (e, i) => i + 1 < h.length && h[i + 1].process !== e.process);
  if (!cs.length) return false;
  const i = rng.pick(cs);
  [h[i], h[i + 1]] = [h[i + 1], h[i]];
  return true;
};

/**
 * Change a completion's type; the completion value becomes the invocation's unless it becomes ok. A process that
 * gets `info` never issues again (Jepsen), so only a process's last op can become info.
 */
const retype = (from: Op['type'], to: Op['type']): Mutation => (h, rng) => {
  const last = (i: number) => h.slice(i + 1).every((e) => e.process !== h[i].process);
  const cs = positions(h, (e, i) => e.type === from && (to !== 'info' || last(i)));
  if (!cs.length) return false;
  const i = rng.pick(cs);
  h[i].type = to;
  if (to !== 'ok' || h[i].value === undefined) h[i].value = structuredClone(h[invocationOf(h, i)].value);
  return true;
};

/** Remove one whole operation (invocation and completion), as if it was never recorded. */
const dropOp: Mutation = (h, rng) => {
  const cs = positions(h, isCompletion);
  if (!cs.length) return false;
  const i = rng.pick(cs);
  const inv = invocationOf(h, i);
  h.splice(i, 1);
  h.splice(inv, 1);
  return true;
};

export const MUTATIONS: Readonly<Record<string, Mutation>> = {
  readValue,
  writeValue,
  swapCompletions,
  swapAdjacent,
  failToOk: retype('fail', 'ok'),
  okToFail: retype('ok', 'fail'),
  okToInfo: retype('ok', 'info'),
  infoToOk: retype('info', 'ok'),
  dropOp,
};

/**
 * A copy of `history` with one mutation applied (tried in random order until one applies; an unchanged copy if
 * none can). Positions are renumbered and times are kept per position, so times still increase.
 */
export function mutate(history: readonly Op[], rng: Rng): { history: Op[]; mutation: string } {
  const h = structuredClone(history) as Op[];
  const pool = valuePool(history);
  const names = Object.keys(MUTATIONS);
  while (names.length) {
    const name = names.splice(rng.int(names.length), 1)[0];
    if (MUTATIONS[name](h, rng, pool)) return { history: renumber(h, history), mutation: name };
  }
  return { history: renumber(h, history), mutation: 'none' };
}

function renumber(h: Op[], original: readonly Op[]): Op[] {
  return h.map((e, i) => ({ ...e, index: i, time: original[i].time }));
}

/** Every number and string that occurs in the history's values (also inside arrays). */
function valuePool(history: readonly Op[]): Pool {
  const numbers = new Set<number>();
  const strings = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'number') numbers.add(v);
    else if (typeof v === 'string' && !['read', 'write'].includes(v)) strings.add(v);
    else if (Array.isArray(v)) v.forEach(visit);
  };
  history.forEach((e) => visit(e.value));
  // Also values nobody wrote: a read of a never-written value must be caught.
  if (numbers.size) numbers.add(Math.max(...numbers) + 1);
  return { numbers: [...numbers], strings: [...strings] };
}
