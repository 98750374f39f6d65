import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nemesisPairs } from '../../../checkers/history/nemesis-pairs.js';
import type { Op } from '../../../checkers/history/op.js';
import { builtinRegistry } from '../../../harness/builtins.js';
import type { Grudge } from '../../../harness/nemesis/index.js';
import { parseDefinition } from '../../../harness/config/index.js';
import { runTest } from '../../../harness/run.js';
import { EXPOSING_NEMESES, GENERIC_NEMESIS, type NemesisRecipe } from '../../../targets/raft-kv/nemeses.js';

const store = mkdtempSync(join(tmpdir(), 'faultline-raft-'));
const seeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
/**
 * Tests keep a few deterministic seeds per claim; the rates over 20 seeds are bench/detect-bugs.ts's (BENCHMARKS.md).
 * The correct mode gets enough seeds for the nemesis to have drawn each shape of fault the test names.
 */
const GENERIC_SEEDS = 4;

/** The nemesis ops of the runs `verdicts` made, for checking what the faults were. */
let nemesisOps: Op[] = [];

async function verdicts(bug: string | undefined, n: NemesisRecipe, count: number) {
  const out: (true | false | 'unknown')[] = [];
  nemesisOps = [];
  for (const seed of seeds(count)) {
    const def = parseDefinition({ target: 'raft-kv', seed, store, timeLimit: n.timeLimit, nemesis: { faults: n.faults, interval: n.interval }, ...(bug ? { bug } : {}) }, builtinRegistry().definitions());
    assert.equal(def.nodes, 5, "raft-kv's own cluster size");
    const r = await runTest(def);
    nemesisOps.push(...nemesisPairs(r.history).flatMap((p) => p.complete ?? [])); // what each fault did
    if (r.valid === false) assert.ok(r.check.checker === 'linearizable' && r.check.partitions.some((p) => p.anomaly !== undefined), 'an invalid verdict carries its evidence');
    out.push(r.valid);
  }
  return out;
}

describe('run: raft-kv on the simulation (5 nodes)', function () {
  this.timeout(600_000);

  it(`the correct mode is valid under partitions, kills and pauses, 30 s, for ${GENERIC_SEEDS} seeds`, async () => {
    assert.deepEqual(await verdicts(undefined, GENERIC_NEMESIS, GENERIC_SEEDS), seeds(GENERIC_SEEDS).map(() => true));
    // The open targets varied: among the faults were a majorities ring, a bridge, every node killed at once, and
    // pauses of the leader for 2.5 s (ten election timeouts).
    const grudges = nemesisOps.filter((o) => o.f === 'start-partition').map((o) => o.value as Grudge);
    const isRing = (g: Grudge) => Object.keys(g).length === 5 && Object.values(g).every((from) => from.length === 2);
    const isBridge = (g: Grudge) => Object.keys(g).length === 4 && Object.values(g).every((from) => from.length === 2);
    assert.ok(grudges.some(isRing), 'a ring');
    assert.ok(grudges.some(isBridge), 'a bridge');
    assert.ok(nemesisOps.some((o) => o.f === 'start-kill' && (o.value as string[]).length === 5), 'all nodes killed at once');
    assert.ok(nemesisOps.some((o) => o.f === 'start-pause' && (o.value as string[]).length === 1), 'a pause of one node');
  });

  for (const [bug, nemesis] of Object.entries(EXPOSING_NEMESES)) {
    it(`${bug} is found with --nemesis ${nemesis.faults}, seed by seed (2 seeds)`, async () => {
      assert.deepEqual(await verdicts(bug, nemesis, 2), [false, false]);
    });

    it(`the correct mode stays valid under --nemesis ${nemesis.faults} (2 seeds)`, async () => {
      assert.deepEqual(await verdicts(undefined, nemesis, 2), [true, true]);
    });
  }

  it('reports availability outside and during faults', async () => {
    const def = parseDefinition({ target: 'raft-kv', seed: 2, store, timeLimit: 10, nemesis: 'partition:primary' }, builtinRegistry().definitions());
    const { stats } = await runTest(def);
    const { quiet, faulty } = stats.availability;
    assert.ok(quiet.ops > 0 && faulty.ops > 0);
    assert.equal(quiet.ops + faulty.ops, stats.ops.invoke);
    assert.ok(quiet.fraction! > 0.5, `quiet ${quiet.fraction}`);
  });
});
