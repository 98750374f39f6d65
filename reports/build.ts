import type { Op } from '../checkers/history/op.js';
import { sameValue } from '../checkers/values/key.js';
import { stringifyExact } from '../checkers/values/json.js';
import { show } from '../checkers/values/show.js';
import { isClientProcess } from '../checkers/history/op.js';
import { explainAnomaly } from '../checkers/linearizability/explain.js';
import type { CheckResult, LinearizabilityAnomaly, OpRef } from '../checkers/linearizability/result.js';
import { asCheckerResult, type CheckerResult, type LinearizableResult } from '../checkers/registry.js';
import { explainSet, type AddRef, type SetResult } from '../checkers/set/index.js';
import { explainTwoPhaseCommit, type AtomicityAnomaly, type TwoPhaseCommitResult } from '../checkers/two-phase-commit/index.js';
import { nemesisIntervals } from '../harness/store/nemesis-intervals.js';
import { runStats, type RunStats } from '../harness/store/stats.js';
import type { OpType, ReportAnomaly, ReportData, ReportKey, ReportOp, ReportSet, ReportSetElement, ReportTwoPhaseCommit, ReportTwoPhaseCommitAnomaly } from './model.js';

/**
 * How much of a run the page carries. A 1,000,000-op run must give a page that opens in seconds: the timeline and
 * the scatter are samples (every op of an anomaly always kept), the quantile lines and throughput are computed
 * over every op into buckets.
 */
export const LIMITS = { ops: 10_000, points: 10_000, quantileBuckets: 100, throughputBuckets: 200, anomalyOps: 300, valueChars: 200, setElements: 300 };

export interface ReportInput {
  history: readonly Op[];
  /** Any checker's result (the linearizability checker's own, unnamed, is taken as the linearizable checker's). */
  check: CheckerResult | CheckResult;
  title: string;
  test?: Record<string, unknown>;
  replay?: string;
  /** The run's stats when the harness has them (else computed from the history). */
  stats?: RunStats;
}

/** The ops of a history paired up: parallel arrays over client ops in invocation order (cheap at 1M ops). */
interface Paired {
  invoke: number[];
  complete: number[]; // history position of the completion, -1 while pending
  process: (number | string)[];
}

/** Everything the page shows, from a history and the checker's result over it. Pure. */
export function buildReport(input: ReportInput, limits = LIMITS): ReportData {
  const { history } = input;
  const check = asCheckerResult(input.check);
  const t0 = history.length ? history[0].time : 0;
  const ms = (ns: number) => round((ns - t0) / 1e6);
  const durationMs = history.length ? ms(history[history.length - 1].time) : 0;
  const paired = pair(history);
  const n = paired.invoke.length;
  const stats = input.stats ?? runStats(history);

  const lanes = processesOf(history);
  const lane = new Map(lanes.map((p, i) => [p, i]));
  const typeOf = (j: number): OpType => (paired.complete[j] < 0 ? 'pending' : (history[paired.complete[j]].type as OpType));
  const toReportOp = (j: number): ReportOp => {
    const inv = history[paired.invoke[j]];
    const c = paired.complete[j];
    const done = c >= 0 ? history[c] : undefined;
    const op: ReportOp = { i: inv.index, p: lane.get(inv.process)!, s: ms(inv.time), e: done ? ms(done.time) : durationMs, t: typeOf(j), f: inv.f, v: text(inv.value, limits.valueChars) };
    if (inv.key !== undefined) op.k = String(inv.key);
    if (done && done.value !== undefined && !sameJson(done.value, inv.value)) op.r = text(done.value, limits.valueChars);
    if (done?.error !== undefined) op.err = typeof done.error === 'string' ? done.error : text(done.error, limits.valueChars);
    return op;
  };
  const byInvokeIndex = new Map<number, number>();
  for (let j = 0; j < n; j++) byInvokeIndex.set(history[paired.invoke[j]].index, j);

  // Every op an anomaly names, and the ops around each failure, are kept whatever the sampling; so is every op the
  // set checker's evidence names.
  const anomalies = check.checker === 'linearizable' ? check.anomalies.map((a) => anomalyOf(a, history, paired, byInvokeIndex, toReportOp, limits.anomalyOps)) : [];
  const set = check.checker === 'set' ? setOf(check, limits) : undefined;
  const twoPhaseCommit = check.checker === '2pc' ? twoPhaseCommitOf(check, limits) : undefined;
  const keep = new Set<number>();
  for (const a of anomalies) for (const op of a.ops) keep.add(byInvokeIndex.get(op.i)!);
  if (set) {
    for (const e of [...set.lost, ...set.failedButPresent, ...set.recovered]) if (e.i !== undefined && byInvokeIndex.has(e.i)) keep.add(byInvokeIndex.get(e.i)!);
    if (set.finalRead !== undefined && byInvokeIndex.has(set.finalRead)) keep.add(byInvokeIndex.get(set.finalRead)!);
  }
  if (twoPhaseCommit) {
    const named = [twoPhaseCommit.finalRead, ...twoPhaseCommit.anomalies.flatMap((a) => [a.i, a.read])];
    for (const i of named) if (i !== undefined && byInvokeIndex.has(i)) keep.add(byInvokeIndex.get(i)!);
  }
  const model = check.checker === 'linearizable' ? check.model : undefined;
  const shown = sample(n, limits.ops, keep);

  return {
    version: 1,
    title: input.title,
    verdict: check.valid,
    ...(check.unknownReason !== undefined && { unknownReason: check.unknownReason }),
    ...(input.test !== undefined && { test: input.test }),
    ...(typeof input.test?.seed === 'number' && { seed: input.test.seed }),
    ...(input.replay !== undefined && { replay: input.replay }),
    ...(model !== undefined && { model }),
    counts: { invoke: stats.ops.invoke, ok: stats.ops.ok, fail: stats.ops.fail, info: stats.ops.info, pending: stats.ops.pending },
    ...(stats.availability && { availability: stats.availability }),
    durationMs,
    processes: lanes,
    ops: shown.map(toReportOp),
    opsSampled: { shown: shown.length, total: n },
    nemesis: nemesisIntervals(history).map((iv) => ({ fault: iv.fault, start: ms(iv.start), stop: ms(iv.stop), value: text(iv.value, limits.valueChars) })),
    latency: latencyOf(history, paired, ms, durationMs, limits),
    throughput: throughputOf(history, paired, ms, durationMs, limits.throughputBuckets),
    checker: {
      name: check.checker,
      ...(model !== undefined && { model }),
      valid: check.valid,
      ops: check.ops,
      ms: round(check.ms),
      keys: check.checker === 'linearizable' ? keysOf(history, check) : [],
      ...(set && { set }),
      ...(twoPhaseCommit && { twoPhaseCommit }),
    },
    anomalies,
  };
}

