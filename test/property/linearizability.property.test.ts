import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Op } from '../../checkers/history/op.js';
import { checkSync } from '../../checkers/linearizability/check.js';
import type { Validity } from '../../checkers/linearizability/result.js';
import { modelFor } from '../../checkers/models/index.js';
import { ops } from '../support/dsl.js';
import { mutate } from '../support/mutate.js';
import { bruteForceHistory } from '../support/oracle.js';
import { Rng } from '../../harness/rng.js';
import { shrinkHistory } from '../support/shrink.js';
import { SIMULATED_MODELS, simulate, type SimOptions } from '../support/simulate.js';

/**
 * The checker against two independent sources of truth: histories of real atomic objects (linearizable by
 * construction) and, on small histories, the brute-force oracle (which decides mutated histories too).
 *
 * fast-check draws the simulator's parameters and seed; its own seed is fixed so CI is reproducible. Set
 * FAULTLINE_FC_SEED to explore other seeds, FAULTLINE_FC_RUNS to scale the number of runs.
 */
const FC_SEED = Number(process.env.FAULTLINE_FC_SEED ?? 20240601);
/** FAULTLINE_FC_RUNS=20 runs twenty times as many cases (a bug hunt rather than CI). */
const SCALE = Number(process.env.FAULTLINE_FC_RUNS ?? 1);
const runsFor = (model: string) => Math.ceil(SCALE * (model === 'cas-register' ? 3000 : 1000));
/**
 * Ops in the "larger" histories. Queues are the exception, their search being exponential by nature. Fifo: every
 * order of concurrent (or crashed, so unboundedly concurrent) enqueues whose elements are never dequeued is a
 * distinct state; 24 ops with three crashes already take the checker (and the oracle) over 10 s. Unordered: each
 * crashed dequeue may have removed any element, and 37 sequential ops with 11 crashes take the checker over 10 s.
 */
const largeOps = (model: string) => (model === 'fifo-queue' || model === 'unordered-queue' ? 20 : 80);

function simArb(model: string, maxOps: number, maxKeys: number) {
  return fc.record({
    seed: fc.integer(),
    processes: fc.integer({ min: 1, max: 5 }),
    ops: fc.integer({ min: 1, max: maxOps }),
    keys: fc.option(fc.integer({ min: 1, max: maxKeys }), { nil: undefined }),
    crashRate: fc.constantFrom(0, 0.1, 0.3),
    // Short latencies relative to think time make ops mostly sequential; long ones make them overlap.
    maxLatency: fc.constantFrom(10, 1000),
  }).map((r): SimOptions => ({ model, ...r }));
}

/** A time limit so that a pathological case fails as 'unknown' rather than hanging the suite. */
const checker = (h: Op[], model: string): Validity => checkSync(h, model, { workers: 0, timeLimitMs: 10_000 }).valid;

/** The checker and the oracle disagree: the one thing a shrunk history must preserve. */
function disagree(h: Op[], model: string): string | null {
  const oracle = bruteForceHistory(h, modelFor(model));
  const verdict = checker(h, model);
  return verdict === oracle ? null : `oracle=${oracle} checker=${verdict}`;
}

/**
 * Runs a property over simulator parameters; on failure, fails with the parameters, the history and (when small
 * enough for the oracle) a minimal history on which checker and oracle still disagree. Shrinking must preserve a
 * disagreement, not just "the checker says invalid": dropping ops from a valid history can make it truly invalid.
 */
function assertProperty<T>(model: string, arb: fc.Arbitrary<T>, numRuns: number, toHistory: (x: T) => Op[], bad: (h: Op[]) => string | null): void {
  const out = fc.check(fc.property(arb, (x) => bad(toHistory(x)) === null), { numRuns, seed: FC_SEED });
  if (!out.failed) return;
  if (!out.counterexample) throw out.errorInstance ?? new Error('property failed');
  const h = toHistory(out.counterexample[0]);
  const lines = [`${bad(h)} (fast-check seed ${out.seed}, path ${out.counterexamplePath})`, `parameters: ${JSON.stringify(out.counterexample[0])}`];
  if (h.length <= 40 && disagree(h, model)) {
    const small = shrinkHistory(h, (c) => {
      try {
        return disagree(c, model) !== null;
      } catch {
        return false; // the checker refused a shrunk history as ill-formed: not a smaller counterexample
      }
    });
    lines.push(`minimal disagreement: ${disagree(small, model)}`, JSON.stringify(small));
  }
  lines.push(`history (${h.length} events): ${JSON.stringify(h)}`);
  assert.fail(lines.join('\n'));
}

describe('linearizability properties', function () {
  this.timeout(120_000);

  // Found by property (a): the crashed dequeue took the 1, so the later dequeue found the queue empty.
  it('a crashed unordered-queue dequeue may have emptied the queue (oracle and checker agree)', () => {
    const h = ops`0 invoke enqueue 1\n 0 ok enqueue 1\n 1 invoke dequeue\n 1 info dequeue\n 0 invoke dequeue\n 0 ok dequeue nil`;
    assert.equal(bruteForceHistory(h, modelFor('unordered-queue')), true);
    assert.equal(checker(h, 'unordered-queue'), true);
  });

  for (const model of SIMULATED_MODELS) {
    describe(model, () => {
      const m = modelFor(model);

      it('(a) small simulated histories: the oracle and the checker both say linearizable', () => {
        assertProperty(model, simArb(model, 9, 2), runsFor(model), simulate, (h) => {
          const oracle = bruteForceHistory(h, m);
          const verdict = checker(h, model);
          return oracle === true && verdict === true ? null : `simulated history judged oracle=${oracle} checker=${verdict}`;
        });
      });

      it('(a) larger simulated histories: the checker says linearizable', () => {
        assertProperty(model, simArb(model, largeOps(model), 3), Math.ceil(runsFor(model) / 3), simulate, (h) => {
          const verdict = checker(h, model);
          return verdict === true ? null : `simulated history judged checker=${verdict}`;
        });
      });

      it('(b) mutated histories of ≤ 9 ops: the checker agrees with the oracle', () => {
        let invalid = 0;
        const arb = fc.tuple(simArb(model, 9, 2), fc.integer());
        const toHistory = ([o, s]: [SimOptions, number]) => mutate(simulate(o), new Rng(s)).history;
        assertProperty(model, arb, runsFor(model), toHistory, (h) => {
          const oracle = bruteForceHistory(h, m);
          const verdict = checker(h, model);
          if (oracle === false) invalid++;
          return verdict === oracle ? null : `oracle=${oracle} checker=${verdict}`;
        });
        // Not vacuous: enough of the mutations really break linearizability.
        assert.ok(invalid >= runsFor(model) / 10, `only ${invalid} of ${runsFor(model)} mutated histories were invalid`);
      });
    });
  }
});
