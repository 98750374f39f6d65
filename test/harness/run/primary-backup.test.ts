import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDefinition } from '../../../harness/config/index.js';
import { runTest } from '../../../harness/run.js';

const store = mkdtempSync(join(tmpdir(), 'faultline-pb-'));
/** Two deterministic seeds per claim; the rates over 20 seeds are bench/detect-bugs.ts's (BENCHMARKS.md). */
const SEEDS = [1, 2];

async function verdicts(bug: string | undefined, faults: string[]) {
  const out: (true | false | 'unknown')[] = [];
  for (const seed of SEEDS) {
    const def = parseDefinition({ target: 'primary-backup', workload: 'register', seed, store, timeLimit: 30, nemesis: { faults, interval: 5 }, ...(bug ? { bug } : {}) });
    out.push((await runTest(def)).valid);
  }
  return out;
}

describe('run: primary-backup on the simulation', function () {
  this.timeout(300_000);

  it('the correct mode is valid under partitions and kills for every seed', async () => {
    const v = await verdicts(undefined, ['partition', 'kill']);
    assert.deepEqual(v, SEEDS.map(() => true));
  });

  it('async-replication: stale reads are found, seed by seed', async () => {
    assert.deepEqual(await verdicts('async-replication', ['partition', 'kill']), SEEDS.map(() => false));
  });

  it('lost-failover: lost acknowledged writes are found, seed by seed', async () => {
    assert.deepEqual(await verdicts('lost-failover', ['partition', 'kill']), SEEDS.map(() => false));
  });

  it('the same seed reproduces the same history with a bug too', async () => {
    const def = parseDefinition({ target: 'primary-backup', workload: 'register', seed: 11, store, timeLimit: 10, bug: 'lost-failover', nemesis: { faults: ['partition', 'kill'], interval: 2 } });
    const a = await runTest(def);
    const b = await runTest(def);
    assert.deepEqual(b.history, a.history);
    assert.equal(b.valid, a.valid);
  });
});