function pair(history: readonly Op[]): Paired {
  const out: Paired = { invoke: [], complete: [], process: [] };
  const open = new Map<number, number>();
  history.forEach((op, pos) => {
    if (!isClientProcess(op.process)) return;
    if (op.type === 'invoke') {
      open.set(op.process, out.invoke.length);
      out.invoke.push(pos);
      out.complete.push(-1);
      out.process.push(op.process);
    } else {
      const j = open.get(op.process);
      if (j === undefined) return;
      open.delete(op.process);
      out.complete[j] = pos;
    }
  });
  return out;
}

/** The lanes: client processes in numeric order. */
function processesOf(history: readonly Op[]): (number | string)[] {
  const seen = new Set<number>();
  for (const op of history) if (isClientProcess(op.process)) seen.add(op.process);
  return [...seen].sort((a, b) => a - b);
}

/** `limit` of n ops, evenly spread over the run, plus every op in `keep`; sorted. */
function sample(n: number, limit: number, keep: Set<number>): number[] {
  if (n <= limit) return Array.from({ length: n }, (_, j) => j);
  const stride = n / Math.max(1, limit - keep.size);
  const out = new Set(keep);
  for (let x = 0; x < n; x += stride) out.add(Math.floor(x));
  return [...out].sort((a, b) => a - b);
}

function latencyOf(history: readonly Op[], paired: Paired, ms: (ns: number) => number, durationMs: number, limits: typeof LIMITS): ReportData['latency'] {
  const fs: string[] = [];
  const fIndex = new Map<string, number>();
  const types: OpType[] = ['ok', 'fail', 'info'];
  const completed: number[] = [];
  for (let j = 0; j < paired.invoke.length; j++) if (paired.complete[j] >= 0) completed.push(j);
  const width = Math.max(durationMs, 1) / limits.quantileBuckets;
  const buckets: number[][] = Array.from({ length: limits.quantileBuckets }, () => []);
  const latencyOfOp = (j: number) => (history[paired.complete[j]].time - history[paired.invoke[j]].time) / 1e6;
  for (const j of completed) {
    const at = ms(history[paired.complete[j]].time);
    buckets[Math.min(limits.quantileBuckets - 1, Math.floor(at / width))].push(latencyOfOp(j));
  }
  const points: ReportData['latency']['points'] = [];
  const stride = Math.max(1, completed.length / limits.points);
  for (let x = 0; x < completed.length; x += stride) {
    const j = completed[Math.floor(x)];
    const inv = history[paired.invoke[j]];
    let f = fIndex.get(inv.f);
    if (f === undefined) {
      fIndex.set(inv.f, (f = fs.length));
      fs.push(inv.f);
    }
    points.push([ms(history[paired.complete[j]].time), round(latencyOfOp(j)), f, types.indexOf(history[paired.complete[j]].type as OpType)]);
  }
  const quantiles = buckets.flatMap((b, i) => {
    if (b.length === 0) return [];
    const s = Float64Array.from(b).sort();
    const q = (p: number) => round(s[Math.max(0, Math.ceil(p * s.length) - 1)]);
    return [{ t: round(i * width), p50: q(0.5), p95: q(0.95), p99: q(0.99), n: s.length }];
  });
  return { points, pointsSampled: { shown: points.length, total: completed.length }, fs, types, quantiles };
}

