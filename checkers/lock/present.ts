import type { Op } from '../history/op.js';
import { count, type Block, type FactRow, type ListItem, type OpMark, type Presentation, type PresentLimits } from '../presentation.js';
import { at, explainLock, holderText, howOverlap } from './explain.js';
import type { LockResult } from './result.js';

/** The lock checker's verdict as the report shows it: the resource's safety, then mutual exclusion beside it. */
export function presentLock(r: LockResult, history: readonly Op[], limits: PresentLimits): Presentation {
  const origin = history.length ? history[0].time : 0;
  const lost = r.lostUpdates.length;
  const refused = r.keys.reduce((n, k) => n + k.refused, 0);
  const rows: FactRow[] = [
    { label: 'resource', value: r.valid === true ? 'safe' : r.valid === false ? 'UNSAFE' : 'unknown', what: 'no acknowledged increment lost; fenced accesses in token order', bad: r.valid === false },
    { label: 'mutual exclusion', value: r.mutualExclusion ? 'kept' : 'violated', what: 'as the clients saw it (reported, not the verdict)', bad: !r.mutualExclusion },
    { label: 'fencing', value: r.fencing, what: 'accesses whose token the resource checked' },
    { label: 'holds', value: count(r.keys.reduce((n, k) => n + k.acquired, 0)), what: 'acquires that returned ok' },
    { label: 'overlapping holds', value: count(r.overlaps.length), what: 'two clients holding one lock at once', bad: r.overlaps.length > 0 },
    { label: 'acknowledged writes', value: count(r.keys.reduce((n, k) => n + k.okWrites, 0)), what: 'read-modify-writes that returned ok' },
    { label: 'lost updates', value: count(lost), what: 'values written by two acknowledged writes', bad: lost > 0 },
    { label: 'refused (fenced)', value: count(refused), what: 'accesses the resource refused for a stale token' },
    ...r.keys.map((k) => ({ label: `lock ${String(k.key)} final`, value: k.final === undefined ? 'none' : String(k.final), what: 'the counter after the faults healed' })),
  ];
  const first = <T>(xs: readonly T[]) => xs.slice(0, limits.items);
  const blocks: Block[] = [{ kind: 'facts', rows }, { kind: 'prose', text: explainLock(r, origin) }];
  const listed = (title: string, id: string, total: number, items: ListItem[], bad: boolean) => {
    if (total > 0) blocks.push({ kind: 'list', id, title, total, items, bad });
  };
  listed(
    'Lost updates',
    'lostUpdates',
    lost,
    first(r.lostUpdates).map((l) => ({
      text: `${l.value} written ${l.writes.length} times`,
      where: l.writes.map((w) => `process ${w.process}, token ${String(w.token)}, at ${at(w.time, origin)}`).join('; '),
      links: l.writes.map((w) => ({ op: w.invokeIndex, label: `write by ${w.process}` })),
    })),
    true,
  );
  listed(
    'Overwritten',
    'overwritten',
    r.overwritten.length,
    first(r.overwritten).map((o) => ({ text: `${o.write.value} > final ${o.final}`, where: `process ${o.write.process}`, links: [{ op: o.write.invokeIndex }] })),
    true,
  );
  listed(
    'Fencing violations',
    'fencingViolations',
    r.fencingViolations.length,
    first(r.fencingViolations).map((f) => ({
      text: `token ${String(f.accepted.token)} taken after token ${String(f.after.token)}`,
      where: `process ${f.accepted.process}'s ${f.accepted.f} after process ${f.after.process}'s ${f.after.f}`,
      links: [{ op: f.accepted.invokeIndex }, { op: f.after.invokeIndex, label: 'higher token' }],
    })),
    true,
  );
  listed(
    'Overlapping holds',
    'overlaps',
    r.overlaps.length,
    first(r.overlaps).map((o) => ({
      text: `${holderText(o.first)} and ${holderText(o.second)}, ${at(o.from, origin)}–${at(o.to, origin)}`,
      where: howOverlap(o),
      links: [{ op: o.first.acquire.invokeIndex, label: `acquire by ${o.first.process}` }, { op: o.second.acquire.invokeIndex, label: `acquire by ${o.second.process}` }],
    })),
    r.valid === false,
  );
  const marks: OpMark[] = [];
  for (const l of first(r.lostUpdates)) for (const w of l.writes) marks.push({ op: w.invokeIndex, why: `wrote ${l.value}, as another acknowledged write did` });
  for (const o of first(r.overlaps)) marks.push({ op: o.second.acquire.invokeIndex, why: `acquired while process ${o.first.process} held the lock` });
  const findings = [
    ...(lost ? [`${count(lost)} lost update${lost > 1 ? 's' : ''}`] : []),
    ...(r.overwritten.length ? [`${count(r.overwritten.length)} overwritten`] : []),
    ...(r.fencingViolations.length ? [`${count(r.fencingViolations.length)} fencing violations`] : []),
    ...(!r.mutualExclusion ? [`mutual exclusion violated${r.valid === true && r.fencing !== 'none' ? ' (fencing kept the resource safe)' : ''}`] : []),
  ];
  return {
    title: 'Lock checker',
    facts: [
      ['fencing', r.fencing],
      ['mutual exclusion', r.mutualExclusion ? 'kept' : 'violated'],
    ],
    findings,
    ...(findings.length > 0 && { first: `First: ${explainLock(r, origin).split('. ')[0]}.` }),
    blocks,
    marks,
    markLegend: 'lost update, or acquired while another held the lock',
  };
}

/** The lock checker's row in the terminal's table. */
export function summarizeLock(r: LockResult): [string, string | number][] {
  return [
    ['holds', r.keys.reduce((n, k) => n + k.acquired, 0)],
    ['writes', r.keys.reduce((n, k) => n + k.okWrites, 0)],
    ['lost updates', r.lostUpdates.length + r.overwritten.length],
    ['accesses fenced', r.fencing],
    ['overlapping holds', r.overlaps.length],
    ['mutual exclusion', r.mutualExclusion ? 'kept' : 'VIOLATED'],
  ];
}
