import { getHeapStatistics } from 'node:v8';
import type { Operation } from '../history/op.js';
import type { Model } from '../models/model.js';
import { ConfigSet } from './memo.js';
import { StateTable } from './states.js';
import { dominators } from './symmetry.js';

export interface SearchBudget {
  /** Date.now() past which the search gives up with 'unknown'. */
  deadline?: number;
  /** Bytes the memo table may use before the search gives up with 'unknown'. */
  memoryLimitBytes?: number;
  /** Shared flag: non-zero at [0] means another key already failed, stop now. */
  cancel?: Int32Array;
  /** Candidate linearizations to keep as evidence. */
  candidates?: number;
  /** Give up ('unknown', reason 'step budget') after this many configurations: the checker's triage of easy keys. */
  maxExplored?: number;
  /**
   * Keep evidence (default true). Finding it costs a walk at dead ends the search is past anyway; a checker that
   * expects most keys to be linearizable searches without, and searches an illegal key again with it.
   */
  evidence?: boolean;
}

export const STEP_BUDGET = 'step budget';

/** A candidate linearization in op indices of the partition, with the state after each op. */
export interface RawCandidate {
  path: number[];
  states: number[];
  omitted: number;
  state: number;
  reason: string;
}

export interface SearchOutcome<S> {
  valid: true | false | 'unknown';
  unknownReason?: string;
  /** Index (in the partition) of the op no linearization got past, when invalid. */
  failed?: number;
  candidates: RawCandidate[];
  explored: number;
  cached: number;
  table: StateTable<S>;
}

const CHECK_EVERY = 1023; // poll clock, memory and cancellation every 1024 steps
const HEAP_EVERY = 64; // …and the real heap every 64 polls
/** Past this share of the heap limit a search gives up: the states of a queue model live on the heap. */
const HEAP_SHARE = 0.75;
const PATH_TAIL = 12;
/** How far down the entry list a new state is checked against the reads to come (fewer is always safe). */
const LOOKAHEAD = 64;
/** Blind writes that may come first, past which the check gives up (safe: it only ever drops states). */
const MAX_RESETS = 8;

/**
 * Wing & Gong's linearizability search with Lowe's memoisation (as in Porcupine and Knossos's `wgl`).
 *
 * The history is a doubly linked list of call and return entries in history order. The search scans it: at a call
 * entry it tries to linearize that op now (the model must accept it from the current state, and the resulting
 * configuration must be new), lifting the op's entries out of the list and restarting the scan; at a return entry
 * of an op not yet linearized it is stuck and backtracks. Crashed (info) ops have no return entry — they may take
 * effect any time after their invocation or never — so the search succeeds as soon as every ok op is linearized
 * (Knossos moves info completions to the end and stops when only they remain; this is the same, without the list
 * walk).
 *
 * Orders that cannot matter are never tried. Each rule keeps at least one linearization whenever any exists, so
 * no verdict changes (the property tests compare every verdict with a brute-force oracle):
 *  - identical ops, one invoked and returned no later than the other, go in that order (symmetry.ts);
 *  - a crashed op is never placed right before a blind write (Model.overwrites), which would hide it;
 *  - a read the state accepts is linearized at once and never deferred (`forced`);
 *  - a crashed op with several possible results is one exclusive alternative per result (alternatives.ts),
 *    placed only right before an op that may need it (Model.needsCrashed);
 *  - a state from which a read still to come, with no blind write able to come first, could never succeed is
 *    dropped at once (Model.stillReadable), not when that read's return is reached.
 * `group` gives the alternatives' groups, as made by expandCrashed.
 */
