import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Op } from '../../checkers/history/op.js';
import { checkTwoPhaseCommit, explainTwoPhaseCommit, type AnomalyKind } from '../../checkers/two-phase-commit/index.js';
import { Rng } from '../../harness/rng.js';
import { simulateBank, type BankSimOptions } from '../support/bank.js';

/**
 * The 2PC checker against histories of a bank that is atomic by construction (test/support/bank.ts): it must
 * never flag one; and once one thing is broken in such a history (a marker dropped, a marker added, a balance
 * changed, a read fractured…), it must flag exactly the anomaly that breakage is.
 *
 * fast-check draws the simulation's parameters and seed; its own seed is fixed so CI is reproducible. Set
 * FAULTLINE_FC_SEED to explore other seeds, FAULTLINE_FC_RUNS to scale the number of runs.
 */
const FC_SEED = Number(process.env.FAULTLINE_FC_SEED ?? 20240601);
const SCALE = Number(process.env.FAULTLINE_FC_RUNS ?? 1);
const RUNS = Math.ceil(SCALE * 400);

const simArb = fc.record({
  seed: fc.integer(),
  participants: fc.integer({ min: 1, max: 5 }),
  accounts: fc.integer({ min: 2, max: 8 }),
  transfers: fc.integer({ min: 0, max: 40 }),
  clients: fc.integer({ min: 1, max: 5 }),
  readers: fc.integer({ min: 0, max: 3 }),
  abortRate: fc.constantFrom(0, 0.2, 0.5),
  infoRate: fc.constantFrom(0, 0.1, 0.4),
}) as fc.Arbitrary<BankSimOptions>;

/** Fails with the parameters, fast-check's seed and path, and the history, when `bad` says something. */
function assertProperty<T>(arb: fc.Arbitrary<T>, toHistory: (x: T) => Op[], bad: (h: Op[], x: T) => string | null): void {
  const out = fc.check(fc.property(arb, (x) => bad(toHistory(x), x) === null), { numRuns: RUNS, seed: FC_SEED });
  if (!out.failed) return;
  if (!out.counterexample) throw out.errorInstance ?? new Error('property failed');
  const x = out.counterexample[0];
  const h = toHistory(x);
  assert.fail(`${bad(h, x)} (fast-check seed ${out.seed}, path ${out.counterexamplePath})\nparameters: ${JSON.stringify(x)}\nhistory: ${h.map((o) => JSON.stringify(o)).join('\n')}`);
}

interface PartRead {
  balances: Record<string, number>;
  markers: number[];
  prepared?: number[];
}
type ReadValue = { since?: number; participants: Record<string, PartRead> };

/** One breakage of an atomic history, and the anomaly (on which transfer id) it must be reported as. */
interface Mutation {
  name: string;
  expect: AnomalyKind;
  id?: number;
  history: Op[];
  /** The checker's total option, when the breakage needs one to be seen. */
  total?: number;
}

/**
 * Every breakage that applies to the history, each on a copy. A breakage applies only where it must be detectable:
 * a committed transfer of unknown outcome on one participant may lose its marker (it then simply aborted).
 */
