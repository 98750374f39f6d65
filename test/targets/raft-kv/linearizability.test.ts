import assert from 'node:assert/strict';
import { checkSync } from '../../../checkers/linearizability/index.js';
import { randomHistory, type RandomRun } from './helpers.js';

const seeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
/** 10 clients, faults of 50–1000 ms (either side of the election timeout), 5 s of virtual time. */
const BASE = { durationMs: 5000, concurrency: 10, faultMs: { min: 50, max: 1000 } } as const;

async function verdicts(run: Omit<RandomRun, 'seed'>, n: number): Promise<(boolean | 'unknown')[]> {
  const out: (boolean | 'unknown')[] = [];
  for (const seed of seeds(n)) out.push(checkSync(await randomHistory({ ...run, seed }), 'cas-register').valid);
  return out;
}

describe('raft-kv under random faults, checked for linearizability (cas-register per key)', () => {
  it('the correct mode is linearizable under partitions, kills and pauses (5 seeds)', async () => {
    assert.deepEqual(await verdicts({ ...BASE, faults: ['partition', 'kill', 'pause'] }, 5), seeds(5).map(() => true));
  });

  it('the correct mode is linearizable with lossy links too (retries deduplicated; 5 seeds)', async () => {
    assert.deepEqual(await verdicts({ ...BASE, faults: ['partition', 'kill', 'pause', 'lose'] }, 5), seeds(5).map(() => true));
  });

  // Measured when written (seeds 1-10): stale-read caught in 7 of 10 with partitions, commit-without-majority in 9
  // of 10 (with partition, kill and pause: 6 of 10 each), no-dedup in 7 of 10 with lossy links (6 with partition,
  // kill and pause). forget-vote: 0 of 10 with any of these faults (it needs a targeted nemesis: a restart of a
  // voter during an election, see votes.test.ts). The assertions ask for at least half.
  it('stale-read is caught (stale reads at a deposed leader) in most seeds', async () => {
    const v = await verdicts({ ...BASE, bug: 'stale-read', faults: ['partition'] }, 10);
    assert.ok(v.filter((x) => x === false).length >= 5, JSON.stringify(v));
  });

  it('commit-without-majority is caught (lost acknowledged writes) in most seeds', async () => {
    const v = await verdicts({ ...BASE, bug: 'commit-without-majority', faults: ['partition'] }, 10);
    assert.ok(v.filter((x) => x === false).length >= 5, JSON.stringify(v));
  });

  it('no-dedup is caught (a retried write or cas applied twice) in most seeds', async () => {
    const v = await verdicts({ ...BASE, bug: 'no-dedup', faults: ['lose'] }, 10);
    assert.ok(v.filter((x) => x === false).length >= 5, JSON.stringify(v));
  });

  it('the same seed gives the same history', async () => {
    const run = { ...BASE, durationMs: 1000, bug: 'stale-read', seed: 7, faults: ['partition', 'kill', 'pause'] } as const;
    assert.deepEqual(await randomHistory(run), await randomHistory(run));
  });
});
