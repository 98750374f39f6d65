import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LockResult, Overlap } from '../../checkers/lock/result.js';
import { runTest } from '../../harness/api.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import type { RunOutcome } from '../../harness/run.js';
import { runResources } from '../support/docker.js';

const store = mkdtempSync(join(tmpdir(), 'faultline-docker-redis-lock-'));

/** One seeded 10 s run of the lock workload on redis-lock, in process, on real containers; it leaves nothing behind. */
async function run(fields: Record<string, unknown>): Promise<RunOutcome & { lock: LockResult }> {
  const def = parseDefinition(
    { runtime: 'docker', store, seed: 1, target: 'redis-lock', workload: 'lock', timeLimit: 10, ...fields },
    builtinRegistry().definitions(),
  );
  const outcome = await runTest(def);
  assert.deepEqual(await runResources(process.pid), { containers: [], networks: [] }, 'the run removed its containers and network');
  assert.equal(outcome.check.checker, 'lock', 'judged by the lock checker');
  return { ...outcome, lock: outcome.check as LockResult };
}

/** What a run found, for the assertion messages. */
const summary = (r: { lock: LockResult }) =>
  `valid ${String(r.lock.valid)}, ${r.lock.keys.map((k) => `${k.okWrites} ok writes, ${k.acquired} holds, final ${String(k.final)}`).join('; ')}, ` +
  `${r.lock.lostUpdates.length} lost updates, ${r.lock.overwritten.length} overwritten, ${r.lock.overlaps.length} overlaps`;

describe('docker: redis-lock (a lock on Redis guarding a counter in PostgreSQL)', function () {
  this.timeout(300_000);

  it('per-second-key, the seeds\' lock, loses increments with no fault at all: two clients in different seconds hold different keys', async () => {
    const r = await run({ bug: 'per-second-key', nemesis: 'none' });
    assert.equal(r.valid, false, summary(r));
    assert.ok(r.lock.lostUpdates.length + r.lock.overwritten.length > 0, summary(r));
    assert.equal(r.lock.fencing, 'none');
    const o = r.lock.overlaps[0];
    assert.ok(o && o.first.redisKey !== o.second.redisKey, `the overlapping holders locked different keys: ${JSON.stringify(o?.first.redisKey)} ${JSON.stringify(o?.second.redisKey)}`);
  });

  it('no-token: a paused holder whose lease expired deletes the next holder\'s lock, and increments are lost', async () => {
    const r = await run({ bug: 'no-token', nemesis: 'pause-client' });
    assert.equal(r.valid, false, summary(r));
    assert.equal(r.lock.mutualExclusion, false, summary(r));
  });

  it('no-fencing: a paused holder writes back a stale value after its lease expired', async () => {
    const r = await run({ bug: 'no-fencing', nemesis: 'pause-client', seed: 3 });
    assert.equal(r.valid, false, summary(r));
    assert.equal(r.lock.fencing, 'none');
  });

  it('correct: fencing keeps the resource safe under client pauses, while mutual exclusion as the clients saw it was violated', async () => {
    const r = await run({ nemesis: 'pause-client' });
    assert.equal(r.valid, true, summary(r));
    assert.equal(r.lock.fencing, 'all');
    assert.equal(r.lock.mutualExclusion, false, `a paused holder outlived its lease while another acquired: ${summary(r)}`);
    assert.ok(r.lock.keys[0].okWrites > 20, summary(r));
  });

  // Not met yet: in 4 seeds (1-4, 10 s each) kill:primary never left two holders granted by different nodes. The
  // lock key reaches the replicas within the same event-loop turn as the SET's reply, and a killed primary restarts
  // after the failover with no client left on it; see the branch's report.
  it.skip('replicated: a failover of the Redis primary loses the lock, two holders granted by different nodes (within 40 s of runs)', async () => {
    const seen: string[] = [];
    const apart = (o: Overlap) => o.first.nodes.join() !== o.second.nodes.join();
    for (let seed = 1, spent = 0; spent < 40; seed++, spent += 10) {
      const r = await run({ bug: 'no-fencing', nemesis: 'kill:primary', options: { replicated: true }, seed });
      const o = r.lock.overlaps.find(apart);
      if (o) {
        assert.equal(r.lock.mutualExclusion, false);
        return;
      }
      seen.push(`seed ${seed}: ${summary(r)}; granted by ${[...new Set(r.lock.overlaps.flatMap((x) => [x.first.nodes.join(), x.second.nodes.join()]))].join(' ')}`);
    }
    assert.fail(`no two holders granted by different nodes:\n${seen.join('\n')}`);
  });
});
