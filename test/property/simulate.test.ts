import assert from 'node:assert/strict';
import { ClientDiscipline } from '../../checkers/history/client-discipline.js';
import type { Op } from '../../checkers/history/op.js';
import { ops } from '../support/dsl.js';
import { mutate } from '../support/mutate.js';
import { Rng } from '../../harness/rng.js';
import { SIMULATED_MODELS, simulate } from '../support/simulate.js';

/**
 * The shape every history must have, whatever the simulator or a mutation did to it: dense indices, increasing
 * times, and Jepsen's client rules as the checkers and the recorder enforce them (ClientDiscipline), so that what
 * the property tests feed the checkers is what a real run could record.
 */
function assertWellFormed(h: Op[], what: string): void {
  const rules = new ClientDiscipline();
  h.forEach((e, i) => {
    assert.equal(e.index, i, `${what}: index = position`);
    if (i > 0) assert.ok(e.time > h[i - 1].time, `${what}: times increase at ${i}`);
    const v = rules.admit(e, i);
    assert.ok(typeof v === 'number', `${what}: op ${i} breaks the client rule ${typeof v === 'number' ? '' : v.rule}`);
  });
}

describe('simulator', () => {
  it('is held to the client rules: a history that breaks one is refused', () => {
    const broken: [string, Op[]][] = [
      ['double-invoke', ops`0 invoke write 1\n0 invoke read nil`],
      ['not-running', ops`0 ok write 1`],
      ['f-mismatch', ops`0 invoke write 1\n0 ok read 1`],
      ['key-mismatch', ops`0 invoke read nil @x\n0 ok read 1 @y`],
      ['retired', ops`0 invoke write 1\n0 info write 1\n0 invoke read nil`],
    ];
    for (const [rule, h] of broken) {
      assert.throws(() => assertWellFormed(h, rule), (e: unknown) => new RegExp(`breaks the client rule ${rule}$`).test((e as Error).message), rule);
    }
    assert.doesNotThrow(() => assertWellFormed(ops`0 invoke write 1\n0 info write 1\n1 invoke read nil\n1 ok read 1`, 'ok'));
  });

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
