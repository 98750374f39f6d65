import type { Block, LinearizationAnomaly, Presentation } from '../../checkers/presentation.js';
import type { Outcome as OpType, ReportData, ReportOp } from '../../reports/model.js';

/** The blocks of that kind in a report's checker presentation. */
export function blocksOf<K extends Block['kind']>(data: ReportData, kind: K): Extract<Block, { kind: K }>[] {
  return data.checker.presentation.blocks.filter((b): b is Extract<Block, { kind: K }> => b.kind === kind);
}

/** The linearization views of a report, every anomaly of every block. */
export function anomaliesOf(data: ReportData): LinearizationAnomaly[] {
  return blocksOf(data, 'linearization').flatMap((b) => b.anomalies);
}

/** The list of that id in a report's checker presentation. */
export function listOf(data: ReportData, id: string): Extract<Block, { kind: 'list' }> | undefined {
  return blocksOf(data, 'list').find((b) => b.id === id);
}

/**
 * A hand-made ReportData for the page's tests and for looking at the page: `ops` ops of a cas-register workload on
 * `processes` processes over `durationMs`, partitions every few seconds, and (with `anomaly`) one stale read on
 * key 3 with its evidence. Deterministic (a small LCG), so two calls give the same data.
 */
export function sampleReport(options: { ops?: number; processes?: number; durationMs?: number; anomaly?: boolean; valueText?: string } = {}): ReportData {
  const n = options.ops ?? 400;
  const procs = options.processes ?? 5;
  const duration = options.durationMs ?? 10_000;
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const fs = ['read', 'write', 'cas'];
  const ops: ReportOp[] = [];
  const free = Array.from({ length: procs }, () => 0);
  const nemesis = [] as ReportData['nemesis'];
  for (let t = 2000; t + 1500 < duration; t += 3000) nemesis.push({ fault: t % 6000 === 2000 ? 'partition' : 'kill', start: t, stop: t + 1500, value: '{"nodes":["n1","n2"]}' });
  const faulty = (t: number) => nemesis.some((f) => f.start <= t && t <= f.stop);
  for (let i = 0; i < n; i++) {
    const p = Math.floor(rand() * procs);
    const s = Math.min(duration - 1, free[p] + rand() * ((duration / n) * procs));
    const lat = faulty(s) ? 50 + rand() * 400 : 1 + rand() * 20;
    const f = fs[Math.floor(rand() * 3)];
    const roll = rand();
    const t: OpType = i === n - 1 ? 'pending' : faulty(s) && roll < 0.3 ? 'info' : roll < 0.08 ? 'fail' : 'ok';
    const e = t === 'pending' ? duration : Math.min(duration, s + lat);
    free[p] = e;
    const op: ReportOp = { i: i * 2, p, s: round(s), e: round(e), t, f, k: String(i % 5), v: f === 'read' ? 'null' : f === 'cas' ? '[1,2]' : String(i % 7) };
    if (f === 'read' && t === 'ok') op.r = String(i % 4);
    if (t === 'fail') op.err = 'precondition failed';
    ops.push(op);
  }
  ops.sort((a, b) => a.s - b.s);
  if (options.valueText !== undefined) ops[0].v = options.valueText;
  const done = ops.filter((o) => o.t !== 'pending');
  const types: OpType[] = ['ok', 'fail', 'info'];
  const quantiles = [];
  const buckets = 20;
  for (let b = 0; b < buckets; b++) {
    const lats = done.filter((o) => Math.floor((o.e / duration) * buckets) === b).map((o) => o.e - o.s).sort((x, y) => x - y);
    if (lats.length === 0) continue;
    const q = (x: number) => round(lats[Math.max(0, Math.ceil(x * lats.length) - 1)]);
    quantiles.push({ t: (b * duration) / buckets, p50: q(0.5), p95: q(0.95), p99: q(0.99), n: lats.length });
  }
  const bucketMs = duration / 50;
  const series = new Map<string, { f: string; t: OpType; counts: number[] }>();
  for (const o of done) {
    const id = `${o.f} ${o.t}`;
    if (!series.has(id)) series.set(id, { f: o.f, t: o.t, counts: new Array<number>(50).fill(0) });
    series.get(id)!.counts[Math.min(49, Math.floor(o.e / bucketMs))]++;
  }
  const anomalies: LinearizationAnomaly[] = [];
  if (options.anomaly) {
    const at = duration * 0.6;
    const mk = (i: number, p: number, s: number, e: number, f: string, v: string, r?: string): ReportOp => ({ i, p, s, e, t: 'ok', f, k: '3', v, ...(r !== undefined && { r }) });
    const a = [
      mk(100001, 0, at, at + 10, 'write', '1'),
      mk(100003, 1, at + 5, at + 30, 'write', '2'),
      mk(100005, 2, at + 12, at + 22, 'read', 'null', '2'),
      mk(100007, 3, at + 25, at + 40, 'cas', '[2,4]'),
      mk(100009, 0, at + 35, at + 60, 'read', 'null', '1'),
      mk(100011, 4, at + 38, at + 70, 'write', '5'),
    ];
    ops.push(...a);
    ops.sort((x, y) => x.s - y.s);
    anomalies.push({
      key: '3',
      failing: 100009,
      previousOk: 100007,
      text: { 100001: 'write 1', 100003: 'write 2', 100005: 'read → 2', 100007: 'cas 2→4', 100009: 'read → 1', 100011: 'write 5' },
      candidates: [
        {
          steps: [
            { op: 100001, state: '1' },
            { op: 100003, state: '2' },
            { op: 100005, state: '2' },
            { op: 100007, state: '4' },
          ],
          omitted: 3,
          state: '4',
          reason: "can't read 1 from register 4",
        },
        { steps: [{ op: 100003, state: '2' }, { op: 100001, state: '1' }], omitted: 3, state: '1', reason: "can't read 2 from register 1" },
      ],
      concurrent: [100011],
      ops: a.map((o) => o.i),
      prose: "Let A = write 1 (process 0), B = write 2, C = read → 2, D = cas 2→4.\nThen A < B < C < D is the longest order found.\nHowever, read → 1 (process 0) sees 1: can't read 1 from register 4: a contradiction!",
    });
  }
  const count = (t: OpType) => ops.filter((o) => o.t === t).length;
  return {
    version: 1,
    title: 'raft-kv register <partition>',
    verdict: options.anomaly ? false : true,
    test: { name: 'raft-kv-register', target: 'raft-kv', workload: 'register', nemesis: ['partition', 'kill'], 'time-limit': duration / 1000, concurrency: procs, seed: 7 },
    seed: 7,
    replay: 'npx faultline run --target raft-kv --nemesis partition,kill --seed 7',
    counts: { invoke: ops.length, ok: count('ok'), fail: count('fail'), info: count('info'), pending: count('pending') },
    availability: { quiet: { ops: 300, ok: 297, fraction: 0.99 }, faulty: { ops: 100, ok: 60, fraction: 0.6 } },
    durationMs: duration,
    processes: Array.from({ length: procs }, (_, j) => j),
    ops,
    opsSampled: { shown: ops.length, total: ops.length },
    nemesis,
    latency: {
      points: done.map((o) => [o.e, round(o.e - o.s), fs.indexOf(o.f), types.indexOf(o.t)]),
      pointsSampled: { shown: done.length, total: done.length },
      fs,
      types,
      quantiles,
    },
    throughput: { bucketMs, series: [...series.values()] },
    checker: { name: 'linearizable', valid: options.anomaly ? false : true, ops: ops.length, ms: 12.5, presentation: presentation(ops, anomalies, options.anomaly === true) },
  };
}

