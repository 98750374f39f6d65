import type { Op } from '../../checkers/history/op.js';

/**
 * The replicated-log tests' own reading of the log contract (docs/checkers.md, the log checker): an independent
 * check of the histories the `log` checker judges, stronger where a dense log with a complete drain allows.
 */

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