export function search<S>(ops: readonly Operation[], model: Model<S>, budget: SearchBudget = {}, group?: Int32Array): SearchOutcome<S> {
  const n = ops.length;
  const table = new StateTable(model, ops);
  const init = table.intern(model.init());
  const result = (valid: SearchOutcome<S>['valid'], extra: Partial<SearchOutcome<S>> = {}): SearchOutcome<S> => ({
    valid,
    candidates: [],
    explored,
    cached: memo.size,
    table,
    ...extra,
  });
  let explored = 0;
  const memo = new ConfigSet();

  // Dense positions of ok and info ops in their own bitsets.
  const slot = new Int32Array(n);
  let nOk = 0;
  let nInfo = 0;
  for (let i = 0; i < n; i++) slot[i] = ops[i].status === 'ok' ? nOk++ : nInfo++;
  if (nOk === 0) return result(true);

  // The entry list: call of op i is entry 2i, its return 2i+1, HEAD = 2n; -1 ends the list.
  const HEAD = 2 * n;
  const next = new Int32Array(2 * n + 1);
  const prev = new Int32Array(2 * n + 1);
  linkEntries(ops, next, prev, HEAD);

  const pred = dominators(ops, group, model.partition === 'none');
  // Alternatives of one crashed op (see alternatives.ts): at most one of each group is linearized.
  const used = new Uint8Array(n);
  const exclusive = group ?? new Int32Array(n).fill(-1);
  // Blind writes: a crashed op right before one is invisible, so that order is never needed (see Model.overwrites).
  const blind = new Uint8Array(n);
  const crashed = new Uint8Array(n);
  // Reads: an ok op that cannot change the state, linearized as soon as the state accepts it (see `forced`).
  const reads = new Uint8Array(n);
  // Alternatives of crashed ops commute with every op that does not need them (Model.needsCrashed): one is only
  // ever placed right before another alternative or an op that may need it.
  const needsCrashed = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    needsCrashed[i] = (exclusive[i] >= 0 || (model.needsCrashed?.(ops[i]) ?? true)) ? 1 : 0;
    blind[i] = model.overwrites?.(ops[i]) ? 1 : 0;
    crashed[i] = ops[i].status === 'info' ? 1 : 0;
    reads[i] = ops[i].status === 'ok' && model.isReadOnly?.(ops[i]) ? 1 : 0;
  }
  // Reads that must come before any blind write still to come can only succeed from an extension of the state
  // (Model.stillReadable): a state none of them can reach is dropped at once, not when their returns come up.
  const stillReadable = model.stillReadable;
  const prune = stillReadable !== undefined;
  const readTests: (((s: S) => boolean) | undefined)[] = [];
  // What each blind write leaves, whatever came before (Model.overwrites): a read may follow it instead.
  const resetOf: (S | undefined)[] = [];
  const resets: S[] = [];
  for (let i = 0; prune && i < n; i++) {
    if (blind[i] === 0) continue;
    const r = model.step(model.init(), ops[i]);
    resetOf[i] = r.ok ? r.state : undefined;
  }
  /** A read in the next LOOKAHEAD entries that `s`, reached by linearizing op `i`, leaves impossible, or -1. */
  const dead = (i: number, s: S): number => {
    let nr = 0;
    let e = next[HEAD];
    for (let k = 0; e >= 0 && k < LOOKAHEAD; k++, e = next[e]) {
      const j = e >>> 1;
      if (j === i) continue;
      if ((e & 1) === 0) {
        if (blind[j] === 1) {
          const r = resetOf[j];
          if (r === undefined || nr === MAX_RESETS) return -1;
          resets[nr++] = r;
        }
      } else if (reads[j] === 1) {
        const test = readTests[j] ?? (readTests[j] = stillReadable!(ops[j]));
        if (test(s)) continue;
        let r = 0;
        while (r < nr && !test(resets[r])) r++;
        if (r === nr) return j;
      }
    }
    return -1;
  };
  const lin = new Uint8Array(n);
  const okBits = new Uint32Array((nOk + 31) >>> 5);
  const infoBits = new Uint32Array((nInfo + 31) >>> 5);
  const okWords = okBits.length;
  const lastFull = nOk % 32 === 0 ? 0xffffffff : (2 ** (nOk % 32) - 1) >>> 0;
  let okFrom = 0; // first ok word that is not all ones
  let okTo = 0; // one past the last non-zero ok word
  let infoTo = 0; // one past the last non-zero info word

  // Zobrist keys: a fixed seed, so a run is reproducible.
  const z1 = new Int32Array(n);
  const z2 = new Int32Array(n);
  let seed = 0x2545f491;
  for (let i = 0; i < n; i++) {
    z1[i] = seed = xorshift(seed);
    z2[i] = seed = xorshift(seed);
  }

  const full = (w: number) => (w === okWords - 1 ? lastFull : 0xffffffff);
  const setBit = (i: number) => {
    const s = slot[i];
    const w = s >>> 5;
    if (ops[i].status === 'ok') {
      okBits[w] |= 1 << (s & 31);
      if (w >= okTo) okTo = w + 1;
      while (okFrom < okWords && okBits[okFrom] >>> 0 === full(okFrom)) okFrom++;
    } else {
      infoBits[w] |= 1 << (s & 31);
      if (w >= infoTo) infoTo = w + 1;
    }
  };
  const clearBit = (i: number) => {
    const s = slot[i];
    const w = s >>> 5;
    if (ops[i].status === 'ok') {
      okBits[w] &= ~(1 << (s & 31));
      if (w < okFrom) okFrom = w;
      while (okTo > 0 && okBits[okTo - 1] === 0) okTo--;
    } else {
      infoBits[w] &= ~(1 << (s & 31));
      while (infoTo > 0 && infoBits[infoTo - 1] === 0) infoTo--;
    }
  };
  const lift = (i: number) => {
    unlink(2 * i, next, prev);
    if (ops[i].status === 'ok') unlink(2 * i + 1, next, prev);
  };
  const unlift = (i: number) => {
    if (ops[i].status === 'ok') relink(2 * i + 1, next, prev);
    relink(2 * i, next, prev);
  };

  const stackOp = new Int32Array(n);
  const stackState = new Int32Array(n + 1);
  // A read the current state accepts is linearized at once and never "not yet": with it linearized the
  // configuration has the same state and one obligation fewer, so it dominates the one without. Backtracking
  // therefore passes over such a frame to the choice below it.
  const forced = new Uint8Array(n);
  let depth = 0;
  let state = init;
  let h1 = 0;
  let h2 = 0;
  let remainingOk = nOk;

  // Evidence: the furthest return entry the search was stuck at, and linearizations that reached it.
  const maxCandidates = budget.candidates ?? 3;
  const evidence = budget.evidence !== false;
  let failed = -1;
  let candidates: RawCandidate[] = [];
  /**
   * Records a candidate that got stuck at the return of op `k`: the linearization on the stack, then `extra` ops
   * with the states after them, ending in state `at`.
   */
  const record = (k: number, extra: readonly number[], extraStates: readonly number[], at: number) => {
    if (failed < 0 || ops[k].ret > ops[failed].ret) {
      failed = k;
      candidates = [];
    } else if (k !== failed || candidates.length >= maxCandidates) {
      return;
    }
    if (candidates.some((c) => c.state === at)) return;
    const total = depth + extra.length;
    const from = Math.max(0, total - PATH_TAIL);
    const path: number[] = [];
    const states: number[] = [];
    for (let d = from; d < total; d++) {
      if (d < depth) {
        path.push(stackOp[d]);
        states.push(d + 1 < depth ? stackState[d + 1] : state);
      } else {
        path.push(extra[d - depth]);
        states.push(extraStates[d - depth]);
      }
    }
    candidates.push({ path, states, omitted: from, state: at, reason: table.reason(at, k) });
  };
  const stuckAt = (k: number) => record(k, [], [], state);
  /**
   * Evidence when linearizing op `i` (to state `after`) left read `j` impossible: a dropped state is never stuck
   * anywhere, so the candidate goes on as a reader would: the stack, `i`, then every ok op called before the next
   * return that the model takes, in history order, up to the first return of an op not taken (`j`'s, or earlier).
   * Every op in it was called before that return, so it is a real prefix of a linearization, stuck there.
   */
  const prunedAt = (i: number, after: number, j: number) => {
    if (failed >= 0 && (ops[j].ret < ops[failed].ret || (j === failed && candidates.length >= maxCandidates))) return;
    const extra = [i];
    const extraStates = [after];
    const taken = new Set<number>(extra);
    let at = after;
    let stuck = j;
    for (let e = next[HEAD]; e >= 0; e = next[e]) {
      const k = e >>> 1;
      if ((e & 1) === 1) {
        if (!taken.has(k)) {
          stuck = k;
          break;
        }
      } else if (k !== j && !taken.has(k) && ops[k].status === 'ok') {
        const t = table.next(at, k);
        if (t < 0) continue;
        taken.add(k);
        extra.push(k);
        extraStates.push((at = t));
      }
    }
    record(stuck, extra, extraStates, at);
  };

  /** Undoes linearizations down to the last real choice and resumes the scan after it; false when none is left. */
  const backtrack = (): boolean => {
    let i: number;
    do {
      if (depth === 0) return false;
      depth--;
      i = stackOp[depth];
      state = stackState[depth];
      lin[i] = 0;
      if (exclusive[i] >= 0) used[exclusive[i]] = 0;
      clearBit(i);
      h1 ^= z1[i];
      h2 ^= z2[i];
      unlift(i);
      if (ops[i].status === 'ok') remainingOk++;
    } while (forced[depth] === 1);
    entry = next[2 * i];
    return true;
  };

  const memoryLimit = budget.memoryLimitBytes ?? Infinity;
  const maxExplored = budget.maxExplored ?? Infinity;
  let entry = next[HEAD];
  for (let steps = 0; ; steps++) {
    if ((steps & CHECK_EVERY) === 0 && steps > 0) {
      if (budget.cancel && Atomics.load(budget.cancel, 0) !== 0) return result('unknown', { unknownReason: 'cancelled' });
      if (budget.deadline !== undefined && Date.now() > budget.deadline) return result('unknown', { unknownReason: 'time limit' });
      if (memo.bytes + table.bytes > memoryLimit) return result('unknown', { unknownReason: 'memory limit' });
      if ((steps >>> 10) % HEAP_EVERY === 0 && heapNearlyFull(memoryLimit - memo.bytes)) return result('unknown', { unknownReason: 'memory limit' });
      if (explored > maxExplored) return result('unknown', { unknownReason: STEP_BUDGET });
    }
    if ((entry & 1) === 0) {
      // A call entry: try to linearize op i here.
      const i = entry >>> 1;
      const p = pred[i];
      const g = exclusive[i];
      const top = depth > 0 ? stackOp[depth - 1] : -1;
      if (
        (p < 0 || lin[p] === 1) &&
        (g < 0 || used[g] === 0) &&
        !(top >= 0 && blind[i] === 1 && crashed[top] === 1) &&
        !(top >= 0 && exclusive[top] >= 0 && needsCrashed[i] === 0)
      ) {
        const after = table.next(state, i);
        const doomed = prune && after >= 0 && after !== state ? dead(i, table.states[after]) : -1;
        if (doomed >= 0 && evidence) prunedAt(i, after, doomed);
        if (after >= 0 && doomed < 0) {
          explored++;
          setBit(i);
          h1 ^= z1[i];
          h2 ^= z2[i];
          const isRead = reads[i] === 1 && after === state;
          if (memo.add(h1, h2, after, okBits, okFrom, Math.max(okFrom, okTo), infoBits, infoTo)) {
            forced[depth] = isRead ? 1 : 0;
            stackOp[depth] = i;
            stackState[depth] = state;
            depth++;
            state = after;
            lin[i] = 1;
            if (g >= 0) used[g] = 1;
            lift(i);
            if (ops[i].status === 'ok' && --remainingOk === 0) return result(true);
            entry = next[HEAD];
            continue;
          }
          clearBit(i);
          h1 ^= z1[i];
          h2 ^= z2[i];
          if (isRead) {
            // This configuration plus the read was explored already and failed; so does this one.
            if (!backtrack()) return result(false, { failed, candidates });
            continue;
          }
        }
      }
      entry = next[entry];
    } else {
      // The return of an op not yet linearized: no way forward from this configuration.
      if (evidence) stuckAt(entry >>> 1);
      if (!backtrack()) return result(false, { failed, candidates });
    }
  }
}