/** The linearizable checker's presentation of the sample, as checkers/linearizability/present.ts makes one. */
function presentation(ops: ReportOp[], anomalies: LinearizationAnomaly[], invalid: boolean): Presentation {
  const keys = ['0', '1', '2', '3', '4'].map((key) => ({ key, valid: !(invalid && key === '3'), ops: ops.filter((o) => o.k === key).length }));
  const passed = keys.filter((k) => k.valid);
  const failed = keys.filter((k) => !k.valid);
  return {
    title: 'Linearizability',
    facts: [
      ['model', 'cas-register'],
      ['keys', `${keys.length} (${passed.length} passed)`],
    ],
    findings: invalid ? ['1 key not linearizable'] : [],
    ...(invalid && { first: "First: key 3: read → 1 (index 100009) at 6.04 s on process 0 cannot be linearized: can't read 1 from register 4." }),
    blocks: [
      ...(anomalies.length > 0 ? [{ kind: 'linearization' as const, anomalies }] : []),
      ...(failed.length > 0 ? [{ kind: 'table' as const, columns: ['key', 'verdict', 'ops', 'why'], rows: failed.map((k) => ({ cells: [k.key, 'Anomaly found', String(k.ops), ''], verdict: false as const })) }] : []),
      { kind: 'list', id: 'passed-keys', title: `${passed.length} keys passed`, total: passed.length, items: passed.map((k) => ({ text: k.key, where: `${k.ops} ops` })), collapsed: true },
    ],
    marks: anomalies.map((a) => ({ op: a.failing, why: 'this op cannot be linearized' })),
    markLegend: 'cannot be linearized',
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
