import type { Op, Operation } from '../../checkers/history/op.js';
import type { Model } from '../../checkers/models/model.js';

/**
 * The test oracle: an exhaustive search for a linearization, written to be obviously correct rather than fast
 * (fine up to ~12 operations). The checker under test is compared against it.
 *
 * The definition, applied literally:
 *  - the next op to linearize may be any remaining op o such that no remaining *ok* op p returned before o was
 *    invoked (p.ret < o.call): linearizing o first would put it after p in real time;
 *  - an `info` op (ret = Infinity) may be linearized at any point after its invocation, or never;
 *  - it must be legal for the model: model.step(state, op) is applied exactly, as given — except that a crashed op
 *    whose model lists the results it may have had (Model.crashedResults, e.g. the element an unordered dequeue
 *    took) is stepped as one of those results instead, whichever works;
 *  - success when every ok op has been linearized.
 *
 * Each key is a separate object with its own state (unless the model spans keys: partition 'none'). This is
 * checked on one combined search rather than per key so the oracle does not lean on P-compositionality.
 *
 * The only optimisation is a memo of dead ends: whether the search can still succeed depends only on which ops are
 * linearized and on the objects' states, so a (linearized set, states) pair that failed once fails again. States
 * are compared by their JSON rendering (with sorted keys), not by the model's own fingerprint, to stay
 * independent of the code under test.
 */
export function bruteForceLinearizable(ops: Operation[], model: Model<any>, options: { memo?: boolean } = {}): boolean {
  const memoize = options.memo !== false; // off only to test that the memo changes nothing
  const objectOf = (o: Operation): string =>
    model.partition === 'none' || o.key === undefined ? '' : `${typeof o.key}:${String(o.key)}`;
  const done = ops.map(() => false);
  // What each op may be linearized as: itself, or for a crashed op with unknown result, one of its possible results.
  const forms = ops.map((o) => {
    const results = o.status === 'info' ? model.crashedResults?.(o, ops.filter((p) => objectOf(p) === objectOf(o))) : undefined;
    return results === undefined ? [o] : results.map((value): Operation => ({ ...o, value }));
  });
  const deadEnds = new Set<string>();

  const search = (states: ReadonlyMap<string, unknown>, okLeft: number): boolean => {
    if (okLeft === 0) return true;
    const memo = done.map((d) => (d ? '1' : '0')).join('') + stableJson([...states].sort(([a], [b]) => (a < b ? -1 : 1)));
    if (memoize && deadEnds.has(memo)) return false;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i];
      if (done[i] || ops.some((p, j) => !done[j] && p.status === 'ok' && p.ret < o.call)) continue;
      const obj = objectOf(o);
      for (const form of forms[i]) {
        const step = model.step(states.has(obj) ? states.get(obj) : model.init(), form);
        if (!step.ok) continue;
        done[i] = true;
        const found = search(new Map(states).set(obj, step.state), okLeft - (o.status === 'ok' ? 1 : 0));
        done[i] = false;
        if (found) return true;
      }
    }
    deadEnds.add(memo);
    return false;
  };

  return search(new Map(), ops.filter((o) => o.status === 'ok').length);
}

/**
 * Pairs a history's events into operations, independently of checkers/history/complete.ts (so a pairing bug
 * there cannot hide in both verdicts): an invoke and the next completion of the same process form one op;
 * `fail` drops it; `info` or no completion makes it an info op with ret = Infinity and the invocation's value; an
 * `ok` op takes its completion's value. Positions (not times) are the real-time order. Non-integer processes
 * (nemesis) are ignored.
 */
export function pairOperations(history: readonly Op[]): Operation[] {
  const open = new Map<number, Operation>();
  const out: Operation[] = [];
  const failed = new Set<Operation>();
  history.forEach((e, pos) => {
    if (typeof e.process !== 'number' || !Number.isInteger(e.process)) return;
    if (e.type === 'invoke') {
      const o: Operation = {
        id: out.length, process: e.process, f: e.f, value: e.value ?? null, status: 'info',
        call: pos, ret: Infinity, invokeIndex: e.index, completeIndex: -1,
      };
      if (e.key !== undefined) o.key = e.key;
      open.set(e.process, o);
      out.push(o);
      return;
    }
    const o = open.get(e.process);
    if (!o) throw new Error(`event ${pos}: completion without invocation`);
    open.delete(e.process);
    o.completeIndex = e.index;
    if (e.type === 'ok') Object.assign(o, { status: 'ok', ret: pos, value: e.value ?? null });
    else if (e.type === 'fail') failed.add(o);
  });
  return out.filter((o) => !failed.has(o)).map((o, id) => ({ ...o, id }));
}

/** The oracle on a raw history. */
export function bruteForceHistory(history: readonly Op[], model: Model<any>): boolean {
  return bruteForceLinearizable(pairOperations(history), model);
}

/**
 * JSON with object keys sorted, so equal states render equally; a Map (multi-register's registers) as its sorted
 * entries, a bigint with its digits. States of the models are shallow, so recursion is fine here.
 */
function stableJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${stableJson(k)}:${stableJson(x)}`).sort().join(',')}}`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
}
