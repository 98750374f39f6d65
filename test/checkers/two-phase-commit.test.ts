import assert from 'node:assert/strict';
import { isInputError } from '../../checkers/errors.js';
import type { Op } from '../../checkers/history/op.js';
import type { CheckerVerdict } from '../../checkers/registry.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { ANOMALY_KINDS, checkTwoPhaseCommit, explainTwoPhaseCommit, type AnomalyKind, type AtomicityAnomaly, type TwoPhaseCommitResult } from '../../checkers/two-phase-commit/index.js';
import { Bank } from '../support/bank.js';

const checkerFor = (name: string) => builtinRegistry().checker(name);
const explainResult = (r: CheckerVerdict) => checkerFor(r.checker).explain(r);

const P13 = ['p1', 'p3'];
const P123 = ['p1', 'p2', 'p3'];

/** The anomalies of one kind. */
function of<K extends AnomalyKind>(r: TwoPhaseCommitResult, kind: K): Extract<AtomicityAnomaly, { kind: K }>[] {
  return r.anomalies.filter((a) => a.kind === kind) as Extract<AtomicityAnomaly, { kind: K }>[];
}

/** The kinds found, with their counts. */
function found(r: TwoPhaseCommitResult): Partial<Record<AnomalyKind, number>> {
  return Object.fromEntries(ANOMALY_KINDS.filter((k) => r.anomalyCounts[k] > 0).map((k) => [k, r.anomalyCounts[k]]));
}

function throwsInput(h: Op[] | { ops: Op[]; lines?: number[]; source?: string }, message: RegExp): void {
  assert.throws(
    () => checkTwoPhaseCommit(h),
    (e: unknown) => {
      assert.ok(isInputError(e), `not an input error: ${String(e)}`);
      assert.match((e as Error).message, message);
      assert.ok(!(e as Error).message.includes('\n'), 'one line');
      return true;
    },
  );
}