function mutations(h: Op[], rng: Rng, accounts: number): Mutation[] {
  const out: Mutation[] = [];
  const finalPos = h.length - 1;
  const final = h[finalPos].value as ReadValue;
  const names = Object.keys(final.participants);
  // Each transfer: its value and how it ended (the last event of its process for it).
  const transfers = new Map<number, { participants: string[]; type: string }>();
  for (const op of h) {
    if (op.f !== 'transfer') continue;
    const v = op.value as { id: number; participants: string[] };
    transfers.set(v.id, { participants: v.participants, type: op.type === 'invoke' ? 'pending' : op.type });
  }
  const present = (id: number) => names.filter((n) => final.participants[n].markers.includes(id));
  /** The history with the final read's value replaced by `edit` of a deep copy (or the op at `pos`). */
  const withValue = (pos: number, edit: (v: ReadValue) => void): Op[] => {
    const v = structuredClone(h[pos].value) as ReadValue;
    edit(v);
    return h.map((op, i) => (i === pos ? { ...op, value: v } : op));
  };
  const ids = [...transfers.keys()];
  const pick = <T>(xs: T[]) => (xs.length ? rng.pick(xs) : undefined);

  const committed = pick(ids.filter((id) => present(id).length > 0 && (transfers.get(id)!.participants.length > 1 || transfers.get(id)!.type === 'ok')));
  if (committed !== undefined) {
    const t = transfers.get(committed)!;
    const at = rng.pick(t.participants);
    out.push({
      name: 'drop a committed transfer’s marker at one participant',
      expect: t.participants.length > 1 ? 'partial-commit' : 'lost-commit',
      id: committed,
      history: withValue(finalPos, (v) => (v.participants[at].markers = v.participants[at].markers.filter((m) => m !== committed))),
    });
  }
  const aborted = pick(ids.filter((id) => present(id).length === 0 && (transfers.get(id)!.type === 'fail' || transfers.get(id)!.participants.length > 1)));
  if (aborted !== undefined) {
    const t = transfers.get(aborted)!;
    const at = rng.pick(t.participants);
    out.push({
      name: 'add an aborted transfer’s marker at one participant',
      expect: t.type === 'fail' ? 'aborted-visible' : 'partial-commit',
      id: aborted,
      history: withValue(finalPos, (v) => v.participants[at].markers.push(aborted)),
    });
  }
  const narrow = pick(ids.filter((id) => transfers.get(id)!.participants.length < names.length));
  if (narrow !== undefined) {
    const at = rng.pick(names.filter((n) => !transfers.get(narrow)!.participants.includes(n)));
    out.push({ name: 'add a marker where its transfer does not go', expect: 'misplaced-marker', id: narrow, history: withValue(finalPos, (v) => v.participants[at].markers.push(narrow)) });
  }
  const stray = ids.length + 1000;
  const at = rng.pick(names);
  out.push({ name: 'add a marker no transfer had', expect: 'unexpected-marker', id: stray, history: withValue(finalPos, (v) => v.participants[at].markers.push(stray)) });
  const prepared = pick(ids) ?? 7;
  out.push({ name: 'leave a transaction prepared', expect: 'in-doubt-left', id: prepared, history: withValue(finalPos, (v) => (v.participants[at].prepared = [prepared])) });
  // Held to the total option (the first read's total is the default, and there may be no read).
  const held = Object.keys(final.participants[at].balances);
  if (held.length > 0) {
    const account = rng.pick(held);
    const history = withValue(finalPos, (v) => (v.participants[at].balances[account] += 1 + rng.int(5)));
    out.push({ name: 'change a balance in the final read', expect: 'balance-not-conserved', history, total: 100 * accounts });
  }
  // A read that saw a transfer at all of its (two or more) participants: hide it at one.
  const reads = h.flatMap((op, pos) => (op.f === 'read' && op.type === 'ok' ? [pos] : []));
  const seen = reads.flatMap((pos) => {
    const v = h[pos].value as ReadValue;
    return ids
      .filter((id) => id >= v.since! && transfers.get(id)!.participants.length > 1 && transfers.get(id)!.participants.every((p) => v.participants[p]?.markers.includes(id)))
      .map((id) => ({ pos, id }));
  });
  const fracture = pick(seen);
  if (fracture) {
    const p = rng.pick(transfers.get(fracture.id)!.participants);
    out.push({
      name: 'hide a transfer from a read at one participant',
      expect: 'fractured-read',
      id: fracture.id,
      history: withValue(fracture.pos, (v) => (v.participants[p].markers = v.participants[p].markers.filter((m) => m !== fracture.id))),
    });
  }
  return out;
}

describe('2pc properties', function () {
  this.timeout(120_000);

  it('the history of an atomic bank is never flagged, whatever its outcomes, reads and concurrency', () => {
    let judged = 0;
    let infoResolved = 0;
    let reads = 0;
    assertProperty(simArb, simulateBank, (h, o) => {
      const r = checkTwoPhaseCommit(h);
      const withTotal = checkTwoPhaseCommit(h, { total: 100 * o.accounts });
      judged += r.counts.judged;
      infoResolved += r.counts.infoCommitted + r.counts.infoAborted;
      reads += r.counts.reads;
      if (r.valid !== true || withTotal.valid !== true) return `flagged: ${explainTwoPhaseCommit(r.valid !== true ? r : withTotal)}`;
      if (r.counts.partial !== 0 || r.counts.committed + r.counts.aborted !== r.counts.judged) return `counts do not add up: ${JSON.stringify(r.counts)}`;
      if (r.counts.judged !== o.transfers) return `${r.counts.judged} of ${o.transfers} transfers judged`;
      return null;
    });
    // Not vacuous: many transfers, some of unknown outcome resolved by the final read, and reads to judge.
    assert.ok(judged > RUNS * 5, `${judged} transfers judged`);
    assert.ok(infoResolved > RUNS / 4, `${infoResolved} info transfers resolved`);
    assert.ok(reads > RUNS / 2, `${reads} reads`);
  });

  it('one breakage of an atomic history is flagged as the anomaly it is, naming the transfer', () => {
    const applied = new Map<string, number>();
    const arb = fc.tuple(simArb, fc.integer());
    assertProperty(
      arb,
      ([o]) => simulateBank(o),
      (h, [o, seed]) => {
        for (const m of mutations(h, new Rng(seed), o.accounts)) {
          applied.set(m.name, (applied.get(m.name) ?? 0) + 1);
          const r = checkTwoPhaseCommit(m.history, m.total !== undefined ? { total: m.total } : {});
          if (r.valid !== false || r.anomalyCounts[m.expect] === 0) return `${m.name}${m.id !== undefined ? ` (id ${m.id})` : ''}: expected ${m.expect}, got ${r.valid}: ${explainTwoPhaseCommit(r)}`;
          const named = r.anomalies.filter((a) => a.kind === m.expect).map((a) => ('id' in a ? a.id : undefined));
          if (m.id !== undefined && !named.includes(m.id)) return `${m.name}: ${m.expect} names ${named.join(', ')}, not ${m.id}`;
        }
        return null;
      },
    );
    // Not vacuous: every breakage was tried, and often.
    assert.equal(applied.size, 7, [...applied.keys()].join('; '));
    for (const [name, n] of applied) assert.ok(n >= RUNS / 10, `${name}: only ${n} times`);
  });
});
