import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../../../harness/builtins.js';
import { parseDefinition } from '../../../harness/config/index.js';
import { runTest, type RunOutcome } from '../../../harness/run.js';
import { EXPOSING_NEMESES, GENERIC_NEMESIS } from '../../../targets/paxos-kv/nemeses.js';
import { untilCaught } from '../../support/detect.js';

const store = mkdtempSync(join(tmpdir(), 'faultline-paxos-'));

function run(fields: Record<string, unknown>): Promise<RunOutcome> {
  return runTest(parseDefinition({ target: 'paxos-kv', workload: 'register', store, ...fields }, builtinRegistry().definitions()));
}

/** Ops acknowledged (ok) by the cluster: a run in which nothing got done proves nothing. */
const oks = (r: RunOutcome) => r.history.filter((o) => o.type === 'ok' && o.process !== 'nemesis').length;

// One seeded run per claim; the rates over 20 seeds are bench/detect-paxos.ts's (BENCHMARKS.md).
describe('paxos-kv (simulation): faultline run', function () {
  this.timeout(600_000);

  for (const faults of ['partition', 'kill', 'pause']) {
    it(`correct, --nemesis ${faults}: linearizable`, async () => {
      const r = await run({ seed: 1, nemesis: { faults, interval: 5 }, timeLimit: 10 });
      assert.equal(r.valid, true);
      assert.ok(oks(r) > 500, `${oks(r)} ops ok`);
    });
  }

  it(`correct, --nemesis ${GENERIC_NEMESIS.faults} for ${GENERIC_NEMESIS.timeLimit} s: linearizable`, async () => {
    const r = await run({ seed: 2, nemesis: { faults: GENERIC_NEMESIS.faults, interval: GENERIC_NEMESIS.interval }, timeLimit: GENERIC_NEMESIS.timeLimit });
    assert.equal(r.valid, true);
  });

  for (const [bug, { faults, interval, timeLimit }] of Object.entries(EXPOSING_NEMESES)) {
    it(`correct under ${bug}'s nemesis (${faults}): linearizable`, async () => {
      const r = await run({ seed: 3, nemesis: { faults, interval }, timeLimit });
      assert.equal(r.valid, true);
      assert.ok(oks(r) > 100, `${oks(r)} ops ok`);
    });

    it(`${bug}: found under ${faults} (seeds until found, within ${2 * timeLimit} s of test time)`, async () => {
      const found = await untilCaught((seed, t) => run({ seed, bug, nemesis: { faults, interval }, timeLimit: t }), { perRun: timeLimit, budget: 2 * timeLimit });
      assert.equal(found.valid, false);
      assert.ok(found.check.checker === 'linearizable' && found.check.partitions.some((p) => p.anomaly !== undefined), 'the verdict carries its evidence');
    });
  }
});
