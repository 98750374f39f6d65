import assert from 'node:assert/strict';
import type { Op } from '../../checkers/history/op.js';
import { mutate } from '../support/mutate.js';
import { Rng } from '../../harness/rng.js';
import { SIMULATED_MODELS, simulate } from '../support/simulate.js';

/** The shape every history must have, whatever the simulator or a mutation did to it. */
function assertWellFormed(h: Op[], what: string): void {
  const open = new Map<number, Op>();
  const retired = new Set<number>();
  h.forEach((e, i) => {
    assert.equal(e.index, i, `${what}: index = position`);
    if (i > 0) assert.ok(e.time > h[i - 1].time, `${what}: times increase at ${i}`);
    const p = e.process as number;
    if (e.type === 'invoke') {
      assert.ok(!open.has(p), `${what}: ${p} invokes while pending at ${i}`);
      assert.ok(!retired.has(p), `${what}: crashed process ${p} issues again at ${i}`);
      open.set(p, e);
    } else {
      const inv = open.get(p);
      assert.ok(inv && inv.f === e.f, `${what}: completion at ${i} matches an open invocation`);
      open.delete(p);
      if (e.type === 'info') retired.add(p);
    }
  });
}

describe('simulator', () => {
  it('is deterministic given the seed', () => {
    const o = { model: 'cas-register', processes: 4, ops: 50, keys: 3, crashRate: 0.1, seed: 7 };
    assert.deepEqual(simulate(o), simulate(o));
    assert.notDeepEqual(simulate(o), simulate({ ...o, seed: 8 }));
  });

  it('produces well-formed histories with every op completed, for every model', () => {
    for (const model of SIMULATED_MODELS) {
      for (let seed = 0; seed < 30; seed++) {
        const h = simulate({ model, processes: 1 + (seed % 5), ops: 40, keys: seed % 2 ? 3 : undefined, crashRate: 0.15, seed });
        assertWellFormed(h, `${model}/${seed}`);
        assert.equal(h.filter((e) => e.type === 'invoke').length, 40);
        assert.equal(h.filter((e) => e.type !== 'invoke').length, 40, 'the simulation drains: nothing left pending');
      }
    }
  });

  it('gives reads a null invocation value and an ok completion', () => {
    const h = simulate({ model: 'register', processes: 3, ops: 200, crashRate: 0, seed: 1 });
    const reads = h.filter((e) => e.f === 'read');
    assert.ok(reads.length > 0 && reads.filter((e) => e.type === 'invoke').every((e) => e.value === null));
    assert.ok(reads.filter((e) => e.type !== 'invoke').every((e) => e.type === 'ok'));
  });

  it('produces fails, crashes and fresh processes at the rates asked for', () => {
    const h = simulate({ model: 'cas-register', processes: 5, ops: 2000, crashRate: 0.1, seed: 3 });
    const count = (t: Op['type']) => h.filter((e) => e.type === t).length;
    assert.ok(count('info') > 120 && count('info') < 280, `info ${count('info')}`);
    assert.ok(count('fail') > 100, 'mismatched cas fail');
    // Each crash retires a process for a fresh one (unless the ops ran out before the fresh one issued).
    const processes = new Set(h.map((e) => e.process)).size;
    assert.ok(processes <= 5 + count('info') && processes > count('info'), `processes ${processes}`);
    assert.ok(simulate({ model: 'cas-register', processes: 5, ops: 500, crashRate: 0, seed: 3 }).every((e) => e.type !== 'info'));
  });

  it('mutations keep histories well-formed', () => {
    const rng = new Rng(11);
    const seen = new Set<string>();
    for (const model of SIMULATED_MODELS) {
      for (let seed = 0; seed < 60; seed++) {
        const h = simulate({ model, processes: 3, ops: 6, crashRate: 0.2, seed });
        const m = mutate(h, rng);
        seen.add(m.mutation);
        assertWellFormed(m.history, `${model}/${seed}/${m.mutation}`);
      }
    }
    assert.ok(seen.size >= 8, `mutations used: ${[...seen].join(' ')}`);
  });
});
