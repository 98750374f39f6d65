import type { Op } from '../history/op.js';
import { count, type Block, type FactRow, type ListItem, type OpMark, type PointSeries, type Presentation, type PresentLimits } from '../presentation.js';
import { sightings } from './check.js';
import { byText, explainLog, firstOf, KINDS, offsetText, opText } from './explain.js';
import { readLogHistory, type LogHistory } from './history.js';
import { SeenOffsets, type Offset } from './offsets.js';
import type { LogResult, Sighting } from './result.js';

/** Points per series in a partition's plot: past this, every k-th is drawn (and the caption says so). */
const MAX_POINTS = 2_000;

/** The ops an anomaly names, for its list item's links: the first is the item's own. */
function linksOf(r: LogResult, kind: (typeof KINDS)[number]['kind'], i: number): ListItem['links'] {
  const by = (s: Sighting, label: string) => ({ op: s.call.invokeIndex, label });
  switch (kind) {
    case 'lost-write': {
      const l = r.lostWrites[i];
      return [{ op: l.send.invokeIndex }, by(l.pastBy, `${l.pastBy.f} past it`)];
    }
    case 'missing': {
      const m = r.missing[i];
      return [{ op: m.send.invokeIndex }, { op: m.drain.invokeIndex, label: 'the drain' }, ...(m.readBefore ? [by(m.readBefore, 'read before')] : [])];
    }
    case 'group-lost': {
      const g = r.groupLost[i];
      return [{ op: g.send.invokeIndex }, { op: g.groupDrain.invokeIndex, label: "the group's final read" }, ...(g.heldBy ? [{ op: g.heldBy.invokeIndex, label: 'crashed holding it' }] : [])];
    }
    case 'duplicate':
      return r.duplicates[i].positions.map((p, j) => ({ op: p.by.call.invokeIndex, ...(j > 0 && { label: `${p.by.f} at ${offsetText(p.offset)}` }) }));
    case 'inconsistent-offsets':
      return r.inconsistentOffsets[i].values.map((v, j) => ({ op: v.by.call.invokeIndex, ...(j > 0 && { label: `${v.by.f} of ${v.value}` }) }));
    case 'nonmonotonic-poll': {
      const n = r.nonmonotonicPolls[i];
      return [{ op: n.after.invokeIndex }, { op: n.before.invokeIndex, label: 'earlier poll' }];
    }
    case 'skip': {
      const s = r.skips[i];
      return [{ op: s.after.invokeIndex }, { op: s.before.invokeIndex, label: 'poll before' }, by(s.skippedBy, `${s.skippedBy.f} of ${offsetText(s.skipped)}`)];
    }
    case 'phantom':
      return [{ op: r.phantoms[i].read.call.invokeIndex }];
  }
}

/** Where an anomaly is, in words: its process and partition. */
function whereOf(r: LogResult, kind: (typeof KINDS)[number]['kind'], i: number): string {
  switch (kind) {
    case 'lost-write':
      return `partition ${r.lostWrites[i].partition}, ${opText(r.lostWrites[i].send)}`;
    case 'missing':
      return `partition ${r.missing[i].partition}, ${opText(r.missing[i].send)}`;
    case 'group-lost':
      return `partition ${r.groupLost[i].partition}, ${opText(r.groupLost[i].send)}`;
    case 'duplicate':
      return `partitions ${[...new Set(r.duplicates[i].positions.map((p) => p.partition))].join(', ')}`;
    case 'inconsistent-offsets':
      return `partition ${r.inconsistentOffsets[i].partition}`;
    case 'nonmonotonic-poll':
      return `process ${r.nonmonotonicPolls[i].process}, partition ${r.nonmonotonicPolls[i].partition}`;
    case 'skip':
      return `process ${r.skips[i].process}, partition ${r.skips[i].partition}`;
    case 'phantom':
      return `partition ${r.phantoms[i].partition}, ${byText(r.phantoms[i].read)}`;
  }
}

/**
 * The log checker's verdict as the report shows it: the counts, the prose, each kind of anomaly listed with links to
 * its ops, a table of the partitions, and per partition a plot of its offsets over time, for the sends'
 * acknowledgements and the polls' reads (the issue's "offsets over time for sends and polls").
 */
