import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readHistoryFile } from '../../checkers/formats/index.js';
import { nemesisPairs } from '../../checkers/history/nemesis-pairs.js';
import { checkSync } from '../../checkers/linearizability/index.js';
import { Keyword } from '../../checkers/values/types.js';
import { nemesisIntervals } from '../../harness/store/nemesis-intervals.js';
import { runStats } from '../../harness/store/stats.js';
import { FIXTURES } from './helpers.js';

const S = 1e9;

/**
 * A Jepsen history.edn whose nemesis writes each action twice, as Jepsen's does: `{:f :start-partition, :value nil}`
 * as it begins, the same f with what was done (`[:isolated {…}]`) once the partition is in force 0.3 s later, and
 * likewise `:stop-partition` (nil, then `:network-healed`).
 */
describe('formats: Jepsen nemesis pairs (begin, then completion)', () => {
  const read = () => readHistoryFile(join(FIXTURES, 'jepsen-nemesis-pairs.edn'));

  it('keeps both ops of each pair, in order, as non-client info ops', async () => {
    const h = await read();
    const nemesis = h.ops.filter((o) => o.process === 'nemesis');
    assert.deepEqual(
      nemesis.map((o) => [o.index, o.type, o.f, o.value === null ? null : 'value']),
      [
        [2, 'info', 'start-partition', null],
        [4, 'info', 'start-partition', 'value'],
        [8, 'info', 'stop-partition', null],
        [9, 'info', 'stop-partition', 'value'],
      ],
    );
    assert.deepEqual(nemesis[3].value, new Keyword('network-healed'));
  });

  it('pairs them as jepsen.history does: on the nemesis process, each begin with the next op', async () => {
    const pairs = nemesisPairs((await read()).ops);
    assert.deepEqual(
      pairs.map((p) => [p.begin.index, p.complete?.index]),
      [
        [2, 4],
        [8, 9],
      ],
    );
    // A history that ends mid-action leaves the begin unpaired.
    const cut = nemesisPairs((await read()).ops.slice(0, 3));
    assert.deepEqual(cut.map((p) => [p.begin.index, p.complete]), [[2, undefined]]);
  });

  it("the fault's interval runs from the begin of its start to the completion of its stop, the value from the completion", async () => {
    const [interval, ...rest] = nemesisIntervals((await read()).ops);
    assert.deepEqual(rest, []);
    assert.equal(interval.fault, 'partition');
    assert.equal(interval.start, 2 * S, 'from the begin, not the completion at 2.3 s');
    assert.equal(interval.stop, 4.2 * S, "to the heal's completion");
    assert.equal((interval.value as unknown[])[0] instanceof Keyword, true, '[:isolated {…}]');
  });

  it('availability during faults counts the read invoked between the begin and the completion as faulty', async () => {
    const a = runStats((await read()).ops).availability;
    // Faulty: the read at 2.1 s (timed out) and the write at 3.2 s; quiet: the first write and the last read.
    assert.deepEqual(a.faulty, { ops: 2, ok: 1, fraction: 0.5 });
    assert.deepEqual(a.quiet, { ops: 2, ok: 2, fraction: 1 });
  });

  it('the checkers skip the pairs: the history is linearizable as a register', async () => {
    const h = await read();
    const r = checkSync(h, 'register');
    assert.equal(r.valid, true);
    assert.deepEqual(checkSync({ ...h, ops: h.ops.filter((o) => o.process !== 'nemesis') }, 'register').valid, true);
  });
});
