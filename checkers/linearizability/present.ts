import { Calls } from '../history/calls.js';
import { isClientProcess, type Op } from '../history/op.js';
import { count, seconds, type Block, type LinearizationAnomaly, type OpMark, type Presentation, type PresentLimits, type Verdict } from '../presentation.js';
import { show } from '../values/show.js';
import { explainAnomaly } from './explain.js';
import type { CheckResult, LinearizabilityAnomaly, OpRef } from './result.js';

/**
 * The linearizability checker's verdict as the report and the terminal show it: each key no linearization explains
 * as Porcupine's counterexample view, then every key's verdict (the passed ones folded away).
 */
export function presentLinearizable(r: CheckResult, history: readonly Op[], limits: PresentLimits): Presentation {
  const keys = keysOf(history, r);
  const passed = keys.filter((k) => k.valid === true);
  const others = keys.filter((k) => k.valid !== true);
  const calls = r.anomalies.length > 0 ? new Calls(history as Op[]) : undefined;
  const anomalies = calls ? r.anomalies.map((a) => anomalyOf(a, calls, limits.anomalyOps)) : [];
  const blocks: Block[] = [];
  if (anomalies.length > 0) blocks.push({ kind: 'linearization', anomalies });
  if (others.length > 0) {
    blocks.push({
      kind: 'table',
      columns: ['key', 'verdict', 'ops', 'why'],
      rows: others.map((k) => ({ cells: [keyLabel(k.key), verdictText(k.valid), count(k.ops), k.unknownReason ?? ''], verdict: k.valid })),
    });
  }
  blocks.push({
    kind: 'list',
    id: 'passed-keys',
    title: `${count(passed.length)} ${passed.length === 1 ? 'key' : 'keys'} passed`,
    total: passed.length,
    items: passed.map((k) => ({ text: keyLabel(k.key), where: `${count(k.ops)} ops` })),
    collapsed: true,
  });
  const marks: OpMark[] = r.anomalies.map((a) => ({ op: a.op.invokeIndex, why: 'this op cannot be linearized' }));
  return {
    title: 'Linearizability',
    facts: [
      ['model', r.model],
      ['keys', `${count(keys.length)} (${count(passed.length)} passed)`],
    ],
    findings: r.anomalies.length > 0 ? [`${r.anomalies.length} ${r.anomalies.length === 1 ? 'key' : 'keys'} not linearizable`] : [],
    ...(r.anomalies.length > 0 && { first: firstLine(r.anomalies[0], history) }),
    blocks,
    marks,
    markLegend: 'cannot be linearized',
  };
}

/** The linearizability checker's row in the terminal's table. */
export function summarizeLinearizable(r: CheckResult): [string, string | number][] {
  return [
    ['model', r.model],
    ['ops', r.ops],
    ['keys', r.keys],
  ];
}

interface KeyVerdict {
  key: string;
  valid: Verdict;
  ops: number;
  unknownReason?: string;
}

/** Every key of the history with its verdict: the checker lists only the keys that were not valid. */
function keysOf(history: readonly Op[], r: CheckResult): KeyVerdict[] {
  const counts = new Map<string, number>();
  for (const op of history) if (isClientProcess(op.process) && op.type === 'invoke') counts.set(keyText(op.key), (counts.get(keyText(op.key)) ?? 0) + 1);
  const flagged = new Map(r.partitions.map((p) => [keyText(p.key), p]));
  return [...counts]
    .map(([key, ops]): KeyVerdict => {
      const p = flagged.get(key);
      if (!p) return { key, valid: true, ops };
      return { key, valid: p.valid, ops: p.ops, ...(p.unknownReason !== undefined && { unknownReason: p.unknownReason }) };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * One anomaly as the report draws it: the ops the evidence names, and the other ops on the key that overlap the
 * window from the earliest of them to the failing op's completion (the context Porcupine's visualiser shows).
 */
function anomalyOf(a: LinearizabilityAnomaly, calls: Calls, limit: number): LinearizationAnomaly {
  const ops = calls.ops;
  const refs: OpRef[] = [a.op, ...(a.previousOk ? [a.previousOk] : []), ...a.candidates.flatMap((c) => c.steps.map((s) => s.op)), ...a.concurrent];
  const text: Record<number, string> = {};
  for (const ref of refs) text[ref.invokeIndex] = ref.text;
  const named = new Set(refs.map((ref) => ref.invokeIndex));
  const times = refs.map((ref) => ops[positionOf(calls, ref.invokeIndex)]?.time ?? Infinity).filter(Number.isFinite);
  const from = Math.min(...times);
  const failing = positionOf(calls, a.op.invokeIndex);
  const done = failing >= 0 ? calls.completion[failing] : -1;
  const to = done >= 0 ? ops[done].time : Math.max(...times);
  const key = a.key === undefined ? undefined : keyText(a.key);
  const context: number[] = [];
  for (let i = 0; i < ops.length && named.size + context.length < limit; i++) {
    if (!calls.isInvocation(i) || named.has(ops[i].index)) continue;
    if (ops[i].time > to) break;
    if (key !== undefined && keyText(ops[i].key) !== key) continue;
    const c = calls.completion[i];
    const end = c >= 0 ? ops[c].time : Infinity;
    if (end >= from) context.push(ops[i].index);
  }
  return {
    ...(key !== undefined && { key }),
    failing: a.op.invokeIndex,
    ...(a.previousOk && { previousOk: a.previousOk.invokeIndex }),
    text,
    candidates: a.candidates.map((c) => ({ steps: c.steps.map((s) => ({ op: s.op.invokeIndex, state: s.state })), omitted: c.omitted, state: c.state, reason: c.reason })),
    concurrent: a.concurrent.map((ref) => ref.invokeIndex),
    ops: [...named, ...context].sort((x, y) => x - y),
    prose: explainAnomaly(a),
  };
}

/** The position in the history of the op with that index (histories are written in index order: a binary search). */
function positionOf(calls: Calls, index: number): number {
  const ops = calls.ops;
  let lo = 0;
  let hi = ops.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (ops[mid].index === index) return mid;
    if (ops[mid].index < index) lo = mid + 1;
    else hi = mid - 1;
  }
  return ops.findIndex((o) => o.index === index);
}

/** "First: key 3: read 4 (index 17) at 1.20 s on process 2 cannot be linearized: can't read 4 from register 3." */
function firstLine(a: LinearizabilityAnomaly, history: readonly Op[]): string {
  const c = a.candidates[0];
  const t0 = history.length > 0 ? history[0].time : 0;
  const op = history.find((o) => o.index === a.op.invokeIndex);
  const where = op ? ` at ${seconds((op.time - t0) / 1e6)} on process ${String(op.process)}` : '';
  const key = a.key !== undefined ? `key ${keyText(a.key)}: ` : '';
  return `First: ${key}${a.op.text} (index ${a.op.invokeIndex})${where} cannot be linearized${c ? `: ${c.reason}` : ''}.`;
}

/** A key as text: a string as itself, anything else as it reads in evidence (exact: a bigint keeps its digits). */
export function keyText(k: unknown): string {
  return k === undefined ? '' : typeof k === 'string' ? k : show(k);
}

function keyLabel(key: string): string {
  return key === '' ? '(no key)' : key;
}

function verdictText(v: Verdict): string {
  return v === true ? 'Valid' : v === false ? 'Anomaly found' : 'Unknown';
}