function throughputOf(history: readonly Op[], paired: Paired, ms: (ns: number) => number, durationMs: number, buckets: number): ReportData['throughput'] {
  const bucketMs = Math.max(durationMs, 1) / buckets;
  const series = new Map<string, { f: string; t: OpType; counts: number[] }>();
  for (let j = 0; j < paired.invoke.length; j++) {
    const c = paired.complete[j];
    if (c < 0) continue;
    const f = history[paired.invoke[j]].f;
    const t = history[c].type as OpType;
    const id = `${f}\u0000${t}`;
    let s = series.get(id);
    if (!s) series.set(id, (s = { f, t, counts: new Array<number>(buckets).fill(0) }));
    s.counts[Math.min(buckets - 1, Math.floor(ms(history[c].time) / bucketMs))]++;
  }
  return { bucketMs: round(bucketMs), series: [...series.values()].sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : a.t < b.t ? -1 : a.t > b.t ? 1 : 0)) };
}

/** The set checker's summary: its counts, and the first elements of each list with the op that added each. */
function setOf(r: SetResult, limits: typeof LIMITS): ReportSet {
  const element = (a: { element: unknown }): ReportSetElement => ({ e: text(a.element, limits.valueChars) });
  const added = (a: AddRef): ReportSetElement => ({ ...element(a), i: a.invokeIndex, p: a.process, t: a.status });
  const first = <T>(xs: T[]) => xs.slice(0, limits.setElements);
  return {
    counts: { ...r.counts },
    ...(r.finalRead && { finalRead: r.finalRead.invokeIndex }),
    lost: first(r.lost).map(added),
    unexpected: first(r.unexpected).map(element),
    failedButPresent: first(r.failedButPresent).map(added),
    recovered: first(r.recovered).map(added),
    prose: explainSet(r),
  };
}

/** The 2PC checker's summary: its counts and totals, and the first anomalies of each kind, each in one line. */
function twoPhaseCommitOf(r: TwoPhaseCommitResult, limits: typeof LIMITS): ReportTwoPhaseCommit {
  const perKind = new Map<string, number>();
  const anomalies: ReportTwoPhaseCommitAnomaly[] = [];
  for (const a of r.anomalies) {
    const n = perKind.get(a.kind) ?? 0;
    if (n >= limits.setElements) continue;
    perKind.set(a.kind, n + 1);
    anomalies.push(twoPhaseCommitAnomaly(a));
  }
  return {
    counts: { ...r.counts },
    anomalyCounts: { ...r.anomalyCounts },
    anomalies,
    ...(r.expectedTotal !== undefined && { expectedTotal: r.expectedTotal, totalFrom: r.totalFrom }),
    ...(r.finalTotal !== undefined && { finalTotal: r.finalTotal }),
    ...(r.finalRead && { finalRead: r.finalRead.invokeIndex }),
    prose: explainTwoPhaseCommit(r),
  };
}

