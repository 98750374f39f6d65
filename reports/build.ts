import type { Op } from '../checkers/history/op.js';
import { isClientProcess } from '../checkers/history/op.js';
import { pairCalls, type ClientCalls } from '../checkers/history/pair-index.js';
import { PRESENT_LIMITS, valueText, type Presentation } from '../checkers/presentation.js';
import type { CheckResult } from '../checkers/linearizability/result.js';
import { asCheckerResult, BUILTIN_CHECKERS, presentationOf, type Checker, type CheckerResult, type CheckerVerdict } from '../checkers/registry.js';
import { sameValue } from '../checkers/values/key.js';
import { nemesisIntervals } from '../harness/store/nemesis-intervals.js';
import { runStats, type RunStats } from '../harness/store/stats.js';
import { checkObservations } from '../harness/observations.js';
import type { Outcome, ReportData, ReportOp } from './model.js';

/**
 * How much of a run the page carries. A 1,000,000-op run must give a page that opens in seconds: the timeline and
 * the scatter are samples (every op of an anomaly always kept), the quantile lines and throughput are computed
 * over every op into buckets.
 */
export const LIMITS = { ops: 10_000, points: 10_000, quantileBuckets: 100, throughputBuckets: 200, ...PRESENT_LIMITS };

export interface ReportInput {
  history: readonly Op[];
  /** Any checker's result (the linearizability checker's own, unnamed, is taken as the linearizable checker's). */
  check: CheckerResult | CheckResult | CheckerVerdict;
  /** The checker that gave it, which presents it (absent: a built-in checker, by the result's name). */
  checker?: Checker<any>;
  title: string;
  test?: Record<string, unknown>;
  replay?: string;
  /** The run's stats when the harness has them (else computed from the history). */
  stats?: RunStats;
  /** What the target saw (results.json's `observations`), as stored: checked again here, since a store can be edited. */
  observations?: unknown;
}

/** Everything the page shows, from a history and the checker's result over it. Pure. */
export function buildReport(input: ReportInput, limits = LIMITS): ReportData {
  const { history } = input;
  const check: CheckerVerdict & { ops?: number } = asCheckerResult(input.check as CheckerResult | CheckResult);
  const t0 = history.length ? history[0].time : 0;
  const ms = (ns: number) => round((ns - t0) / 1e6);
  const durationMs = history.length ? ms(history[history.length - 1].time) : 0;
  // Calls in invocation order, paired as every part of faultline pairs them (a malformed history: what pairs up).
  const paired = pairCalls(history);
  const n = paired.invoke.length;
  const stats = input.stats ?? runStats(history);
  const presentation = presentationOf<CheckerVerdict>(input.checker ?? builtinChecker(check.checker), check, history, limits);

  const lanes = processesOf(history);
  const lane = new Map(lanes.map((p, i) => [p, i]));
  const typeOf = (j: number): Outcome => (paired.complete[j] < 0 ? 'pending' : (history[paired.complete[j]].type as Outcome));
  const toReportOp = (j: number): ReportOp => {
    const inv = history[paired.invoke[j]];
    const c = paired.complete[j];
    const done = c >= 0 ? history[c] : undefined;
    const op: ReportOp = { i: inv.index, p: lane.get(inv.process)!, s: ms(inv.time), e: done ? ms(done.time) : durationMs, t: typeOf(j), f: inv.f, v: valueText(inv.value, limits.valueChars) };
    if (inv.key !== undefined) op.k = String(inv.key);
    if (done && done.value !== undefined && !sameValue(done.value, inv.value)) op.r = valueText(done.value, limits.valueChars);
    if (done?.error !== undefined) op.err = typeof done.error === 'string' ? done.error : valueText(done.error, limits.valueChars);
    return op;
  };
  const byInvokeIndex = new Map<number, number>();
  for (let j = 0; j < n; j++) byInvokeIndex.set(history[paired.invoke[j]].index, j);

  // Every op the checker's presentation names is kept, whatever the sampling: its links must lead somewhere.
  const keep = new Set<number>();
  for (const i of opsNamed(presentation)) {
    const j = byInvokeIndex.get(i);
    if (j !== undefined) keep.add(j);
  }
  const shown = sample(n, limits.ops, keep);

  return {
    version: 1,
    title: input.title,
    verdict: check.valid,
    ...(check.unknownReason !== undefined && { unknownReason: check.unknownReason }),
    ...(input.test !== undefined && { test: input.test }),
    ...(typeof input.test?.seed === 'number' && { seed: input.test.seed }),
    ...(input.replay !== undefined && { replay: input.replay }),
    counts: { invoke: stats.ops.invoke, ok: stats.ops.ok, fail: stats.ops.fail, info: stats.ops.info, pending: stats.ops.pending },
    ...(stats.availability && { availability: stats.availability }),
    durationMs,
    processes: lanes,
    ops: shown.map(toReportOp),
    opsSampled: { shown: shown.length, total: n },
    nemesis: nemesisIntervals(history).map((iv) => ({ fault: iv.fault, start: ms(iv.start), stop: ms(iv.stop), value: valueText(iv.value, limits.valueChars) })),
    latency: latencyOf(history, paired, ms, durationMs, limits),
    throughput: throughputOf(history, paired, ms, durationMs, limits.throughputBuckets),
    checker: { name: check.checker, valid: check.valid, ops: check.ops ?? 0, ms: round(check.ms), presentation },
    ...observationsOf(input.observations),
  };
}

