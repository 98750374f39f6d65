import { z } from 'zod';
import type { CheckerVerdict, Checker } from '../../checkers/registry.js';
import type { History } from '../../checkers/history/history.js';
import type { Op } from '../../checkers/history/op.js';
import type { Plugin } from '../../harness/registry.js';
import { Rng } from '../../harness/rng.js';
import type { ClientOp } from '../../harness/runtime.js';
import type { ProcessGenerator, Workload } from '../../workloads/workload.js';

/**
 * A stand-in for issue 20's `log` workload and checker (built on their own branch), for testing redis-stream alone:
 * the same ops as the contract has them (each process first assigns or subscribes, then sends about 60 % and polls
 * about 40 %, now and then assigning or subscribing again; a drain at the end), and a checker of the few anomalies
 * these tests claim, computed straight from the contract's history.
 */

export const PARTITIONS = 4;
const KEYS = 16;

function logGenerator(seed: number, modes: 'mixed' | 'subscribe' | 'assign'): ProcessGenerator {
  const rng = new Rng(seed);
  const started = new Set<number>();
  let value = 0;
  const join = (): ClientOp => {
    const subscribe = modes === 'subscribe' || (modes === 'mixed' && rng.chance(0.5));
    if (subscribe) return { f: 'subscribe', value: null };
    const some = Array.from({ length: PARTITIONS }, (_, p) => p).filter(() => rng.chance(0.5));
    return { f: 'assign', value: some.length > 0 ? some : Array.from({ length: PARTITIONS }, (_, p) => p) };
  };
  return {
    next(process) {
      if (!started.has(process)) {
        started.add(process);
        return { op: join() };
      }
      const r = rng.next();
      if (r < 0.02) return { op: join() };
      if (r < 0.62) return { op: { f: 'send', key: `k${rng.int(KEYS)}`, value: ++value } };
      return { op: { f: 'poll', value: null } };
    },
  };
}

const operations = { send: z.int(), poll: z.null(), assign: z.array(z.int()), subscribe: z.null(), drain: z.null() };

const logWorkload = (name: string, modes: 'mixed' | 'subscribe' | 'assign'): Workload => ({
  name,
  description: `test only: issue 20's log ops (${modes})`,
  checker: 'test-log',
  operations,
  generator: (seed) => logGenerator(seed, modes),
  finalOps: () => [{ f: 'drain', value: null }],
});

export type Triple = [number, string, unknown];