export function presentLog(r: LogResult, history: readonly Op[], limits: PresentLimits): Presentation {
  const c = r.counts;
  const n = r.anomalyCounts;
  const rows: FactRow[] = [
    { label: 'sends acknowledged', value: `${count(c.sendsOk)} of ${count(c.sends)}`, what: `${count(c.sendsFailed)} failed, ${count(c.sendsInfo)} unknown (info or pending)` },
    { label: 'entries read', value: count(c.entriesRead), what: `by ${count(c.polls)} polls and ${count(c.drains)} drain(s); ${count(c.valuesRead)} distinct values` },
    { label: 'unseen', value: count(c.unseen), what: 'acknowledged, never read, and no read went past them: not lost by the rule' },
    ...KINDS.map((k) => ({ label: k.kind, value: count(n[k.kind]), bad: n[k.kind] > 0 })),
  ];
  const blocks: Block[] = [{ kind: 'facts', rows }, { kind: 'prose', text: explainLog(r) }];
  const marks: OpMark[] = [];
  for (const k of KINDS) {
    const list = k.list(r) as readonly unknown[];
    if (n[k.kind] === 0) continue;
    const shown = Math.min(list.length, limits.items);
    const items: ListItem[] = [];
    for (let i = 0; i < shown; i++) {
      const text = (k.text as (x: unknown) => string)(list[i]);
      const links = linksOf(r, k.kind, i)!;
      items.push({ text, where: whereOf(r, k.kind, i), links });
      marks.push({ op: links[0].op, why: `${k.kind}: ${text}` });
    }
    blocks.push({ kind: 'list', id: k.kind, title: k.title, total: n[k.kind], items, bad: true });
  }
  blocks.push({
    kind: 'table',
    title: 'Partitions',
    columns: ['partition', 'offsets', 'offsets seen', 'acks', 'entries read', 'furthest read'],
    rows: r.partitions.map((p) => ({ cells: [String(p.partition), p.kind, count(p.offsetsSeen), count(p.acks), count(p.reads), p.maxRead === undefined ? 'none' : offsetText(p.maxRead)] })),
  });
  blocks.push(...plots(r, history));
  const findings = KINDS.filter((k) => n[k.kind] > 0).map((k) => `${count(n[k.kind])} ${k.kind}`);
  const first = KINDS.map((k) => firstOf(r, k)).find((s) => s !== undefined);
  return {
    title: 'Log checker',
    facts: [
      ['sends acknowledged', count(c.sendsOk)],
      ['entries read', count(c.entriesRead)],
      ['partitions', count(r.partitions.length)],
    ],
    findings,
    ...(findings.length > 0 && first !== undefined && { first: `First: ${first}.` }),
    blocks,
    marks,
    markLegend: 'lost write, missing or group-lost write, duplicate, inconsistent offset, nonmonotonic poll, skip or phantom',
  };
}

/**
 * One points block per partition: x the seconds since the run began at which a send was acknowledged or a poll
 * returned, y the offset. Stream IDs are plotted by their rank among the partition's offsets any op saw (their
 * milliseconds would squash the plot flat). The drains are left out: each reads everything at one instant. A history
 * the checker read is read again here; the plots are drawn from it, not stored in the result.
 */
function plots(r: LogResult, history: readonly Op[]): Block[] {
  let h: LogHistory;
  try {
    h = readLogHistory([...history]);
  } catch {
    return [];
  }
  const origin = history.length ? history[0].time : 0;
  const seen = sightings(h);
  const lost = new Set([...r.lostWrites, ...r.missing, ...r.groupLost].map((l) => l.value));
  const out: Block[] = [];
  for (const p of r.partitions) {
    const mine = seen.filter((s) => s.entry.partition === p.partition);
    const order = new SeenOffsets(mine.map((s) => s.entry.offset));
    const y = (o: Offset) => (typeof o === 'number' ? o : order.rank(o));
    const point = (s: (typeof mine)[number]): [number, number] => [(s.by.call.completeTime! - origin) / 1e9, y(s.entry.offset)];
    const acks = mine.filter((s) => s.by.f === 'send');
    const series: { name: string; all: [number, number][]; bad?: boolean }[] = [
      { name: 'send (ack)', all: acks.filter((s) => !lost.has(s.entry.value)).map(point) },
      { name: 'poll', all: mine.filter((s) => s.by.f === 'poll').map(point) },
    ];
    const lostAcks = acks.filter((s) => lost.has(s.entry.value)).map(point);
    if (lostAcks.length > 0) series.push({ name: 'lost, missing or group-lost write (ack)', all: lostAcks, bad: true });
    const sampled = series.filter((s) => s.all.length > MAX_POINTS);
    const kept: PointSeries[] = series.map((s) => ({ name: s.name, points: thin(s.all), ...(s.bad && { bad: true }) }));
    const yWords = p.kind === 'integer' ? 'its offset' : 'the rank of its stream ID among the IDs any op saw in the partition (IDs are not dense; their times would flatten the plot)';
    const sample = sampled.length ? ` Past ${count(MAX_POINTS)} points a series shows every k-th (${sampled.map((s) => `${s.name}: ${count(s.all.length)}`).join(', ')}).` : '';
    out.push({
      kind: 'points',
      id: `partition-${p.partition}`,
      title: `Partition ${p.partition}: offsets over time`,
      caption: `Each point is an entry acknowledged to a send or returned by a poll, at the time the op completed; y is ${yWords}. The drains are left out.${sample}`,
      x: { label: 'seconds since the start' },
      y: { label: p.kind === 'integer' ? 'offset' : 'stream ID rank' },
      series: kept,
    });
  }
  return out;
}

/** Every k-th point, so that at most MAX_POINTS remain. */
function thin(points: [number, number][]): [number, number][] {
  if (points.length <= MAX_POINTS) return points;
  const k = Math.ceil(points.length / MAX_POINTS);
  return points.filter((_, i) => i % k === 0);
}

/** The log checker's row in the terminal's table. */
export function summarizeLog(r: LogResult): [string, string | number][] {
  const n = r.anomalyCounts;
  return [
    ['sends ok', r.counts.sendsOk],
    ['reads', r.counts.entriesRead],
    ['lost', n['lost-write']],
    ['missing', n.missing],
    ['group lost', n['group-lost']],
    ['duplicates', n.duplicate],
    ['inconsistent', n['inconsistent-offsets']],
    ['nonmonotonic', n['nonmonotonic-poll']],
    ['skips', n.skip],
    ['phantoms', n.phantom],
  ];
}
