import { z } from 'zod';
import type { Checker } from '../../checkers/registry.js';
import type { Op } from '../../checkers/history/op.js';
import { Rng } from '../../harness/rng.js';
import type { ClientOp } from '../../harness/runtime.js';
import type { ProcessGenerator, Workload } from '../../workloads/workload.js';

/**
 * Issue 20's `log` workload and the checks its history must pass, as far as this branch needs them to test the
 * replicated-log target: the real workload and checker are built on another branch, to the same contract
 * (/tmp/log-contract.md). These are the test's own, registered as a test plugin.
 */
export const LOG_KEYS = Array.from({ length: 16 }, (_, i) => `k${i}`);

/** The contract's workload for P partitions: each process assigns or subscribes, then sends (60 %) and polls (40 %). */
export function logWorkload(partitions = 4): Workload {
  return {
    name: 'log-test',
    description: "the log contract's workload (test copy)",
    checker: 'log-test',
    operations: { send: z.int(), poll: z.null(), assign: z.array(z.int()), subscribe: z.null(), drain: z.null() },
    generator(seed): ProcessGenerator {
      const rng = new Rng(seed);
      let value = 1;
      const started = new Set<number>();
      const join = (): ClientOp => {
        if (rng.chance(0.5)) return { f: 'subscribe', value: null };
        const ps = Array.from({ length: partitions }, (_, p) => p).filter(() => rng.chance(0.6));
        return { f: 'assign', value: ps.length ? ps : [rng.int(partitions)] };
      };
      return {
        next(process) {
          if (!started.has(process)) {
            started.add(process);
            return { op: join() };
          }
          if (rng.chance(0.02)) return { op: join() };
          if (rng.chance(0.6)) return { op: { f: 'send', key: rng.pick(LOG_KEYS), value: value++ } };
          return { op: { f: 'poll', value: null } };
        },
      };
    },
    finalOps: () => [{ f: 'drain', value: null }],
  };
}

type Triple = [number, number, number];

/**
 * What the contract makes an anomaly, as lines of evidence: a send acknowledged at (p, o) whose value no read ever
 * returned although some read of p went past o (lost write), two values at one (p, o) (inconsistent offsets), one
 * value at two positions (duplicate), an assign-mode process reading p backwards (nonmonotonic poll), a value
 * never sent (phantom); and, stronger than the contract and true of a dense log with a complete drain, every
 * acknowledged send in the drain at its offset, and the drain dense from 0 in each partition.
 */
export function logViolations(history: readonly Op[]): string[] {
  const out: string[] = [];
  const at = new Map<string, { value: number; op: number }>();
  const where = new Map<number, { pos: string; op: number }>();
  const readMax = new Map<number, number>();
  const readValues = new Set<number>();
  const sent = new Set<number>();
  const acked: { p: number; o: number; v: number; op: number }[] = [];
  const see = (p: number, o: number, v: number, op: number) => {
    const pos = `${p}/${o}`;
    const old = at.get(pos);
    if (old && old.value !== v) out.push(`inconsistent-offsets at ${pos}: ${old.value} (op ${old.op}) and ${v} (op ${op})`);
    else if (!old) at.set(pos, { value: v, op });
    const w = where.get(v);
    if (w && w.pos !== pos) out.push(`duplicate: ${v} at ${w.pos} (op ${w.op}) and ${pos} (op ${op})`);
    else if (!w) where.set(v, { pos, op });
  };
  const mode = new Map<number, 'assign' | 'subscribe'>();
  const lastRead = new Map<string, number>();
  let drain: Triple[] | undefined;
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke' && op.f === 'send') sent.add(op.value as number);
    if (op.type !== 'ok') continue;
    if (op.f === 'assign' || op.f === 'subscribe') mode.set(op.process, op.f);
    if (op.f === 'send') {
      const p = op.partition as number;
      const o = op.offset as number;
      if (!Number.isSafeInteger(p) || !Number.isSafeInteger(o) || o < 0) out.push(`send op ${op.index} has no partition/offset`);
      acked.push({ p, o, v: op.value as number, op: op.index });
      see(p, o, op.value as number, op.index);
    }
    if (op.f === 'poll' || op.f === 'drain') {
      const triples = op.value as Triple[];
      if (!Array.isArray(triples) || triples.some((t) => !Array.isArray(t) || t.length !== 3 || !t.every(Number.isSafeInteger))) {
        out.push(`op ${op.index}: not a list of [partition, offset, value]`);
        continue;
      }
      for (const [p, o, v] of triples) {
        see(p, o, v, op.index);
        readValues.add(v);
        readMax.set(p, Math.max(readMax.get(p) ?? -1, o));
        if (op.f === 'poll' && mode.get(op.process) === 'assign') {
          const k = `${op.process}/${p}`;
          const last = lastRead.get(k);
          if (last !== undefined && o <= last) out.push(`nonmonotonic-poll: process ${op.process} read ${p} at ${o} after ${last} (op ${op.index})`);
          lastRead.set(k, o);
        }
      }
      if (op.f === 'drain') drain = triples;
    }
  }
  for (const v of readValues) if (!sent.has(v)) out.push(`phantom: ${v} was read but never sent`);
  for (const a of acked) {
    if (!readValues.has(a.v) && (readMax.get(a.p) ?? -1) > a.o) out.push(`lost-write: ${a.v} acknowledged at ${a.p}/${a.o} (op ${a.op}), read past, never read`);
  }
  if (!drain) out.push('no drain completed');
  else {
    const drained = new Map(drain.map(([p, o, v]) => [`${p}/${o}`, v]));
    for (const a of acked) if (drained.get(`${a.p}/${a.o}`) !== a.v) out.push(`drain: ${a.v} acknowledged at ${a.p}/${a.o} but the drain has ${drained.get(`${a.p}/${a.o}`)}`);
    const next = new Map<number, number>();
    for (const [p, o] of drain) {
      if (o !== (next.get(p) ?? 0)) out.push(`drain: partition ${p} has offset ${o} where ${next.get(p) ?? 0} was due`);
      next.set(p, o + 1);
    }
  }
  return out;
}

/** The checks as a checker, so a run's verdict is theirs. */
export const logTestChecker: Checker = {
  name: 'log-test',
  description: "the log contract's anomalies (test copy)",
  async check(history) {
    const ops = Array.isArray(history) ? history : (history as { ops: Op[] }).ops;
    const t = Date.now();
    const anomalies = logViolations(ops);
    return { checker: 'log-test', valid: anomalies.length === 0, ms: Date.now() - t, anomalies } as never;
  },
  explain: (r) => JSON.stringify((r as unknown as { anomalies: string[] }).anomalies.slice(0, 20)),
  parseOptions: () => ({}),
};