/** Stored observations, checked: ones that do not check (an edited results.json, an older format) are named, not drawn. */
function observationsOf(stored: unknown): Pick<ReportData, 'observations' | 'observationsError'> {
  if (stored === undefined) return {};
  try {
    return { observations: checkObservations(stored) };
  } catch (e) {
    return { observationsError: (e as Error).message };
  }
}

/** faultline's own checker of that name, for a result whose checker the caller did not give. */
function builtinChecker(name: string): Checker<any> | undefined {
  return BUILTIN_CHECKERS.find((c) => c.name === name);
}

/** Every op a presentation names: its marks, the ops it keeps, its links, and the ops of its linearization views. */
function opsNamed(p: Presentation): number[] {
  const out = [...p.marks.map((m) => m.op), ...(p.keep ?? [])];
  for (const b of p.blocks) {
    if (b.kind === 'list') for (const item of b.items) for (const l of item.links ?? []) out.push(l.op);
    if (b.kind === 'linearization') for (const a of b.anomalies) out.push(...a.ops);
  }
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

function latencyOf(history: readonly Op[], paired: ClientCalls, ms: (ns: number) => number, durationMs: number, limits: typeof LIMITS): ReportData['latency'] {
  const fs: string[] = [];
  const fIndex = new Map<string, number>();
  const types: Outcome[] = ['ok', 'fail', 'info'];
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
    points.push([ms(history[paired.complete[j]].time), round(latencyOfOp(j)), f, types.indexOf(history[paired.complete[j]].type as Outcome)]);
  }
  const quantiles = buckets.flatMap((b, i) => {
    if (b.length === 0) return [];
    const s = Float64Array.from(b).sort();
    const q = (p: number) => round(s[Math.max(0, Math.ceil(p * s.length) - 1)]);
    return [{ t: round(i * width), p50: q(0.5), p95: q(0.95), p99: q(0.99), n: s.length }];
  });
  return { points, pointsSampled: { shown: points.length, total: completed.length }, fs, types, quantiles };
}

function throughputOf(history: readonly Op[], paired: ClientCalls, ms: (ns: number) => number, durationMs: number, buckets: number): ReportData['throughput'] {
  const bucketMs = Math.max(durationMs, 1) / buckets;
  const series = new Map<string, { f: string; t: Outcome; counts: number[] }>();
  for (let j = 0; j < paired.invoke.length; j++) {
    const c = paired.complete[j];
    if (c < 0) continue;
    const f = history[paired.invoke[j]].f;
    const t = history[c].type as Outcome;
    const id = `${f}\u0000${t}`;
    let s = series.get(id);
    if (!s) series.set(id, (s = { f, t, counts: new Array<number>(buckets).fill(0) }));
    s.counts[Math.min(buckets - 1, Math.floor(ms(history[c].time) / bucketMs))]++;
  }
  return { bucketMs: round(bucketMs), series: [...series.values()].sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : a.t < b.t ? -1 : a.t > b.t ? 1 : 0)) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