/**
 * The estimate in the memory budget can be off for models whose states are large objects; the isolate's own
 * heap figures are not, and running out of heap would kill the process instead of answering unknown. `allowed`
 * is what the budget leaves for the heap once the memo's arena (off the heap) is paid for.
 */
function heapNearlyFull(allowed: number): boolean {
  const h = getHeapStatistics();
  return h.used_heap_size > Math.min(allowed, h.heap_size_limit * HEAP_SHARE);
}

/** Builds the entry list in history order: calls by `call` position, returns of ok ops by `ret` position. */
function linkEntries(ops: readonly Operation[], next: Int32Array, prev: Int32Array, head: number): void {
  const returns = returnOrder(ops);
  let last = head;
  let r = 0;
  const append = (e: number) => {
    next[last] = e;
    prev[e] = last;
    last = e;
  };
  // ops are in call order; merge the returns in.
  for (let i = 0; i < ops.length; i++) {
    while (r < returns.length && ops[returns[r]].ret < ops[i].call) append(2 * returns[r++] + 1);
    append(2 * i);
  }
  while (r < returns.length) append(2 * returns[r++] + 1);
  next[last] = -1;
}

/**
 * The ok ops by return position. Positions and op indices are small integers, so each pair is one double
 * (ret · 2^22 + i) and a numeric sort of doubles replaces a sort with a comparator, several times faster.
 */
function returnOrder(ops: readonly Operation[]): Int32Array {
  let n = 0;
  for (const o of ops) if (o.status === 'ok') n++;
  const out = new Int32Array(n);
  const SHIFT = 2 ** 22;
  if (ops.length < SHIFT) {
    const keys = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < ops.length; i++) if (ops[i].status === 'ok') keys[k++] = ops[i].ret * SHIFT + i;
    if (keys.every((x) => x < 2 ** 53)) {
      keys.sort();
      for (let j = 0; j < n; j++) out[j] = keys[j] % SHIFT;
      return out;
    }
  }
  let k = 0;
  for (let i = 0; i < ops.length; i++) if (ops[i].status === 'ok') out[k++] = i;
  return out.sort((a, b) => ops[a].ret - ops[b].ret);
}

function unlink(e: number, next: Int32Array, prev: Int32Array): void {
  const p = prev[e];
  const q = next[e];
  next[p] = q;
  if (q >= 0) prev[q] = p;
}

function relink(e: number, next: Int32Array, prev: Int32Array): void {
  const p = prev[e];
  const q = next[e];
  next[p] = e;
  if (q >= 0) prev[q] = e;
}

function xorshift(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x | 0;
}
