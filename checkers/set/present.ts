import { count, valueText, type Block, type FactRow, type ListItem, type OpMark, type Presentation, type PresentLimits } from '../presentation.js';
import { explainSet } from './explain.js';
import type { AddRef, SetResult } from './result.js';

/** The kinds of evidence that make a set invalid, in the order they are shown, with what each means. */
const BAD_KINDS = [
  { kind: 'lost', label: 'Lost', what: 'was acknowledged but is missing from the final read', mark: 'acknowledged, but {e} is missing from the final read' },
  { kind: 'unexpected', label: 'Unexpected', what: 'is in the final read but was never added', mark: undefined },
  { kind: 'failedButPresent', label: 'Failed but present', what: 'is in the final read although its add failed', mark: 'failed, but {e} is in the final read' },
] as const;

/** The set checker's verdict as the report and the terminal show it: its counts, then each kind of element, linked to its add. */
export function presentSet(r: SetResult, limits: PresentLimits): Presentation {
  const c = r.counts;
  const bad = BAD_KINDS.filter((k) => c[k.kind] > 0);
  const isBad = (kind: string) => bad.some((k) => k.kind === kind);
  const rows: FactRow[] = [
    { label: 'attempted', value: count(c.attempted), what: 'elements some add was invoked for' },
    { label: 'acknowledged', value: count(c.acknowledged), what: 'an add returned ok' },
    { label: 'failed', value: count(c.failed), what: 'every add failed: certainly not added' },
    { label: 'unknown', value: count(c.info), what: 'adds that timed out or never returned (info)' },
    { label: 'final read', value: count(c.read), what: r.finalRead ? `elements (the read at index ${r.finalRead.invokeIndex})` : 'no read completed ok' },
    { label: 'lost', value: count(c.lost), what: 'acknowledged, missing from the final read', bad: isBad('lost') },
    { label: 'unexpected', value: count(c.unexpected), what: 'read, never added', bad: isBad('unexpected') },
    { label: 'failed but present', value: count(c.failedButPresent), what: 'read although every add failed', bad: isBad('failedButPresent') },
    { label: 'recovered', value: count(c.recovered), what: 'of unknown outcome, read: they happened' },
    ...(c.unread > 0 ? [{ label: 'unread', value: count(c.unread), what: 'acknowledged while the final read ran, absent from it (not lost)' }] : []),
    ...(c.duplicated > 0 ? [{ label: 'duplicated', value: count(c.duplicated), what: 'read more than once' }] : []),
  ];
  const element = (e: unknown) => valueText(e, limits.valueChars);
  const added = (a: AddRef): ListItem => ({
    text: element(a.element),
    where: `process ${a.process}, index ${a.invokeIndex}${a.status !== 'ok' ? `, ${a.status}` : ''}`,
    links: [{ op: a.invokeIndex }],
  });
  const first = <T>(xs: T[]) => xs.slice(0, limits.items);
  const lists: Block[] = [
    { kind: 'list', id: 'lost', title: 'Lost', total: c.lost, items: first(r.lost).map(added), bad: isBad('lost') },
    { kind: 'list', id: 'unexpected', title: 'Unexpected', total: c.unexpected, items: first(r.unexpected).map((u) => ({ text: element(u.element) })), bad: isBad('unexpected') },
    { kind: 'list', id: 'failedButPresent', title: 'Failed but present', total: c.failedButPresent, items: first(r.failedButPresent).map(added), bad: isBad('failedButPresent') },
    { kind: 'list', id: 'recovered', title: 'Recovered', total: c.recovered, items: first(r.recovered).map(added) },
  ];
  const marks: OpMark[] = [];
  for (const k of BAD_KINDS) {
    if (k.mark === undefined) continue;
    const list = k.kind === 'lost' ? r.lost : r.failedButPresent;
    for (const a of first(list)) marks.push({ op: a.invokeIndex, why: k.mark.replace('{e}', element(a.element)) });
  }
  return {
    title: 'Set checker',
    facts: [],
    findings: bad.map((k) => `${count(c[k.kind])} ${k.label.toLowerCase()}`),
    ...(bad.length > 0 && { first: firstLine(r, bad[0], element) }),
    blocks: [{ kind: 'facts', rows }, ...lists.filter((l) => l.kind === 'list' && l.total > 0), { kind: 'prose', text: explainSet(r) }],
    marks,
    markLegend: 'lost, or failed but read',
    ...(r.finalRead && { keep: [r.finalRead.invokeIndex] }),
    // Marks name the listed elements only: the plot counts every lost one, wherever it falls in the run.
    ...(r.lostPerSecond && { rates: [{ label: 'lost', what: 'acknowledged elements missing from the final read, by when their add was invoked', perSecond: r.lostPerSecond }] }),
  };
}

function firstLine(r: SetResult, k: (typeof BAD_KINDS)[number], element: (e: unknown) => string): string {
  const e = k.kind === 'unexpected' ? r.unexpected[0] : k.kind === 'lost' ? r.lost[0] : r.failedButPresent[0];
  if (e === undefined) return `First: ${count(r.counts[k.kind])} ${k.label.toLowerCase()}.`;
  const by = k.kind === 'unexpected' ? '' : ` (added by process ${(e as AddRef).process}, index ${(e as AddRef).invokeIndex})`;
  return `First: element ${element(e.element)}${by} ${k.what}.`;
}

/**
 * The set checker's row in the terminal's table: what decides the verdict first (an unexpected element counts
 * whether it was never added or its add failed), then the rest.
 */
export function summarizeSet(r: SetResult): [string, string | number][] {
  const c = r.counts;
  return [
    ['attempted', c.attempted],
    ['acknowledged', c.acknowledged],
    ['lost', c.lost],
    ['unexpected', c.unexpected + c.failedButPresent],
    ['recovered', c.recovered],
    ['failed', c.failed],
    ['unknown', c.info],
    ['final read', r.finalRead ? c.read : 'none'],
  ];
}
