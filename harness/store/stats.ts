import type { Op } from '../../checkers/history/op.js';
import { isClientProcess } from '../../checkers/history/op.js';
import { isInvocation, pairIndex } from '../../checkers/history/pair-index.js';
import type { IntervalOptions, NemesisInterval } from './nemesis-intervals.js';
import { nemesisIntervals } from './nemesis-intervals.js';

/** Client ops by type; `pending` are invocations that never completed (they count as `info` for the checker). */
export interface OpCounts {
  invoke: number;
  ok: number;
  fail: number;
  info: number;
  pending: number;
}

/**
 * Invocation → completion times in milliseconds, over every completed op (`ok`, `fail` and `info`: a timeout is a
 * latency the client saw too). Nearest-rank percentiles; null when nothing completed.
 */
export interface Latency {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export interface FStats extends OpCounts {
  /** `ok` ops of this f per second of the run. */
  throughput: number;
  latency: Latency;
}

/** How many ops were invoked in a stretch of the run, and the fraction the system served (null when none were). */
export interface Availability {
  ops: number;
  /** Served: `ok`, or failed with the system's definite answer (a cas mismatch; SERVED_FAILURES). */
  ok: number;
  fraction: number | null;
}

export interface RunStats {
  /** Client ops only: the nemesis's ops are in `nemesis`. */
  ops: OpCounts;
  byF: Record<string, FStats>;
  /** The span the throughput is over, in milliseconds. */
  durationMs: number;
  /** `ok` ops per second of the run (0 for a run of no duration). */
  throughput: number;
  latency: Latency;
  nemesis: NemesisInterval[];
  /**
   * Client ops by whether they were invoked while a fault was in force (`faulty`) or not (`quiet`), and the
   * fraction of each the system served (ok, or a definite answer such as a cas mismatch): what a fault costs the
   * system's users, next to what it costs in correctness. An op never completed counts as not served.
   */
  availability: { quiet: Availability; faulty: Availability };
}

export interface StatsOptions extends IntervalOptions {
  /**
   * The run's length in nanoseconds, when the harness knows it (it started before the first op and stopped after
   * the last); by default the span from the first op's time to the last's.
   */
  durationNs?: number;
}

/**
 * The figures results.json reports about a run, from its history alone (so any stored run can be re-summarised).
 * Pure, and never throws: a malformed history (a completion with no invocation) yields figures for what pairs up.
 */
export function runStats(ops: readonly Op[], opts: StatsOptions = {}): RunStats {
  const total = counts();
  const perF = new Map<string, { counts: OpCounts; latencies: number[] }>();
  const all: number[] = [];
  const pair = pairIndex(ops);
  let first = Infinity;
  let last = -Infinity;

  const forF = (f: string) => {
    let s = perF.get(f);
    if (s === undefined) perF.set(f, (s = { counts: counts(), latencies: [] }));
    return s;
  };

  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.time < first) first = op.time;
    if (op.time > last) last = op.time;
    if (!isClientProcess(op.process)) continue;
    const s = forF(op.f);
    total[op.type]++;
    s.counts[op.type]++;
    if (op.type !== 'invoke') continue;
    const c = pair[i];
    if (c < 0) {
      total.pending++;
      s.counts.pending++;
      continue;
    }
    const ms = (ops[c].time - op.time) / 1e6;
    all.push(ms);
    s.latencies.push(ms);
  }

  const durationNs = opts.durationNs ?? (last > first ? last - first : 0);
  const perSecond = (n: number) => (durationNs > 0 ? round(n / (durationNs / 1e9)) : 0);
  // Object.fromEntries defines own properties, so an f named `__proto__` cannot reach the prototype.
  const byF = Object.fromEntries(
    [...perF].map(([f, s]) => [f, { ...s.counts, throughput: perSecond(s.counts.ok), latency: latency(s.latencies) }]),
  );
  const nemesis = nemesisIntervals(ops, opts);
  return {
    ops: total,
    byF,
    durationMs: round(durationNs / 1e6),
    throughput: perSecond(total.ok),
    latency: latency(all),
    nemesis,
    availability: availability(ops, pair, nemesis),
  };
}

function availability(ops: readonly Op[], pair: Int32Array, intervals: readonly NemesisInterval[]): RunStats['availability'] {
  const faulty = (t: number) => intervals.some((i) => i.start <= t && t <= i.stop);
  const quiet = { ops: 0, ok: 0 };
  const hit = { ops: 0, ok: 0 };
  for (let i = 0; i < ops.length; i++) {
    if (!isInvocation(ops[i])) continue;
    const a = faulty(ops[i].time) ? hit : quiet;
    a.ops++;
    if (pair[i] >= 0 && served(ops[pair[i]])) a.ok++;
  }
  const of = (a: { ops: number; ok: number }): Availability => ({ ...a, fraction: a.ops ? round(a.ok / a.ops) : null });
  return { quiet: of(quiet), faulty: of(hit) };
}

/**
 * Errors of a `fail` that are the system's answer to the op, not its refusal to serve it: a compare-and-set whose
 * expected value did not match was read, compared and answered, as a healthy node does for most cas ops of a
 * register workload. `no leader`, `NOT_PRIMARY`, a refused connection: definite, but not served.
 */
export const SERVED_FAILURES: readonly string[] = ['cas mismatch'];

/** Whether the system served the op: it came back `ok`, or failed with a definite answer (SERVED_FAILURES). */
function served(completion: Op): boolean {
  return completion.type === 'ok' || (completion.type === 'fail' && typeof completion.error === 'string' && SERVED_FAILURES.includes(completion.error));
}

function counts(): OpCounts {
  return { invoke: 0, ok: 0, fail: 0, info: 0, pending: 0 };
}

function latency(ms: number[]): Latency {
  if (ms.length === 0) return { count: 0, p50: null, p90: null, p99: null, max: null };
  const sorted = Float64Array.from(ms).sort();
  return {
    count: sorted.length,
    p50: round(nearestRank(sorted, 0.5)),
    p90: round(nearestRank(sorted, 0.9)),
    p99: round(nearestRank(sorted, 0.99)),
    max: round(sorted[sorted.length - 1]),
  };
}

/** The smallest value with at least fraction `q` of the values at or below it (no interpolation: a value seen). */
function nearestRank(sorted: Float64Array, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** Microsecond resolution is all a latency or a rate needs, and it keeps results.json readable. */
function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
