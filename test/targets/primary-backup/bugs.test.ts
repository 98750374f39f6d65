import { completeGrudge } from '../../../harness/nemesis/grudge.js';
import assert from 'node:assert/strict';
import { simCluster } from './helpers.js';

describe('primary-backup --bug async-replication', () => {
  it('acknowledges a write a partitioned replica never saw, and that replica serves a stale read', async () => {
    const { cluster, invoke, sleep } = await simCluster('async-replication');
    const c = cluster.client(0);
    assert.equal((await invoke(c, { f: 'write', key: 'x', value: 1 })).type, 'ok');
    await sleep(20);
    cluster.faults.partition(completeGrudge([['n3'], ['n1', 'n2']]));
    assert.deepEqual(await invoke(c, { f: 'write', key: 'x', value: 2 }), { type: 'ok', value: 2 });
    await sleep(20);
    // Reads go to n1, n2, n3 in turn for process 0: the last one is stale, after the write was acknowledged.
    const reads = [];
    for (let i = 0; i < 3; i++) reads.push(await invoke(c, { f: 'read', key: 'x', value: null }));
    assert.deepEqual(reads, [
      { type: 'ok', value: 2 },
      { type: 'ok', value: 2 },
      { type: 'ok', value: 1 },
    ]);
  });

  it('acknowledges a write before any replica has it, and replicates it in the background', async () => {
    const { runtime, cluster, invoke, sleep, valueAt } = await simCluster('async-replication');
    cluster.faults.pause('n2');
    cluster.faults.pause('n3');
    const t0 = runtime.now();
    assert.deepEqual(await invoke(cluster.client(0), { f: 'write', key: 'x', value: 5 }), { type: 'ok', value: 5 });
    assert.ok(runtime.now() - t0 <= 10, 'one round trip to the primary, no waiting for replicas');
    assert.deepEqual([valueAt('n2', 'x'), valueAt('n3', 'x')], [null, null]);
    cluster.faults.resume('n2');
    cluster.faults.resume('n3');
    await sleep(20);
    assert.deepEqual([valueAt('n2', 'x'), valueAt('n3', 'x')], [5, 5]);
    assert.deepEqual(cluster.primaries!(), ['n1']);
  });
});

describe('primary-backup --bug lost-failover', () => {
  it('loses an acknowledged write when a replica that missed it is promoted', async () => {
    const { cluster, invoke, sleep, valueAt } = await simCluster('lost-failover');
    const c = cluster.client(0); // starts at n1
    assert.equal((await invoke(c, { f: 'write', key: 'x', value: 1 })).type, 'ok');
    assert.deepEqual(cluster.primaries!(), ['n1']);
    // Isolate n2: n1 stops waiting for it after its replication time-out and acknowledges with n3 alone.
    cluster.faults.partition(completeGrudge([['n2'], ['n1', 'n3']]));
    assert.deepEqual(await invoke(c, { f: 'write', key: 'x', value: 2 }), { type: 'ok', value: 2 });
    assert.equal(valueAt('n3', 'x'), 2);
    // The primary dies before n2 hears from it again; n2 is first in line and takes over with what it has.
    cluster.faults.kill('n1');
    cluster.faults.heal();
    await sleep(150);
    assert.deepEqual(cluster.primaries!(), ['n2']);
    assert.equal(valueAt('n3', 'x'), 1, "n3 took n2's state: the write is gone everywhere");
    // A fresh client (process 2 starts at n3) is sent on to n2 and reads the value from before the lost write.
    assert.deepEqual(await invoke(cluster.client(2), { f: 'read', key: 'x', value: null }), { type: 'ok', value: 1 });
  });

  it('an old primary that comes back serves until it hears of the new one (split brain), then follows it', async () => {
    const { cluster, invoke, sleep, request } = await simCluster('lost-failover');
    assert.equal((await invoke(cluster.client(0), { f: 'write', key: 'x', value: 1 })).type, 'ok');
    cluster.faults.kill('n1');
    await sleep(150);
    assert.deepEqual(cluster.primaries!(), ['n2']);
    assert.equal((await invoke(cluster.client(1), { f: 'write', key: 'x', value: 2 })).type, 'ok');
    // n1 restarts cut off from the others: it still believes it is primary, and serves its old state.
    cluster.faults.partition(completeGrudge([['n1'], ['n2', 'n3']]));
    cluster.faults.restart('n1');
    assert.deepEqual(cluster.primaries!().sort(), ['n1', 'n2']);
    assert.deepEqual(await request('n1', { f: 'read', key: 'x', value: null }), { rid: 0, type: 'ok', value: 1 });
    cluster.faults.heal();
    await sleep(50);
    assert.deepEqual(cluster.primaries!(), ['n2']);
    assert.deepEqual(await request('n1', { f: 'read', key: 'x', value: null }), { rid: 0, type: 'fail', value: null, error: 'not primary', primary: 'n2' });
  });

  it('without faults it behaves like the correct mode', async () => {
    const { cluster, invoke } = await simCluster('lost-failover');
    for (const p of [0, 1, 2]) {
      const c = cluster.client(p); // each starts at a different node and is sent on to n1
      assert.equal((await invoke(c, { f: 'write', key: p, value: p + 1 })).type, 'ok');
      assert.deepEqual(await invoke(c, { f: 'read', key: p, value: null }), { type: 'ok', value: p + 1 });
    }
    assert.deepEqual(cluster.primaries!(), ['n1']);
  });
});