function twoPhaseCommitAnomaly(a: AtomicityAnomaly): ReportTwoPhaseCommitAnomaly {
  const list = (xs: string[]) => xs.join(', ');
  switch (a.kind) {
    case 'partial-commit':
    case 'lost-commit':
    case 'aborted-visible': {
      const where = a.presentAt.length === 0 ? `at none of ${list(a.absentAt)}` : `at ${list(a.presentAt)}${a.absentAt.length ? `, not at ${list(a.absentAt)}` : ''}`;
      return { kind: a.kind, id: a.id, text: `transfer ${a.id} (${a.transfer.status}): ${where}`, i: a.transfer.invokeIndex };
    }
    case 'in-doubt-left':
      return { kind: a.kind, id: a.id, text: `transaction ${a.id}${a.transfer ? ` (${a.transfer.status})` : ' (no such transfer)'}: still prepared at ${list(a.preparedAt)}`, ...(a.transfer && { i: a.transfer.invokeIndex }) };
    case 'fractured-read':
      return { kind: a.kind, id: a.id, text: `transfer ${a.id}: the read at index ${a.read.invokeIndex} saw it at ${list(a.presentAt)}, not at ${list(a.absentAt)}`, i: a.transfer.invokeIndex, read: a.read.invokeIndex };
    case 'balance-not-conserved':
      return { kind: a.kind, text: `${a.final ? 'the final read' : 'the read'} at index ${a.read.invokeIndex} totals ${a.observed}, not ${a.expected}`, read: a.read.invokeIndex };
    case 'unexpected-marker':
      return { kind: a.kind, id: a.id, text: `marker ${a.id} at ${list(a.presentAt)}: no transfer had that id` };
    case 'misplaced-marker':
      return { kind: a.kind, id: a.id, text: `transfer ${a.id} touches ${list(a.transfer.participants ?? [])}, but its marker is also at ${list(a.presentAt)}`, i: a.transfer.invokeIndex };
  }
}

/** Every key of the history with its verdict: the checker lists only the keys that were not valid. */
function keysOf(history: readonly Op[], check: LinearizableResult): ReportKey[] {
  const counts = new Map<string, number>();
  for (const op of history) if (isClientProcess(op.process) && op.type === 'invoke') counts.set(keyText(op.key), (counts.get(keyText(op.key)) ?? 0) + 1);
  const flagged = new Map(check.partitions.map((p) => [keyText(p.key), p]));
  return [...counts]
    .map(([key, ops]): ReportKey => {
      const p = flagged.get(key);
      if (!p) return { key, valid: true, ops };
      return { key, valid: p.valid, ops: p.ops, ...(p.unknownReason !== undefined && { unknownReason: p.unknownReason }) };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * One anomaly as the page draws it: the ops the evidence names, and the other ops on the key that overlap the
 * window from the earliest of them to the failing op's completion (the context Porcupine's visualiser shows).
 */
function anomalyOf(
  a: LinearizabilityAnomaly,
  history: readonly Op[],
  paired: Paired,
  byInvokeIndex: Map<number, number>,
  toReportOp: (j: number) => ReportOp,
  limit: number,
): ReportAnomaly {
  const refs: OpRef[] = [a.op, ...(a.previousOk ? [a.previousOk] : []), ...a.candidates.flatMap((c) => c.steps.map((s) => s.op)), ...a.concurrent];
  const text: Record<number, string> = {};
  for (const r of refs) text[r.invokeIndex] = r.text;
  const named = new Set(refs.map((r) => byInvokeIndex.get(r.invokeIndex)).filter((j): j is number => j !== undefined));
  const times = [...named].map((j) => history[paired.invoke[j]].time);
  const from = Math.min(...times);
  const failing = byInvokeIndex.get(a.op.invokeIndex);
  const to = failing !== undefined && paired.complete[failing] >= 0 ? history[paired.complete[failing]].time : Math.max(...times);
  const key = a.key === undefined ? undefined : keyText(a.key);
  const context: number[] = [];
  for (let j = 0; j < paired.invoke.length && named.size + context.length < limit; j++) {
    if (named.has(j)) continue;
    const inv = history[paired.invoke[j]];
    if (inv.time > to) break;
    if (key !== undefined && keyText(inv.key) !== key) continue;
    const end = paired.complete[j] >= 0 ? history[paired.complete[j]].time : Infinity;
    if (end >= from) context.push(j);
  }
  const ops = [...named, ...context].sort((x, y) => x - y).map(toReportOp);
  return {
    ...(key !== undefined && { key }),
    failing: a.op.invokeIndex,
    ...(a.previousOk && { previousOk: a.previousOk.invokeIndex }),
    text,
    candidates: a.candidates.map((c) => ({ steps: c.steps.map((s) => ({ op: s.op.invokeIndex, state: s.state })), omitted: c.omitted, state: c.state, reason: c.reason })),
    concurrent: a.concurrent.map((r) => r.invokeIndex),
    ops,
    prose: explainAnomaly(a),
  };
}

/** A key as text: a string as itself, anything else as it reads in evidence (exact: a bigint keeps its digits). */
function keyText(k: unknown): string {
  return k === undefined ? '' : typeof k === 'string' ? k : show(k);
}

/** A value as JSON text for display, exact (big integers keep every digit), shortened. */
function text(v: unknown, max: number): string {
  let s: string;
  try {
    s = stringifyExact(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function sameJson(a: unknown, b: unknown): boolean {
  return sameValue(a, b);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
