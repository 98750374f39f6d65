import { whereCall } from '../history/calls.js';
import { show } from '../models/model.js';
import type {
  AbortedVisible,
  AnomalyKind,
  AtomicityAnomaly,
  BalanceNotConserved,
  FracturedRead,
  InDoubtLeft,
  LostCommit,
  MisplacedMarker,
  PartialCommit,
  ReadRef,
  TransferRef,
  TwoPhaseCommitResult,
  UnexpectedMarker,
} from './result.js';
import { ANOMALY_KINDS } from './result.js';

/** Ids named in prose before "…". */
const NAMED = 10;

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "17, 40, 41, …": the first few of a list whose full length is `total`. */
function listIds(ids: readonly number[], total = ids.length): string {
  const named = ids.slice(0, NAMED).map(String);
  return named.join(', ') + (total > named.length ? ', …' : '');
}

/** "p1", "p1 and p3", "p1, p2 and p3". */
function and(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** "Transfer 17 (process 3, ok, lines 40–41; 5 from account 0 to 3)". */
function transfer(t: TransferRef): string {
  const status = t.status === 'fail' ? 'failed' : t.status === 'pending' ? 'never completed' : t.status;
  const what = t.amount !== undefined && t.from !== undefined && t.to !== undefined ? `; ${show(t.amount)} from account ${show(t.from)} to ${show(t.to)}` : '';
  return `Transfer ${t.id} (process ${t.process}, ${status}, ${whereCall(t)}${what})`;
}

function read(r: ReadRef): string {
  const name = r.f === 'final-read' ? 'the final read' : 'the read';
  return `${name} by process ${r.process} (${whereCall(r)}${r.since !== undefined ? `, since ${r.since}` : ''})`;
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

/**
 * The 2PC checker's verdict as prose, Jepsen/Elle style: one paragraph per kind of anomaly (how many, which ids,
 * and the first one told in full with its ops and participants), then the counts that put them in proportion.
 */
export function explainTwoPhaseCommit(r: TwoPhaseCommitResult): string {
  const c = r.counts;
  const tally =
    `${plural(c.transfers, 'transfer')} attempted: ${c.ok.toLocaleString('en-US')} ok, ${c.fail.toLocaleString('en-US')} failed, ${c.info.toLocaleString('en-US')} of unknown outcome` +
    (r.finalRead ? ` (${c.infoCommitted.toLocaleString('en-US')} of them committed, ${c.infoAborted.toLocaleString('en-US')} aborted)` : '') +
    `; ${plural(c.reads, 'ok read')}.`;
  const notes: string[] = [];
  if (c.withoutParticipants > 0) notes.push(`${plural(c.withoutParticipants, 'transfer')} named no participants and could not be judged for atomicity.`);
  if (c.uncovered > 0) notes.push(`${plural(c.uncovered, 'transfer')} named a participant the final read did not read and could not be judged by it.`);
  if (c.concurrentWithFinalRead > 0) notes.push(`${plural(c.concurrentWithFinalRead, 'transfer')} ran while the final read did, which need not see ${c.concurrentWithFinalRead === 1 ? 'it' : 'them'}: not judged.`);
  if (c.partialReads > 0) notes.push(`${plural(c.partialReads, 'read')} did not read every participant: ${c.partialReads === 1 ? 'its total was' : 'their totals were'} not judged.`);
  const totals = r.expectedTotal !== undefined ? `the total of all balances, ${show(r.expectedTotal)}, is taken from ${totalSource(r)}` : undefined;
  const tail = [tally, ...notes].join(' ');

  if (r.valid === true) {
    const parts = [
      c.judged === 0 ? 'no transfer could be judged' : `every one of the ${plural(c.judged, 'judged transfer')} committed at all of its participants or at none (${c.committed.toLocaleString('en-US')} committed, ${c.aborted.toLocaleString('en-US')} aborted)`,
      'no acknowledged transfer was lost and no failed one is visible',
      'nothing is left prepared',
      c.reads > 0 ? 'no read saw half a transfer' : undefined,
      totals ? `${totals} and ${r.totalFrom === 'final-read' ? 'nothing else could be compared with it' : 'held'}` : undefined,
    ].filter(Boolean);
    return `Valid: ${parts.join('; ')}. ${tail}`;
  }

  const paragraphs: string[] = [];
  for (const kind of ANOMALY_KINDS) {
    const n = r.anomalyCounts[kind];
    if (n === 0) continue;
    const listed = r.anomalies.filter((a) => a.kind === kind);
    paragraphs.push(PARAGRAPH[kind](listed as never, n, r));
  }
  if (r.valid === 'unknown') paragraphs.push(`Unknown: ${r.unknownReason ?? 'no verdict'}.`);
  else if (!r.finalRead) paragraphs.push(`There was no final read, so commitment itself was not judged: ${r.unknownReason ?? 'no final-read completed ok'}.`);
  paragraphs.push(tail + (totals && !r.anomalyCounts['balance-not-conserved'] ? ` ${cap(totals)}.` : ''));
  return paragraphs.join('\n\n');
}

type Paragraph<A extends AtomicityAnomaly> = (listed: A[], n: number, r: TwoPhaseCommitResult) => string;

const ids = (listed: { id: number }[]) => listed.map((a) => a.id);

const PARAGRAPH: { [K in AnomalyKind]: Paragraph<Extract<AtomicityAnomaly, { kind: K }>> } = {
  'partial-commit': (listed: PartialCommit[], n, r) => {
    const a = listed[0];
    const head = `${plural(n, 'transfer')} committed at some of ${n === 1 ? 'its' : 'their'} participants but not all (partial commit${n === 1 ? '' : 's'}): ${listIds(ids(listed), n)}.`;
    if (!a) return head;
    return `${head} ${transfer(a.transfer)} committed at ${and(a.presentAt)} but not at ${and(a.absentAt)}: ${read(r.finalRead!)} holds its marker at ${and(a.presentAt)} only. The transaction committed at one participant and not at another, which is what two-phase commit exists to prevent.`;
  },
  'lost-commit': (listed: LostCommit[], n) => {
    const a = listed[0];
    const head = `${plural(n, 'acknowledged transfer')} ${n === 1 ? 'is' : 'are'} missing from the final read at some participant (lost commit${n === 1 ? '' : 's'}): ${listIds(ids(listed), n)}.`;
    if (!a) return head;
    const missing = a.presentAt.length === 0 ? `at none of its participants (${and(a.absentAt)})` : `at ${and(a.presentAt)} but not at ${and(a.absentAt)}`;
    return `${head} ${transfer(a.transfer)} was acknowledged as committed, yet the final read holds its marker ${missing}.`;
  },
  'aborted-visible': (listed: AbortedVisible[], n) => {
    const a = listed[0];
    const head = `${plural(n, 'failed transfer')} ${n === 1 ? 'is' : 'are'} visible anyway (aborted but present): ${listIds(ids(listed), n)}.`;
    if (!a) return head;
    return `${head} ${transfer(a.transfer)} failed, which is certain: it did not happen. Yet the final read holds its marker at ${and(a.presentAt)}${a.absentAt.length ? ` (not at ${and(a.absentAt)})` : ''}.`;
  },
  'in-doubt-left': (listed: InDoubtLeft[], n, r) => {
    const a = listed[0];
    const at = Object.entries(r.inDoubt)
      .slice(0, NAMED)
      .map(([p, xs]) => `${p} holds ${listIds(xs)}`)
      .join('; ');
    const head = `${plural(n, 'transaction')} ${n === 1 ? 'is' : 'are'} still prepared after recovery (in doubt: PREPARE TRANSACTION with no COMMIT PREPARED or ROLLBACK PREPARED; each holds its locks until someone decides): ${at}.`;
    if (!a) return head;
    return `${head} ${a.transfer ? transfer(a.transfer) : `Transaction ${a.id} (no transfer had that id)`} is prepared at ${and(a.preparedAt)}.`;
  },
  'fractured-read': (listed: FracturedRead[], n) => {
    const a = listed[0];
    const head = `${plural(n, 'fractured read')} (a read saw a transfer at some of its participants but not at others, though it read them all): transfer${n === 1 ? '' : 's'} ${listIds([...new Set(ids(listed))], n)}.`;
    if (!a) return head;
    return `${head} Let T = ${transfer(a.transfer)}, over ${and([...a.presentAt, ...a.absentAt])}. Then ${read(a.read)} saw T's marker at ${and(a.presentAt)} but not at ${and(a.absentAt)}: it observed T half committed.`;
  },
  'balance-not-conserved': (listed: BalanceNotConserved[], n, r) => {
    const from = totalSource(r);
    const finalOne = listed.find((b) => b.final);
    const others = listed.filter((b) => !b.final);
    const otherN = n - (finalOne ? 1 : 0);
    const out = [`The total of all balances is not conserved: it should be ${show(r.expectedTotal)} (from ${from}).`];
    if (finalOne) out.push(`${cap(read(finalOne.read))} totals ${show(finalOne.observed)}: ${describeDelta(finalOne)}.`);
    if (otherN > 0) {
      const b = others[0];
      out.push(`${plural(otherN, 'ok read')} total${otherN === 1 ? 's' : ''} otherwise${b ? `, first ${read(b.read)}, with ${show(b.observed)}` : ''}.`);
    }
    return out.join(' ');
  },
  'unexpected-marker': (listed: UnexpectedMarker[], n) => {
    const named = listed.slice(0, NAMED).map((a) => `${a.id} (at ${and(a.presentAt)})`);
    return `${plural(n, 'marker')} in the final read belong${n === 1 ? 's' : ''} to no transfer (unexpected): ${named.join(', ')}${n > named.length ? ', …' : ''}.`;
  },
  'misplaced-marker': (listed: MisplacedMarker[], n) => {
    const a = listed[0];
    const head = `${plural(n, 'transfer')} left ${n === 1 ? 'its marker' : 'markers'} at a participant ${n === 1 ? 'it does' : 'they do'} not touch (misplaced): ${listIds(ids(listed), n)}.`;
    if (!a) return head;
    return `${head} ${transfer(a.transfer)} touches ${and(a.transfer.participants ?? [])}, but the final read holds its marker at ${and(a.presentAt)} too.`;
  },
};

/** Where the expected total came from, in words. */
function totalSource(r: TwoPhaseCommitResult): string {
  return r.totalFrom === 'option' ? 'the checker’s total option' : r.totalFrom === 'first-read' ? 'the first ok read' : 'the final read';
}

function describeDelta(b: BalanceNotConserved): string {
  const d = b.observed - b.expected;
  return d > 0 ? `${show(d)} was made from nothing` : `${show(-d)} vanished`;
}