describe('checkers: 2pc (atomic commitment of distributed transfers)', () => {
  it('is valid when every transfer committed everywhere or nowhere, as its outcome allows', () => {
    const h = new Bank()
      .transfer(0, 1, P13, 'ok')
      .transfer(1, 2, ['p1', 'p2'], 'fail')
      .read(5, 0, { p1: { markers: [1], balances: { 0: 99, 3: 100 } }, p2: { markers: [], balances: { 1: 100 } }, p3: { markers: [1], balances: { 2: 101 } } })
      .transfer(2, 3, P123, 'info') // happened
      .transfer(3, 4, ['p2', 'p3'], 'info') // did not
      .transfer(4, 5, ['p1'], 'pending') // happened, never returned
      .nemesis('start-partition')
      .nemesis('stop-partition')
      .final({
        p1: { markers: [1, 3, 5], balances: { 0: 97, 3: 100 } },
        p2: { markers: [3], balances: { 1: 100 } },
        p3: { markers: [1, 3], balances: { 2: 103 } },
      }).ops;
    const r = checkTwoPhaseCommit(h);
    assert.equal(r.checker, '2pc');
    assert.equal(r.valid, true);
    assert.deepEqual(r.anomalies, []);
    assert.deepEqual(found(r), {});
    assert.deepEqual(r.counts, {
      transfers: 5,
      ok: 1,
      fail: 1,
      info: 3,
      withoutParticipants: 0,
      uncovered: 0,
      concurrentWithFinalRead: 0,
      judged: 5,
      committed: 3,
      aborted: 2,
      partial: 0,
      infoCommitted: 2,
      infoAborted: 1,
      reads: 1,
      partialReads: 0,
      readMarkers: 2,
      finalMarkers: 6,
      prepared: 0,
    });
    assert.equal(r.ops, 7, 'five transfers, a read, the final read');
    assert.deepEqual(r.participants, P123);
    assert.deepEqual([r.expectedTotal, r.totalFrom, r.finalTotal], [400, 'first-read', 400]);
    assert.deepEqual(r.finalRead, { f: 'final-read', process: 99, invokeIndex: 13, completeIndex: 14, time: 13000, completeTime: 14000 });
    assert.deepEqual(r.inDoubt, {});
    const prose = explainTwoPhaseCommit(r);
    assert.match(prose, /^Valid: every one of the 5 judged transfers committed at all of its participants or at none \(3 committed, 2 aborted\)/);
    assert.match(prose, /the total of all balances, 400, is taken from the first ok read and held/);
    assert.match(prose, /5 transfers attempted: 1 ok, 1 failed, 3 of unknown outcome \(2 of them committed, 1 aborted\); 1 ok read\./);
  });

  it('partial-commit: a transfer of unknown outcome present at some of its participants, with its op and where', () => {
    const r = checkTwoPhaseCommit(
      new Bank()
        .transfer(0, 1, P13, 'ok')
        .transfer(3, 17, P13, 'info')
        .final({ p1: [1, 17], p2: [], p3: [1] }).ops,
    );
    assert.equal(r.valid, false);
    assert.deepEqual(found(r), { 'partial-commit': 1 });
    const [a] = of(r, 'partial-commit');
    assert.deepEqual(a, {
      kind: 'partial-commit',
      id: 17,
      transfer: { id: 17, process: 3, status: 'info', from: 3, to: 4, amount: 3, participants: P13, invokeIndex: 2, completeIndex: 3, time: 2000, completeTime: 3000 },
      presentAt: ['p1'],
      absentAt: ['p3'],
    });
    assert.deepEqual([r.counts.partial, r.counts.committed, r.counts.infoCommitted, r.counts.infoAborted], [1, 1, 0, 0]);
    const prose = explainTwoPhaseCommit(r);
    assert.match(prose, /^1 transfer committed at some of its participants but not all \(partial commit\): 17\. Transfer 17 \(process 3, info, indices 2–3; 3 from account 3 to 4\) committed at p1 but not at p3: the final read by process 99 \(indices 4–5\) holds its marker at p1 only\. The transaction committed at one participant and not at another/);
  });

  it('an acknowledged partial commit is both a partial commit and a lost commit; a failed one, both partial and visible', () => {
    const r = checkTwoPhaseCommit(
      new Bank()
        .transfer(0, 4, P123, 'ok')
        .transfer(1, 5, P123, 'fail')
        .final({ p1: [4, 5], p2: [4], p3: [] }).ops,
    );
    assert.deepEqual(found(r), { 'partial-commit': 2, 'lost-commit': 1, 'aborted-visible': 1 });
    assert.deepEqual(of(r, 'partial-commit').map((a) => [a.id, a.presentAt, a.absentAt]), [[4, ['p1', 'p2'], ['p3']], [5, ['p1'], ['p2', 'p3']]]);
    assert.deepEqual(of(r, 'lost-commit').map((a) => [a.id, a.presentAt, a.absentAt]), [[4, ['p1', 'p2'], ['p3']]]);
    assert.deepEqual(of(r, 'aborted-visible').map((a) => [a.id, a.presentAt, a.absentAt]), [[5, ['p1'], ['p2', 'p3']]]);
    const prose = explainTwoPhaseCommit(r);
    assert.equal(prose.split('\n\n').length, 4, 'one paragraph per kind, then the counts');
    assert.match(prose, /1 acknowledged transfer is missing from the final read at some participant \(lost commit\): 4\. Transfer 4 \(process 0, ok, indices 0–1; 5 from account 4 to 5\) was acknowledged as committed, yet the final read holds its marker at p1 and p2 but not at p3\./);
  });

  it('lost-commit: an acknowledged transfer absent everywhere', () => {
    const r = checkTwoPhaseCommit(new Bank().transfer(0, 8, P13, 'ok').transfer(1, 9, P13, 'ok').final({ p1: [9], p3: [9] }).ops);
    assert.deepEqual(found(r), { 'lost-commit': 1 });
    const [a] = of(r, 'lost-commit');
    assert.deepEqual([a.id, a.presentAt, a.absentAt], [8, [], P13]);
    assert.match(explainTwoPhaseCommit(r), /yet the final read holds its marker at none of its participants \(p1 and p3\)\./);
    assert.deepEqual([r.counts.committed, r.counts.aborted], [1, 1]);
  });

  it('aborted-visible: a failed transfer present everywhere (not a partial commit)', () => {
    const r = checkTwoPhaseCommit(new Bank().transfer(0, 3, P13, 'fail').final({ p1: [3], p3: [3] }).ops);
    assert.deepEqual(found(r), { 'aborted-visible': 1 });
    assert.deepEqual(of(r, 'aborted-visible')[0].presentAt, P13);
    assert.match(explainTwoPhaseCommit(r), /^1 failed transfer is visible anyway \(aborted but present\): 3\. Transfer 3 \(process 0, failed, .*\) failed, which is certain: it did not happen\. Yet the final read holds its marker at p1 and p3\./);
  });

  it('in-doubt-left: transactions still prepared after recovery, by participant, known or not', () => {
    const r = checkTwoPhaseCommit(
      new Bank()
        .transfer(0, 1, P13, 'info')
        .transfer(1, 2, P13, 'ok')
        .final({ p1: { markers: [2], prepared: [1, 50] }, p3: { markers: [2], prepared: [1] } }).ops,
    );
    assert.equal(r.valid, false);
    assert.deepEqual(found(r), { 'in-doubt-left': 2 });
    assert.deepEqual(r.inDoubt, { p1: [1, 50], p3: [1] });
    const [one, fifty] = of(r, 'in-doubt-left');
    assert.deepEqual([one.id, one.preparedAt, one.transfer?.status], [1, P13, 'info']);
    assert.deepEqual([fifty.id, fifty.preparedAt, fifty.transfer], [50, ['p1'], undefined]);
    assert.equal(r.counts.prepared, 2);
    assert.equal(r.counts.infoAborted, 1, 'prepared is not committed');
    assert.match(explainTwoPhaseCommit(r), /^2 transactions are still prepared after recovery \(in doubt: .*\): p1 holds 1, 50; p3 holds 1\. Transfer 1 \(process 0, info, .*\) is prepared at p1 and p3\./);
  });

  it('fractured-read: a read that saw a transfer at some of its participants, with the read and the transfer', () => {
    const r = checkTwoPhaseCommit(
      new Bank()
        .begin(0, 17, P13)
        .read(5, 10, { p1: [17, 17], p2: [], p3: [] }) // listed twice at p1: still one participant
        .end(0, 17, 'ok')
        .read(6, 10, { p1: [17], p3: [17] })
        .final({ p1: [17], p2: [], p3: [17] }).ops,
    );
    assert.equal(r.valid, false);
    assert.deepEqual(found(r), { 'fractured-read': 1 });
    const [a] = of(r, 'fractured-read');
    assert.deepEqual([a.id, a.presentAt, a.absentAt, a.transfer.status], [17, ['p1'], ['p3'], 'ok']);
    assert.deepEqual(a.read, { f: 'read', process: 5, since: 10, invokeIndex: 1, completeIndex: 2, time: 1000, completeTime: 2000 });
    assert.equal(r.counts.readMarkers, 4);
    assert.match(
      explainTwoPhaseCommit(r),
      /^1 fractured read \(.*\): transfer 17\. Let T = Transfer 17 \(process 0, ok, indices 0–3; 3 from account 3 to 4\), over p1 and p3\. Then the read by process 5 \(indices 1–2, since 10\) saw T's marker at p1 but not at p3: it observed T half committed\./,
    );
  });

  it('a read judges only transfers with an id ≥ its since, whose participants it read', () => {
    const r = checkTwoPhaseCommit(
      new Bank()
        .transfer(0, 3, P13, 'ok')
        .transfer(0, 12, P13, 'ok')
        .read(5, 10, { p1: [3, 12], p3: [12] }) // 3 < since: not judged (and its p3 marker not returned)
        .read(6, 0, { p1: [3, 12] }) // p3 not read: neither is judged
        .read(7, 0, { p1: [3, 12], p3: [3, 12] }, 'info') // not ok: ignored
        .final({ p1: [3, 12], p3: [3, 12] }).ops,
    );
    assert.equal(r.valid, true, explainTwoPhaseCommit(r));
    assert.equal(r.counts.reads, 2);
    assert.equal(r.counts.partialReads, 1);
  });

  it('balance-not-conserved: the total is the first ok read’s, or the option’s; reads and the final read are held to it', () => {
    const b = (x: number, y: number) => ({ p1: { markers: [], balances: { 0: x } }, p2: { markers: [], balances: { 1: y } } });
    const h = new Bank()
      .read(1, 0, b(100, 100))
      .read(2, 0, b(100, 90))
      .read(3, 0, { p1: { markers: [], balances: { 0: 5 } } }) // p2 not read: its total is not judged
      .read(4, 0, b(150, 50))
      .final(b(120, 90)).ops;
    const r = checkTwoPhaseCommit(h);
    assert.deepEqual(found(r), { 'balance-not-conserved': 2 });
    assert.deepEqual([r.expectedTotal, r.totalFrom, r.finalTotal], [200, 'first-read', 210]);
    const [final, read] = of(r, 'balance-not-conserved');
    assert.deepEqual([final.final, final.observed, final.expected, final.read.f], [true, 210, 200, 'final-read']);
    assert.deepEqual([read.final, read.observed, read.read.process], [false, 190, 2]);
    assert.equal(r.counts.partialReads, 1);
    const prose = explainTwoPhaseCommit(r);
    assert.match(prose, /^The total of all balances is not conserved: it should be 200 \(from the first ok read\)\. The final read by process 99 \(indices 8–9\) totals 210: 10 was made from nothing\. 1 ok read totals otherwise, first the read by process 2 \(indices 2–3, since 0\), with 190\./);

    const opt = checkTwoPhaseCommit(h, { total: 210 });
    assert.deepEqual([opt.expectedTotal, opt.totalFrom], [210, 'option']);
    assert.deepEqual(of(opt, 'balance-not-conserved').map((a) => [a.final, a.observed]), [[false, 200], [false, 190], [false, 200]], 'the final read holds 210');
    assert.equal(opt.anomalyCounts['balance-not-conserved'], 3);

    const onlyFinal = checkTwoPhaseCommit(new Bank().final(b(3, 4)).ops);
    assert.deepEqual([onlyFinal.valid, onlyFinal.expectedTotal, onlyFinal.totalFrom], [true, 7, 'final-read']);
    assert.match(explainTwoPhaseCommit(onlyFinal), /the total of all balances, 7, is taken from the final read and nothing else could be compared with it/);
  });

  it('cuts each list at maxListed, counts exact, the final read’s balance listed first', () => {
    const bank = new Bank();
    for (let i = 0; i < 30; i++) bank.transfer(i % 4, i, P13, 'ok');
    for (let i = 0; i < 5; i++) bank.read(10 + i, 0, { p1: { markers: [], balances: { 0: i } }, p3: [] });
    const r = checkTwoPhaseCommit(bank.final({ p1: { markers: [], balances: { 0: 9 } }, p3: [] }).ops, { maxListed: 3 });
    assert.equal(r.anomalyCounts['lost-commit'], 30);
    assert.deepEqual(of(r, 'lost-commit').map((a) => a.id), [0, 1, 2]);
    assert.equal(r.anomalyCounts['balance-not-conserved'], 5);
    assert.deepEqual(of(r, 'balance-not-conserved').map((a) => a.observed), [9, 1, 2]);
    assert.match(explainTwoPhaseCommit(r), /30 acknowledged transfers are missing from the final read at some participant \(lost commits\): 0, 1, 2, …\./);
  });

  it('unexpected-marker and misplaced-marker: markers no transfer had, or at a participant it does not touch', () => {
    const r = checkTwoPhaseCommit(new Bank().transfer(0, 1, P13, 'ok').final({ p1: [1, 900], p2: [1, 900, 901], p3: [1] }).ops);
    assert.deepEqual(found(r), { 'unexpected-marker': 2, 'misplaced-marker': 1 });
    assert.deepEqual(of(r, 'unexpected-marker').map((a) => [a.id, a.presentAt]), [[900, ['p1', 'p2']], [901, ['p2']]]);
    const [m] = of(r, 'misplaced-marker');
    assert.deepEqual([m.id, m.presentAt, m.transfer.participants], [1, ['p2'], P13]);
    assert.equal(r.counts.committed, 1, 'its own participants hold it: committed');
    const prose = explainTwoPhaseCommit(r);
    assert.match(prose, /2 markers in the final read belong to no transfer \(unexpected\): 900 \(at p1 and p2\), 901 \(at p2\)\./);
    assert.match(prose, /1 transfer left its marker at a participant it does not touch \(misplaced\): 1\. Transfer 1 .* touches p1 and p3, but the final read holds its marker at p2 too\./);
  });

  it('is unknown without an ok final read, and invalid anyway when the reads show an anomaly', () => {
    const bank = new Bank().transfer(0, 1, P13, 'ok');
    bank.event(9, 'invoke', 'final-read', null).event(9, 'info', 'final-read', null);
    const r = checkTwoPhaseCommit(bank.ops);
    assert.equal(r.valid, 'unknown');
    assert.match(r.unknownReason!, /^no final read/);
    assert.equal(r.counts.ok, 1, 'still counted');
    assert.equal(r.counts.judged, 0);
    assert.match(explainTwoPhaseCommit(r), /^Unknown: no final read: no final-read completed ok/);
    assert.equal(checkTwoPhaseCommit([]).valid, 'unknown');

    const fractured = checkTwoPhaseCommit(new Bank().transfer(0, 1, P13, 'ok').read(1, 0, { p1: [1], p3: [] }).ops);
    assert.equal(fractured.valid, false);
    assert.equal(fractured.unknownReason, undefined);
    assert.deepEqual(found(fractured), { 'fractured-read': 1 });
    assert.match(explainTwoPhaseCommit(fractured), /There was no final read, so commitment itself was not judged/);
  });

  it('takes participants from the completion when the invocation lacks them; counts transfers that name none', () => {
    const r = checkTwoPhaseCommit(
      new Bank()
        .transfer(0, 1, P13, 'ok', 'completion')
        .transfer(1, 2, undefined, 'ok')
        .final({ p1: [1, 2], p3: [] }).ops,
    );
    assert.deepEqual(found(r), { 'partial-commit': 1, 'lost-commit': 1 });
    assert.deepEqual(of(r, 'partial-commit')[0].transfer.participants, P13);
    assert.equal(r.counts.withoutParticipants, 1);
    assert.equal(r.counts.judged, 1);
    assert.match(explainTwoPhaseCommit(r), /1 transfer named no participants and could not be judged for atomicity\./);
  });

  it('does not judge transfers that ran while the final read did, nor those naming a participant it did not read', () => {
    const bank = new Bank().begin(0, 1, P13);
    bank.event(99, 'invoke', 'final-read', null);
    bank.end(0, 1, 'ok').transfer(1, 2, ['p1', 'p9'], 'ok');
    bank.event(99, 'ok', 'final-read', { participants: { p1: { balances: {}, markers: [1] }, p3: { balances: {}, markers: [] } } });
    const r = checkTwoPhaseCommit(bank.ops);
    assert.equal(r.valid, true, explainTwoPhaseCommit(r));
    assert.deepEqual([r.counts.concurrentWithFinalRead, r.counts.uncovered, r.counts.judged], [1, 1, 0]);
    assert.deepEqual(r.participants, P13);
  });

  it('skips the nemesis and other fs; a later ok final read replaces an earlier one', () => {
    const bank = new Bank().transfer(0, 1, P13, 'ok').nemesis('kill').event(4, 'invoke', 'write', 3).event(4, 'ok', 'write', 3);
    bank.final({ p1: [], p3: [] }, 7).final({ p1: [1], p3: [1] }, 8);
    const r = checkTwoPhaseCommit(bank.ops);
    assert.equal(r.valid, true);
    assert.equal(r.finalRead!.process, 8);
    assert.equal(r.ops, 3);
  });

  it('names lines, not indices, for a history read from a file', () => {
    const ops = new Bank().transfer(3, 17, P13, 'ok').final({ p1: [17], p3: [] }).ops;
    const r = checkTwoPhaseCommit({ ops, lines: [3, 4, 7, 8], source: 'h.jsonl' });
    const [a] = of(r, 'partial-commit');
    assert.deepEqual([a.transfer.line, a.transfer.completeLine, r.finalRead!.line, r.finalRead!.completeLine], [3, 4, 7, 8]);
    assert.match(explainTwoPhaseCommit(r), /Transfer 17 \(process 3, ok, lines 3–4; 3 from account 3 to 4\) committed at p1 but not at p3: the final read by process 99 \(lines 7–8\)/);
  });

  it('rejects malformed input with one line naming it', () => {
    const t = (value: unknown): Op[] => [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'transfer', value },
      { index: 1, time: 1, process: 0, type: 'ok', f: 'transfer', value },
    ];
    throwsInput(t({ from: 1, to: 2, amount: 3 }), /^<history>:1: transfer invoked with \{"from":1,"to":2,"amount":3\}: its value must be \{id: <integer>/);
    throwsInput(t({ id: 1.5 }), /^<history>:1: transfer invoked with/);
    throwsInput(t(null), /^<history>:1: transfer invoked with null/);
    throwsInput({ ops: t({ id: '7' }), lines: [12, 13], source: 'bank.jsonl' }, /^bank\.jsonl:12: transfer invoked with \{"id":"7"\}/);
    throwsInput(t({ id: 1, participants: 'p1' }), /^<history>:1: transfer 1: participants must be a non-empty list of participant names, got "p1"$/);
    throwsInput(t({ id: 1, participants: [] }), /participants must be a non-empty list/);
    throwsInput([...t({ id: 1 }), ...t({ id: 1 }).map((o) => ({ ...o, index: o.index + 2 }))], /^<history>:3: transfer id 1 is used again \(first at line 1\): ids must be unique$/);
    const h = t({ id: 1 });
    h[1] = { ...h[1], value: { id: 2 } };
    throwsInput(h, /^<history>:2: transfer 1 \(invoked at line 1\) completes with id 2$/);
    throwsInput(new Bank().transfer(0, 1, P13, 'pending').transfer(0, 2, P13, 'ok').ops, /^<history>:2: process 0 invokes transfer while its transfer from line 1 is still pending$/);
    throwsInput([{ index: 0, time: 0, process: 0, type: 'ok', f: 'transfer', value: { id: 1 } }], /with no pending invocation/);

    const read = (value: unknown, f = 'read'): Op[] => [
      { index: 0, time: 0, process: 0, type: 'invoke', f, value: null },
      { index: 1, time: 1, process: 0, type: 'ok', f, value },
    ];
    throwsInput(read([1, 2]), /^<history>:2: read returned \[1,2\]: its value must be \{since: <integer>, participants: \{<name>: \{balances, markers\}\}\}$/);
    throwsInput(read({ participants: {} }), /^<history>:2: read: since must be an integer id, got nothing$/);
    throwsInput(read({ since: 0, participants: { p1: { balances: {}, markers: 'x' } } }), /^<history>:2: read: participant p1: markers must be a list of transfer ids, got "x"$/);
    throwsInput(read({ since: 0, participants: { p1: { balances: {}, markers: [1, 'a'] } } }), /read: participant p1: marker "a" is not an integer id/);
    throwsInput(read({ since: 0, participants: { p1: { balances: { 0: '5' }, markers: [] } } }), /read: participant p1: balance "5" is not a number/);
    throwsInput(read({ since: 0, participants: { p1: { markers: [] } } }), /read: participant p1: balances must be an object/);
    throwsInput(read({ since: 0, participants: { p1: 3 } }), /read: participant p1 returned 3/);
    throwsInput(read(null, 'final-read'), /^<history>:2: final-read returned null: its value must be \{participants:/);
    throwsInput(read({ participants: { p1: { balances: {}, markers: [], prepared: {} } } }, 'final-read'), /final-read: participant p1: prepared must be a list of transfer ids/);
    // fail and info reads carry nothing and are not looked at.
    const failed = read(null);
    failed[1] = { ...failed[1], type: 'fail' };
    assert.equal(checkTwoPhaseCommit(failed).valid, 'unknown');
  });

  it('is in the registry as 2pc, with its options checked', async () => {
    const c = checkerFor('2pc');
    assert.equal(c.needsModel, false);
    const h = new Bank().read(1, 0, { p1: { markers: [], balances: { 0: 5 } } }).final({ p1: { markers: [], balances: { 0: 5 } } }).ops;
    const r = await c.check(h, { total: 6 });
    assert.equal(r.checker, '2pc');
    assert.equal(r.valid, false);
    assert.match(explainResult(r), /^The total of all balances is not conserved: it should be 6 \(from the checker’s total option\)/);
    assert.equal((await c.check(h)).valid, true);
    assert.deepEqual(c.parseOptions!({ total: 600 }), { total: 600 });
    assert.deepEqual(c.parseOptions!({}), {});
    assert.throws(() => c.parseOptions!({ total: '600' }), (e: unknown) => isInputError(e) && /total must be a number, got "600"/.test((e as Error).message));
    assert.throws(() => c.parseOptions!({ totl: 1 }), (e: unknown) => isInputError(e) && /has no option 'totl' \(known: total\)/.test((e as Error).message));
  });

  // Speed is bench/check-2pc.ts's to measure (no timed assertions in tests); this is about scale: one partial commit
  // among a million transfers is found and nothing else is.
  it('finds the one partial commit among 1,000,000 transfers over 5 participants, with reads and a final read', function () {
    this.timeout(60_000);
    const n = 1_000_000;
    const parts = ['p0', 'p1', 'p2', 'p3', 'p4'];
    const h: Op[] = [];
    const markers: number[][] = parts.map(() => []);
    const push = (process: number, type: Op['type'], f: string, value: unknown) => h.push({ index: h.length, time: h.length, process, type, f, value });
    for (let i = 0; i < n; i++) {
      const a = i % 5;
      const b = (i + 1 + (i % 3)) % 5;
      const value = { id: i, from: a, to: b, amount: 1, participants: [parts[a], parts[b]] };
      push(i % 10, 'invoke', 'transfer', value);
      push(i % 10, i % 100 === 7 ? 'fail' : 'ok', 'transfer', value);
      if (i % 100 !== 7 && i !== 5000) {
        markers[a].push(i);
        markers[b].push(i);
      }
      if (i % 10_000 === 9_999) {
        const since = i - 500;
        push(20, 'invoke', 'read', null);
        push(20, 'ok', 'read', { since, participants: Object.fromEntries(parts.map((p, k) => [p, { balances: { [k]: 100 }, markers: markers[k].filter((m) => m >= since) }])) });
      }
    }
    markers[0].push(5000); // transfer 5000 (p0, p1) committed at p0 only
    push(21, 'invoke', 'final-read', null);
    push(21, 'ok', 'final-read', { participants: Object.fromEntries(parts.map((p, k) => [p, { balances: { [k]: 100 }, markers: markers[k], prepared: [] }])) });
    const r = checkTwoPhaseCommit(h);
    assert.equal(r.valid, false);
    assert.deepEqual(found(r), { 'partial-commit': 1, 'lost-commit': 1 });
    assert.deepEqual(of(r, 'partial-commit')[0].presentAt, ['p0']);
    assert.deepEqual([r.counts.transfers, r.counts.committed, r.counts.aborted, r.counts.reads], [n, n - 10_000 - 1, 10_000, 100]);
  });
});
