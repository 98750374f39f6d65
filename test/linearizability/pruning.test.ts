import assert from 'node:assert/strict';
import { complete } from '../../checkers/history/complete.js';
import { expandCrashed } from '../../checkers/linearizability/alternatives.js';
import { partition } from '../../checkers/linearizability/prepare.js';
import { search } from '../../checkers/linearizability/wgl.js';
import { modelFor } from '../../checkers/models/index.js';
import type { Model } from '../../checkers/models/model.js';
import { Rng } from '../../harness/rng.js';
import { ops } from '../support/dsl.js';
import { mutate } from '../support/mutate.js';
import { simulate } from '../support/simulate.js';

/*
 * Model.stillReadable lets the search drop a state as soon as a read it must still linearize could never succeed
 * from it. Dropping must change no verdict. The oracle tests compare verdicts on histories of up to 9 ops; here the
 * search with the pruning is compared with the same search without it, on histories large enough to have many
 * reads ahead, several blind writes (puts) among them, and crashed appends and puts.
 */
describe('linearizability: dropping states no read can follow (kv) changes no verdict', () => {
  const kv = modelFor('kv') as Model<unknown>;
  const plain: Model<unknown> = { ...kv, stillReadable: undefined };

  function bothWays(h: ReturnType<typeof ops>) {
    const out = { pruned: [] as (true | false | 'unknown')[], plain: [] as (true | false | 'unknown')[], exploredPruned: 0, exploredPlain: 0, evidence: 0 };
    for (const p of partition(complete({ ops: h }).operations, kv)) {
      const { ops: expanded, group } = expandCrashed(p.ops, kv);
      const a = search(expanded, kv, { maxExplored: 300_000 }, group);
      const b = search(expanded, plain, { maxExplored: 300_000 }, group);
      out.pruned.push(a.valid);
      out.plain.push(b.valid);
      out.exploredPruned += a.explored;
      out.exploredPlain += b.explored;
      if (a.valid === false && a.failed !== undefined && a.candidates.length > 0) out.evidence++;
    }
    return out;
  }

  it('on 600 simulated and mutated histories of 40–60 ops, with crashes', () => {
    let invalid = 0;
    let explored = 0;
    let exploredPlain = 0;
    let undecidedPlain = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const rng = new Rng(seed);
      const sim = simulate({ model: 'kv', processes: 2 + (seed % 5), ops: 40 + (seed % 21), keys: 1 + (seed % 2), crashRate: [0, 0.1, 0.3][seed % 3], seed });
      const h = seed % 4 === 0 ? sim : mutate(sim, rng).history;
      const r = bothWays(h);
      // Where the plain search gives up (it explores far more), the pruned one is not compared: it may decide.
      const plain = r.plain.map((v, k) => (v === 'unknown' ? r.pruned[k] : v));
      assert.deepEqual(r.pruned, plain, `seed ${seed}: pruned ${JSON.stringify(r.pruned)}, plain ${JSON.stringify(r.plain)}`);
      undecidedPlain += r.plain.filter((v) => v === 'unknown').length;
      if (r.pruned.includes(false)) {
        invalid++;
        assert.ok(r.evidence > 0, `seed ${seed}: not linearizable, with evidence`);
      }
      explored += r.exploredPruned;
      exploredPlain += r.exploredPlain;
    }
    // Not vacuous: mutations break some histories, and the pruning did drop states.
    assert.ok(invalid >= 100, `only ${invalid} invalid`);
    assert.ok(undecidedPlain < 10, `the plain search gave up on ${undecidedPlain} keys: too few compared`);
    assert.ok(explored < exploredPlain, `explored ${explored} with pruning, ${exploredPlain} without`);
  });

  /** Hand-made cases: what the history is, its verdict, and (when not linearizable) that evidence comes with it. */
  const CASES: { name: string; history: string; valid: boolean }[] = [
    {
      // Once "ab" is held, p3's get of "xy" cannot follow by appends alone; but p1's put "x" is still to come and
      // may go first: put a, append b, put x, append y, get xy.
      name: 'a put that may come first keeps a state alive: the read may follow the put instead',
      history: `
        0 invoke put "a"
        0 ok put "a"
        0 invoke append "b"
        1 invoke put "x"
        2 invoke append "y"
        0 ok append "b"
        3 invoke get
        1 ok put "x"
        2 ok append "y"
        3 ok get "xy"`,
      valid: true,
    },
    {
      name: 'a crashed put counts as a put that may come first',
      history: `
        0 invoke put "a"
        0 ok put "a"
        1 invoke put "x"
        0 invoke append "b"
        0 ok append "b"
        2 invoke get
        2 ok get "x"
        1 info put "x"`,
      valid: true,
    },
    {
      name: 'without a put that may come first, a read that does not extend the state is found, with evidence',
      history: `
        0 invoke put "a"
        0 ok put "a"
        0 invoke append "b"
        0 ok append "b"
        1 invoke append "c"
        2 invoke get
        2 ok get "ac"
        1 ok append "c"`,
      valid: false,
    },
  ];

  for (const { name, history, valid } of CASES) {
    it(name, () => {
      const r = bothWays(ops(history));
      assert.deepEqual(r.pruned, [valid]);
      assert.equal(r.evidence, valid ? 0 : 1);
    });
  }
});
