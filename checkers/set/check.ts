import { performance } from 'node:perf_hooks';
import { Calls } from '../history/calls.js';
import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import { IntTable } from '../int-table.js';
import { canonical, show } from '../models/model.js';
import { valueFingerprint } from '../models/values.js';
import type { AddRef, AddStatus, DuplicatedElement, ReadRef, SetCheckOptions, SetCounts, SetResult, UnexpectedElement } from './result.js';

const MAX_LISTED = 1_000;

/** An element as a Map key: doubles as themselves, anything else by its value key (so equal values are one key). */
type ElementKey = number | string;
const keyOf = (v: unknown): ElementKey => valueFingerprint(v);

const isSmallIndex = (v: unknown, bound: number): v is number => typeof v === 'number' && v >= 0 && v < bound && Number.isInteger(v);

/**
 * Element → slot (a non-negative number), -1 when absent. The set workload adds 0, 1, 2, …: those are slots of an
 * IntTable's typed array, which a million elements fill in milliseconds; any other element goes to a Map by its
 * value (so 2^60 as a double and as a bigint are one element).
 */
class ElementTable {
  private readonly small: IntTable;
  private readonly other = new Map<ElementKey, number>();
  size = 0;
  constructor(private readonly bound: number) {
    this.small = new IntTable(-1, bound);
  }
  get(v: unknown): number {
    if (isSmallIndex(v, this.bound)) return this.small.get(v);
    return this.other.get(keyOf(v)) ?? -1;
  }
  set(v: unknown, slot: number): void {
    if (isSmallIndex(v, this.bound)) {
      if (this.small.get(v) < 0) this.size++;
      this.small.set(v, slot);
      return;
    }
    const k = keyOf(v);
    if (!this.other.has(k)) this.size++;
    this.other.set(k, slot);
  }
  forEachSlot(fn: (slot: number) => void): void {
    this.small.forEach(fn);
    this.other.forEach(fn);
  }
}

/** ok beats info (and pending) beats fail: an element added twice has the best outcome of its adds. */
const RANK: Record<AddStatus, number> = { fail: 0, info: 1, pending: 1, ok: 2 };

/**
 * Jepsen's set checker (`jepsen.checker/set`): `add` ops each add one element, and a final `read` (after the
 * faults are healed) returns every element. Every acknowledged add must be in the final read (else it was lost),
 * and the read may hold only elements some add was attempted for (else they are unexpected) and not failed (a
 * `fail` is certain: the element is not there). Adds of unknown outcome may be there or not; those that are, were
 * recovered.
 *
 * The final read is the last `ok` read (Jepsen's choice: earlier reads are ignored). A read value of `nil` is the
 * empty set (Jepsen's `(set nil)`); any other value that is not a list leaves the verdict unknown. An acknowledged
 * add that completed only after the final read had begun is not required to be in it (`unread`, not lost).
 *
 * Two passes over the history (pairing the calls, then finding the adds and the final read) and table look-ups:
 * linear in its length (only the lists reported are sorted). An ill-formed history (a completion with no
 * invocation, two invocations in flight on one process) is an input error
 * naming the line, as for the linearizability checker; anything well-formed gets a verdict.
 */
