import { completeGrudge } from '../../../harness/nemesis/grudge.js';
import assert from 'node:assert/strict';
import { REPLICATION_TIMEOUT_MS } from '../../../targets/primary-backup/node.js';
import { simCluster } from './helpers.js';

describe('primary-backup (correct mode)', () => {
  it('a write then a read through a client return the written value; cas checks the current value', async () => {
    const { cluster, invoke } = await simCluster();
    const c = cluster.client(0);
    assert.deepEqual(await invoke(c, { f: 'read', key: 'x', value: null }), { type: 'ok', value: null });
    assert.deepEqual(await invoke(c, { f: 'write', key: 'x', value: 3 }), { type: 'ok', value: 3 });
    assert.deepEqual(await invoke(c, { f: 'read', key: 'x', value: null }), { type: 'ok', value: 3 });
    assert.deepEqual(await invoke(c, { f: 'cas', key: 'x', value: [3, 4] }), { type: 'ok', value: [3, 4] });
    const mismatch = await invoke(c, { f: 'cas', key: 'x', value: [3, 1] });
    assert.equal(mismatch.type, 'fail');
    assert.deepEqual(await invoke(c, { f: 'read', key: 'x', value: null }), { type: 'ok', value: 4 });
  });

  it('replicates an acknowledged write to every replica before acknowledging it', async () => {
    const { cluster, invoke, valueAt } = await simCluster();
    assert.equal((await invoke(cluster.client(0), { f: 'write', key: 1, value: 2 })).type, 'ok');
    assert.deepEqual(['n1', 'n2', 'n3'].map((n) => valueAt(n, 1)), [2, 2, 2]);
  });

  it('waits for a silent replica only until its replication time-out', async () => {
    const { runtime, cluster, invoke } = await simCluster();
    const c = cluster.client(0);
    cluster.faults.pause('n3');
    const t0 = runtime.now();
    assert.deepEqual(await invoke(c, { f: 'write', key: 'x', value: 5 }), { type: 'ok', value: 5 });
    assert.ok(runtime.now() - t0 >= REPLICATION_TIMEOUT_MS, 'it waited for n3');
    // n3 is no longer live: the next write does not wait for it.
    const t1 = runtime.now();
    assert.equal((await invoke(c, { f: 'write', key: 'x', value: 6 })).type, 'ok');
    assert.ok(runtime.now() - t1 <= 20, `took ${runtime.now() - t1} ms`);
  });

  it('an acknowledged write survives a kill and restart of the primary', async () => {
    const { cluster, invoke, sleep } = await simCluster();
    assert.equal((await invoke(cluster.client(0), { f: 'write', key: 'x', value: 1 })).type, 'ok');
    cluster.faults.kill('n1');
    const during = await invoke(cluster.client(1), { f: 'read', key: 'x', value: null });
    assert.deepEqual(during, { type: 'info', error: 'timeout' }, 'nobody else serves while the primary is down');
    await sleep(30);
    cluster.faults.restart('n1');
    assert.deepEqual(await invoke(cluster.client(2), { f: 'read', key: 'x', value: null }), { type: 'ok', value: 1 });
  });

  it('a write during a partition that isolates a replica succeeds; the replica catches up after the heal', async () => {
    const { cluster, invoke, sleep, valueAt } = await simCluster();
    const c = cluster.client(0);
    assert.equal((await invoke(c, { f: 'write', key: 'x', value: 1 })).type, 'ok');
    cluster.faults.partition(completeGrudge([['n3'], ['n1', 'n2']]));
    assert.deepEqual(await invoke(c, { f: 'write', key: 'x', value: 2 }), { type: 'ok', value: 2 });
    assert.deepEqual(await invoke(c, { f: 'cas', key: 'x', value: [2, 3] }), { type: 'ok', value: [2, 3] });
    assert.equal(valueAt('n3', 'x'), 1, 'the isolated replica missed both');
    cluster.faults.heal();
    assert.deepEqual(await invoke(c, { f: 'read', key: 'x', value: null }), { type: 'ok', value: 3 });
    await sleep(50);
    assert.equal(valueAt('n3', 'x'), 3, 'a state transfer after its next heartbeat');
    // Live again: the next write waits for it and reaches it.
    assert.equal((await invoke(c, { f: 'write', key: 'x', value: 4 })).type, 'ok');
    assert.deepEqual(['n1', 'n2', 'n3'].map((n) => valueAt(n, 'x')), [4, 4, 4]);
  });

  it('a restarted replica catches up with what it missed while down', async () => {
    const { cluster, invoke, sleep, valueAt } = await simCluster();
    const c = cluster.client(0);
    cluster.faults.kill('n2');
    assert.equal((await invoke(c, { f: 'write', key: 'y', value: 1 })).type, 'ok');
    cluster.faults.restart('n2');
    assert.equal(valueAt('n2', 'y'), null);
    await sleep(50);
    assert.equal(valueAt('n2', 'y'), 1);
  });

  it("requests to a replica fail with 'not primary' and name the primary; the client follows the hint", async () => {
    const { cluster, request, invoke } = await simCluster();
    for (const node of ['n2', 'n3']) {
      assert.deepEqual(await request(node, { f: 'write', key: 'x', value: 1 }), { rid: 0, type: 'fail', value: 1, error: 'not primary', primary: 'n1' });
      assert.equal((await request(node, { f: 'read', key: 'x', value: null }))?.error, 'not primary');
    }
    assert.deepEqual(await invoke(cluster.client(0), { f: 'read', key: 'x', value: null }), { type: 'ok', value: null }, 'the write did not happen');
  });

  it('primaries() reports n1, and nobody while it is down (no failover)', async () => {
    const { cluster, sleep } = await simCluster();
    assert.deepEqual(cluster.primaries!(), ['n1']);
    cluster.faults.kill('n1');
    await sleep(300);
    assert.deepEqual(cluster.primaries!(), []);
    cluster.faults.restart('n1');
    assert.deepEqual(cluster.primaries!(), ['n1']);
  });

  it('a paused primary answers nothing; after the resume it serves again with nothing lost', async () => {
    const { cluster, invoke } = await simCluster();
    assert.equal((await invoke(cluster.client(0), { f: 'write', key: 'x', value: 1 })).type, 'ok');
    cluster.faults.pause('n1');
    assert.equal((await invoke(cluster.client(1), { f: 'write', key: 'x', value: 2 })).type, 'info');
    cluster.faults.resume('n1');
    // The paused write was applied at the resume (its client had given up: info, it may have happened).
    assert.deepEqual(await invoke(cluster.client(2), { f: 'read', key: 'x', value: null }), { type: 'ok', value: 2 });
  });
});
