import assert from 'node:assert/strict';
import { checkSync } from '../../../checkers/linearizability/index.js';
import { randomHistory, type RandomRun } from './helpers.js';

const SEEDS = Array.from({ length: 10 }, (_, i) => i + 1);

function verdicts(run: Omit<RandomRun, 'seed'>): Promise<(boolean | 'unknown')[]> {
  return Promise.all(SEEDS.map(async (seed) => checkSync(await randomHistory({ ...run, seed }), 'cas-register').valid));
}

describe('primary-backup under random faults, checked for linearizability (cas-register per key)', () => {
  it('the correct mode is linearizable under partitions, kills and pauses of any node', async () => {
    assert.deepEqual(await verdicts({ durationMs: 3000, faults: ['partition', 'kill', 'pause'] }), SEEDS.map(() => true));
  });

  it('async-replication is caught (stale reads) for every seed', async () => {
    assert.deepEqual(await verdicts({ bug: 'async-replication', durationMs: 3000, faults: ['partition', 'kill'] }), SEEDS.map(() => false));
  });

  it('lost-failover is caught (lost writes) for every seed', async () => {
    assert.deepEqual(await verdicts({ bug: 'lost-failover', durationMs: 3000, faults: ['partition', 'kill'] }), SEEDS.map(() => false));
  });

  it('the same seed gives the same history', async () => {
    const run = { bug: 'lost-failover', seed: 7, durationMs: 1000, faults: ['partition', 'kill', 'pause'] } as const;
    assert.deepEqual(await randomHistory(run), await randomHistory(run));
  });
});