export function checkSet(history: History | Op[], opts: SetCheckOptions = {}): SetResult {
  const start = performance.now();
  const calls = new Calls(history);
  const { ops, completion } = calls;
  const maxListed = opts.maxListed ?? MAX_LISTED;
  // A call is named by the position of its invocation; how it ended is its completion's type.
  const status = (c: number): AddStatus => (completion[c] < 0 ? 'pending' : (ops[completion[c]].type as AddStatus));

  // The adds, and the final read: the last ok read to complete.
  const adds: number[] = [];
  let finalRead = -1;
  let reads = 0;
  let looked = 0;
  for (let i = 0; i < ops.length; i++) {
    if (!calls.isInvocation(i)) continue;
    if (ops[i].f === 'add') {
      adds.push(i);
      looked++;
    } else if (ops[i].f === 'read') {
      looked++;
      const j = completion[i];
      if (j >= 0 && ops[j].type === 'ok') {
        reads++;
        if (finalRead < 0 || j > completion[finalRead]) finalRead = i;
      }
    }
  }
  // An add's element is its invocation's value (what an add returns may be anything: Redis's SADD returns 1).
  const element = (c: number) => ops[c].value;

  // Each element's best add. Small non-negative integer elements are indexed directly when they are dense enough.
  let max = -1;
  for (let k = 0; k < adds.length; k++) {
    const v = element(adds[k]);
    if (isSmallIndex(v, 2 ** 31 - 1) && v > max) max = v;
  }
  const bound = max < 4 * adds.length + 1024 ? max + 1 : 0;
  const elements = new ElementTable(bound);
  for (let k = 0; k < adds.length; k++) {
    const c = adds[k];
    const best = elements.get(element(c));
    if (best < 0 || RANK[status(c)] > RANK[status(best)]) elements.set(element(c), c);
  }
  const counts: SetCounts = { attempted: elements.size, acknowledged: 0, failed: 0, info: 0, read: 0, lost: 0, unexpected: 0, failedButPresent: 0, recovered: 0, unread: 0, duplicated: 0 };
  elements.forEachSlot((c) => {
    const st = status(c);
    if (st === 'ok') counts.acknowledged++;
    else if (st === 'fail') counts.failed++;
    else counts.info++;
  });

  const addRef = (c: number): AddRef => ({ element: element(c), status: status(c), ...calls.ref(c) });
  const result = (valid: SetResult['valid'], rest: Partial<SetResult>): SetResult => ({
    checker: 'set',
    valid,
    ...(rest.unknownReason !== undefined && { unknownReason: rest.unknownReason }),
    ops: looked,
    counts,
    ...(rest.finalRead && { finalRead: rest.finalRead }),
    reads,
    lost: rest.lost ?? [],
    ...(rest.lostPerSecond && { lostPerSecond: rest.lostPerSecond }),
    unexpected: rest.unexpected ?? [],
    failedButPresent: rest.failedButPresent ?? [],
    recovered: rest.recovered ?? [],
    duplicated: rest.duplicated ?? [],
    ms: performance.now() - start,
  });

  if (finalRead < 0) return result('unknown', { unknownReason: 'no final read: no read completed ok, so nothing says which elements the set holds' });
  const ri = finalRead;
  const rc = completion[finalRead];
  const readRef: ReadRef = { ...calls.ref(ri), completeTime: ops[rc].time };
  const value = ops[rc].value ?? [];
  if (!Array.isArray(value)) {
    const where = calls.fromFile ? `line ${calls.lineOf(rc)}` : `index ${readRef.completeIndex}`;
    return result('unknown', { finalRead: readRef, unknownReason: `the final read (${where}) returned ${clip(show(value))}, not a list of elements` });
  }

  // The final read as a set: each element's first position in the read, and how often the repeated ones appear.
  const read = new ElementTable(bound);
  const repeats = new Map<number, number>(); // first position → times read
  for (let j = 0; j < value.length; j++) {
    const first = read.get(value[j]);
    if (first < 0) read.set(value[j], j);
    else repeats.set(first, (repeats.get(first) ?? 1) + 1);
  }
  counts.read = read.size;

  const lost: number[] = [];
  const failedButPresent: number[] = [];
  const recovered: number[] = [];
  const unexpected: UnexpectedElement[] = [];
  read.forEachSlot((j) => {
    const add = elements.get(value[j]);
    if (add < 0) unexpected.push({ element: value[j] });
    else if (status(add) === 'fail') failedButPresent.push(add);
    else if (status(add) !== 'ok') recovered.push(add);
  });
  const duplicated: DuplicatedElement[] = [...repeats].map(([j, times]) => ({ element: value[j], times }));
  elements.forEachSlot((add) => {
    if (status(add) !== 'ok' || read.get(element(add)) >= 0) return;
    // Acknowledged before the final read began: it must be there. Acknowledged during it: it need not be.
    if (completion[add] < ri) lost.push(add);
    else counts.unread++;
  });
  counts.lost = lost.length;
  counts.unexpected = unexpected.length;
  counts.failedButPresent = failedButPresent.length;
  counts.recovered = recovered.length;
  counts.duplicated = duplicated.length;

  const listed = <T>(xs: T[], element: (x: T) => unknown) => xs.sort((a, b) => compareElements(element(a), element(b))).slice(0, maxListed);
  const valid = lost.length === 0 && unexpected.length === 0 && failedButPresent.length === 0;
  return result(valid, {
    finalRead: readRef,
    ...(lost.length > 0 && { lostPerSecond: perSecond(lost.map((c) => ops[c].time), ops[0].time) }),
    lost: listed(lost, element).map(addRef),
    unexpected: listed(unexpected, (u) => u.element),
    failedButPresent: listed(failedButPresent, element).map(addRef),
    recovered: listed(recovered, element).map(addRef),
    duplicated: listed(duplicated, (d) => d.element),
  });
}

/** A day and a bit: a run's seconds. Times spanning more are not a run's nanoseconds (a file's own clock). */
export const LOSS_SECONDS = 100_000;

/** How many of `times` (ns) fall in each second from `t0`; undefined past LOSS_SECONDS. */
function perSecond(times: readonly number[], t0: number): number[] | undefined {
  let last = 0;
  for (const t of times) last = Math.max(last, Math.floor((t - t0) / 1e9));
  if (!(last < LOSS_SECONDS)) return undefined;
  const counts = new Array<number>(last + 1).fill(0);
  for (const t of times) counts[Math.max(0, Math.floor((t - t0) / 1e9))]++;
  return counts;
}

/** Numbers first, in numeric order; then everything else by its canonical JSON. */
export function compareElements(a: unknown, b: unknown): number {
  const na = typeof a === 'number';
  const nb = typeof b === 'number';
  if (na && nb) return (a as number) - (b as number);
  if (na !== nb) return na ? -1 : 1;
  const ca = canonical(a ?? null);
  const cb = canonical(b ?? null);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}
