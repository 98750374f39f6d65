import { whereCall } from '../history/calls.js';
import { show } from '../models/model.js';
import type { AddRef, SetResult } from './result.js';

/** Elements named in prose before "…". */
const NAMED = 10;

/** "12, 17, 40, …": the first few of a list whose full length is `total`. */
export function listElements(elements: readonly unknown[], total = elements.length, max = NAMED): string {
  const named = elements.slice(0, max).map(show);
  return named.join(', ') + (total > named.length ? ', …' : '');
}

/** "process 3 (indices 240–245)", or lines when the history came from a file. */
function whereAdd(a: AddRef): string {
  return `process ${a.process} (${whereCall(a)})`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The set checker's verdict as one paragraph, Jepsen style: "7 of 412 acknowledged adds were lost: 12, 17, …",
 * the first piece of evidence, then the counts that put it in proportion.
 */
export function explainSet(r: SetResult): string {
  const c = r.counts;
  const read = r.finalRead
    ? `The final read (process ${r.finalRead.process}, ${r.finalRead.line !== undefined ? `line ${r.finalRead.completeLine}` : `index ${r.finalRead.completeIndex}`}) returned ${plural(c.read, 'element')}`
    : undefined;
  const tally = `${plural(c.attempted, 'element')} attempted: ${c.acknowledged} acknowledged, ${c.failed} failed, ${c.info} of unknown outcome (${c.recovered} of them recovered)`;
  const extras: string[] = [];
  if (c.unread > 0) extras.push(`${plural(c.unread, 'add')} acknowledged only while the final read ran ${c.unread === 1 ? 'is' : 'are'} absent from it, which a read may miss`);
  if (c.duplicated > 0) extras.push(`${plural(c.duplicated, 'element')} appeared more than once in the final read: ${listElements(r.duplicated.map((d) => d.element), c.duplicated)}`);
  const tail = extras.length ? ` ${extras.map((e) => e[0].toUpperCase() + e.slice(1)).join('. ')}.` : '';

  if (r.valid === 'unknown') return `Unknown: ${r.unknownReason ?? 'no verdict'}. ${tally}.${tail}`;
  if (r.valid === true) {
    const all = c.acknowledged === 0 ? 'no add was acknowledged, so none could be lost' : c.acknowledged === 1 ? 'the one acknowledged add is in the final read' : `all ${c.acknowledged} acknowledged adds are in the final read`;
    return `Valid: ${all}. ${read}; ${tally}.${tail}`;
  }
  const out: string[] = [];
  if (c.lost > 0) {
    const first = r.lost[0];
    const verb = c.lost === 1 ? 'was' : 'were';
    out.push(
      `${c.lost} of ${plural(c.acknowledged, 'acknowledged add')} ${verb} lost: ${listElements(r.lost.map((a) => a.element), c.lost)}` +
        (first ? ` (${show(first.element)} was added by ${whereAdd(first)} and acknowledged before the final read began, but the read does not hold it).` : '.'),
    );
  }
  if (c.unexpected > 0) out.push(`${plural(c.unexpected, 'element')} in the final read ${c.unexpected === 1 ? 'was' : 'were'} never added: ${listElements(r.unexpected.map((u) => u.element), c.unexpected)}.`);
  if (c.failedButPresent > 0) {
    out.push(
      `${plural(c.failedButPresent, 'element')} whose every add failed ${c.failedButPresent === 1 ? 'is' : 'are'} in the final read anyway: ${listElements(r.failedButPresent.map((a) => a.element), c.failedButPresent)}` +
        (r.failedButPresent[0] ? ` (${show(r.failedButPresent[0].element)}: ${whereAdd(r.failedButPresent[0])}, ${r.failedButPresent[0].status === 'fail' ? 'failed' : r.failedButPresent[0].status}).` : '.'),
    );
  }
  return `${out.join(' ')} ${read}; ${tally}.${tail}`;
}
