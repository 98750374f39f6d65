import { count, type Block, type FactRow, type ListItem, type OpLink, type OpMark, type Presentation, type PresentLimits } from '../presentation.js';
import { explainTwoPhaseCommit } from './explain.js';
import { ANOMALY_KINDS, type AtomicityAnomaly, type TwoPhaseCommitResult } from './result.js';

const TOTAL_FROM: Record<string, string> = { option: 'the total option', 'first-read': 'the first ok read', 'final-read': 'the final read' };

/** The 2pc checker's verdict as the report and the terminal show it: counts and totals, then the first anomalies of each kind, each linked to its ops. */
export function presentTwoPhaseCommit(r: TwoPhaseCommitResult, limits: PresentLimits): Presentation {
  const c = r.counts;
  const kinds = ANOMALY_KINDS.filter((k) => r.anomalyCounts[k] > 0);
  const rows: FactRow[] = [
    { label: 'transfers', value: count(c.transfers), what: 'invoked' },
    { label: 'ok', value: count(c.ok), what: 'acknowledged: committed' },
    { label: 'failed', value: count(c.fail), what: 'certainly aborted' },
    { label: 'unknown', value: count(c.info), what: `info or never returned (${count(c.infoCommitted)} committed, ${count(c.infoAborted)} aborted)` },
    { label: 'committed', value: count(c.committed), what: 'marker at every participant the transfer touches' },
    { label: 'aborted', value: count(c.aborted), what: 'marker at none' },
    { label: 'partial', value: count(c.partial), what: 'marker at some but not all', bad: c.partial > 0 },
    { label: 'reads', value: count(c.reads), what: 'ok reads' },
    {
      label: 'total',
      value: r.expectedTotal !== undefined ? count(r.expectedTotal) : '—',
      what:
        r.totalFrom !== undefined
          ? `from ${TOTAL_FROM[r.totalFrom] ?? r.totalFrom}${r.finalTotal !== undefined ? `; the final read's: ${count(r.finalTotal)}` : ''}`
          : 'nothing to take it from',
      bad: r.anomalyCounts['balance-not-conserved'] > 0,
    },
    ...kinds.map((kind): FactRow => ({ label: kind, value: count(r.anomalyCounts[kind]), what: 'anomaly', bad: true })),
  ];
  const lists: Block[] = kinds.map((kind) => ({
    kind: 'list',
    id: kind,
    title: kind,
    total: r.anomalyCounts[kind],
    items: r.anomalies.filter((a) => a.kind === kind).slice(0, limits.items).map(item),
    bad: true,
  }));
  const marks: OpMark[] = [];
  const marked = new Set<number>();
  for (const a of r.anomalies) {
    for (const l of linksOf(a)) {
      if (marked.has(l.op)) continue;
      marked.add(l.op);
      marks.push({ op: l.op, why: `${a.kind}: ${line(a)}` });
    }
  }
  const first = r.anomalies[0];
  return {
    title: '2PC atomicity checker',
    facts: [],
    findings: kinds.map((k) => `${count(r.anomalyCounts[k])} ${k}`),
    ...(first && { first: `First: ${first.kind}: ${line(first)}.` }),
    blocks: [{ kind: 'facts', rows }, ...lists, { kind: 'prose', text: explainTwoPhaseCommit(r) }],
    marks,
    markLegend: 'named by an atomicity anomaly',
    ...(r.finalRead && { keep: [r.finalRead.invokeIndex] }),
  };
}

function item(a: AtomicityAnomaly): ListItem {
  return { text: line(a), links: linksOf(a) };
}

/** The transfer and the read an anomaly is about, each a link. */
function linksOf(a: AtomicityAnomaly): OpLink[] {
  const transfer = 'transfer' in a && a.transfer ? [{ op: a.transfer.invokeIndex, label: 'transfer' }] : [];
  const read = 'read' in a ? [{ op: a.read.invokeIndex, label: 'read' }] : [];
  return [...transfer, ...read];
}

/** One anomaly in one line: "transfer 17 (ok): at p1, not at p3". */
function line(a: AtomicityAnomaly): string {
  const list = (xs: string[]) => xs.join(', ');
  switch (a.kind) {
    case 'partial-commit':
    case 'lost-commit':
    case 'aborted-visible': {
      const where = a.presentAt.length === 0 ? `at none of ${list(a.absentAt)}` : `at ${list(a.presentAt)}${a.absentAt.length ? `, not at ${list(a.absentAt)}` : ''}`;
      return `transfer ${a.id} (${a.transfer.status}): ${where}`;
    }
    case 'in-doubt-left':
      return `transaction ${a.id}${a.transfer ? ` (${a.transfer.status})` : ' (no such transfer)'}: still prepared at ${list(a.preparedAt)}`;
    case 'fractured-read':
      return `transfer ${a.id}: the read at index ${a.read.invokeIndex} saw it at ${list(a.presentAt)}, not at ${list(a.absentAt)}`;
    case 'balance-not-conserved':
      return `${a.final ? 'the final read' : 'the read'} at index ${a.read.invokeIndex} totals ${a.observed}, not ${a.expected}`;
    case 'unexpected-marker':
      return `marker ${a.id} at ${list(a.presentAt)}: no transfer had that id`;
    case 'misplaced-marker':
      return `transfer ${a.id} touches ${list(a.transfer.participants ?? [])}, but its marker is also at ${list(a.presentAt)}`;
  }
}

/** The 2pc checker's row in the terminal's table. */
export function summarizeTwoPhaseCommit(r: TwoPhaseCommitResult): [string, string | number][] {
  const c = r.counts;
  const found = ANOMALY_KINDS.filter((k) => r.anomalyCounts[k] > 0);
  return [
    ['transfers', c.transfers],
    ['ok', c.ok],
    ['fail', c.fail],
    ['info', c.info],
    ['committed', c.committed],
    ['aborted', c.aborted],
    ['partial', c.partial],
    ['reads', c.reads],
    ['anomalies', found.length === 0 ? 'none' : found.map((k) => `${k} ${r.anomalyCounts[k]}`).join(', ')],
  ];
}