/** Stream IDs in order, (ms, seq) numerically. */
export function compareOffsets(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

export interface LostWrite {
  partition: number;
  offset: string;
  value: unknown;
  /** The acknowledging op's index, and a read of the partition past the offset. */
  sendIndex: number;
  readPast: { index: number; offset: string };
}

export interface TestLogResult extends CheckerVerdict {
  checker: 'test-log';
  ackedSends: number;
  reads: number;
  drained: number;
  lost: LostWrite[];
  /**
   * Acknowledged sends the drain (every entry of the log as it is at the end, after the faults healed) does not hold:
   * lost, as the set checker has it, whether or not a poll read them before (on a primary a failover then
   * discarded). The contract's lost-write (Jepsen's Kafka rule) counts only those no read ever returned, and only
   * below an offset some read reached.
   */
  missing: { partition: number; offset: string; value: unknown; sendIndex: number; polled: boolean }[];
  inconsistent: { partition: number; offset: string; values: unknown[] }[];
  /** An assign-mode process read p at an offset not past its previous one there. */
  nonmonotonic: { process: number; partition: number; before: string; after: string; index: number }[];
  /** An assign-mode process read a then b in p, and the drain holds an entry between them. */
  skips: { process: number; partition: number; from: string; to: string; between: string; index: number }[];
  /** Ok polls that claimed entries another consumer had left pending (the client's `claimed` extra). */
  claimingPolls: number[];
  /** Shapes the contract refuses: a send without its partition and offset, a read that is not a list of triples. */
  malformed: string[];
}

const isTriple = (t: unknown): t is Triple =>
  Array.isArray(t) && t.length === 3 && Number.isInteger(t[0]) && typeof t[1] === 'string' && /^\d+-\d+$/.test(t[1]) && Number.isInteger(t[2]);

/** The contract's history judged for lost writes, inconsistent offsets, and assign-mode order against the drain. */
export function checkTestLog(ops: readonly Op[]): TestLogResult {
  const started = Date.now();
  const malformed: string[] = [];
  const sends: { index: number; p: number; o: string; v: unknown }[] = [];
  const reads: { index: number; process: number; f: string; triples: Triple[] }[] = [];
  const mode = new Map<number, string>();
  const claimingPolls: number[] = [];
  for (const op of ops) {
    if (typeof op.process !== 'number' || op.type !== 'ok') continue;
    if (op.f === 'assign' || op.f === 'subscribe') mode.set(op.process, op.f);
    if (op.f === 'send') {
      if (!Number.isInteger(op.partition) || typeof op.offset !== 'string' || !/^\d+-\d+$/.test(op.offset)) malformed.push(`send ${op.index}: ${JSON.stringify(op)}`);
      else sends.push({ index: op.index, p: op.partition as number, o: op.offset, v: op.value });
    }
    if (op.f === 'poll' || op.f === 'drain') {
      if (!Array.isArray(op.value) || !op.value.every(isTriple)) {
        malformed.push(`${op.f} ${op.index}: ${JSON.stringify(op.value).slice(0, 200)}`);
        continue;
      }
      reads.push({ index: op.index, process: op.process, f: op.f === 'poll' ? `poll-${mode.get(op.process) ?? 'none'}` : 'drain', triples: op.value as Triple[] });
      if (Array.isArray(op.claimed) && op.claimed.length > 0) claimingPolls.push(op.index);
    }
  }
  // Every (p, o) with the values seen there; every value read; the highest offset read per partition, with its op.
  const at = new Map<string, Set<unknown>>();
  const note = (p: number, o: string, v: unknown) => {
    const k = `${p}/${o}`;
    if (!at.has(k)) at.set(k, new Set());
    at.get(k)!.add(v);
  };
  const readValues = new Set<unknown>();
  const highest = new Map<number, { index: number; offset: string }>();
  for (const s of sends) note(s.p, s.o, s.v);
  for (const r of reads) {
    for (const [p, o, v] of r.triples) {
      note(p, o, v);
      readValues.add(v);
      const h = highest.get(p);
      if (!h || compareOffsets(o, h.offset) > 0) highest.set(p, { index: r.index, offset: o });
    }
  }
  const lost: LostWrite[] = [];
  for (const s of sends) {
    const h = highest.get(s.p);
    if (!readValues.has(s.v) && h && compareOffsets(h.offset, s.o) > 0) lost.push({ partition: s.p, offset: s.o, value: s.v, sendIndex: s.index, readPast: h });
  }
  const drainRead = reads.find((r) => r.f === 'drain');
  const drainValues = new Set(drainRead?.triples.map(([, , v]) => v));
  const missing: TestLogResult['missing'] = [];
  if (drainRead !== undefined) {
    for (const s of sends) if (!drainValues.has(s.v)) missing.push({ partition: s.p, offset: s.o, value: s.v, sendIndex: s.index, polled: readValues.has(s.v) });
  }
  const inconsistent = [...at]
    .filter(([, vs]) => vs.size > 1)
    .map(([k, vs]) => ({ partition: Number(k.split('/')[0]), offset: k.split('/')[1], values: [...vs] }));
  const drain = reads.find((r) => r.f === 'drain');
  const drained = new Map<number, string[]>();
  for (const [p, o] of drain?.triples ?? []) drained.set(p, [...(drained.get(p) ?? []), o]);
  const nonmonotonic: TestLogResult['nonmonotonic'] = [];
  const skips: TestLogResult['skips'] = [];
  const last = new Map<string, string>();
  for (const r of reads.filter((x) => x.f === 'poll-assign')) {
    for (const [p, o] of r.triples) {
      const k = `${r.process}/${p}`;
      const before = last.get(k);
      last.set(k, o);
      if (before === undefined) continue;
      if (compareOffsets(o, before) <= 0) nonmonotonic.push({ process: r.process, partition: p, before, after: o, index: r.index });
      const between = (drained.get(p) ?? []).find((d) => compareOffsets(d, before) > 0 && compareOffsets(d, o) < 0);
      if (between !== undefined) skips.push({ process: r.process, partition: p, from: before, to: o, between, index: r.index });
    }
  }
  const bad = lost.length + missing.length + inconsistent.length + nonmonotonic.length + skips.length + malformed.length > 0;
  return {
    checker: 'test-log',
    valid: bad ? false : drain === undefined ? 'unknown' : true,
    ms: Date.now() - started,
    ackedSends: sends.length,
    reads: reads.length,
    drained: drain?.triples.length ?? 0,
    lost,
    missing,
    inconsistent,
    nonmonotonic,
    skips,
    claimingPolls,
    malformed,
  };
}

const testLogChecker: Checker<TestLogResult> = {
  name: 'test-log',
  description: 'test only: lost writes, inconsistent offsets, assign-mode order',
  check: async (history: History | Op[]) => checkTestLog(Array.isArray(history) ? history : history.ops),
  explain: (r) => summarizeLog(r),
  parseOptions: () => ({}),
};

export function summarizeLog(r: TestLogResult): string {
  return (
    `valid ${String(r.valid)}: ${r.ackedSends} acked sends, ${r.reads} reads, ${r.drained} drained, ${r.lost.length} lost, ` +
    `${r.missing.length} missing from the drain (${r.missing.filter((m) => m.polled).length} of them polled before), ` +
    `${r.inconsistent.length} inconsistent, ${r.nonmonotonic.length} nonmonotonic, ${r.skips.length} skips, ${r.claimingPolls.length} claiming polls` +
    (r.malformed.length > 0 ? `, malformed: ${r.malformed.slice(0, 3).join('; ')}` : '')
  );
}

/** The stand-ins as a plugin: `test-log` (mixed modes), `test-log-subscribe` (every process in the group), the checker. */
export const streamLogPlugin: Plugin = {
  name: 'stream-log-test',
  workloads: [logWorkload('test-log', 'mixed'), logWorkload('test-log-subscribe', 'subscribe')],
  checkers: [testLogChecker],
};
