import assert from 'node:assert/strict';
import type { DurableStorage } from '../../../harness/node.js';
import { completeGrudge } from '../../../harness/nemesis/grudge.js';
import { SimRuntime } from '../../../harness/runtimes/sim/runtime.js';
import { Acceptor } from '../../../targets/paxos-kv/acceptor.js';
import { PaxosNode } from '../../../targets/paxos-kv/node.js';
import { paxosKv } from '../../../targets/paxos-kv/sim.js';
import { simDriver } from '../../support/sim-driver.js';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** A paxos-kv cluster of five, driven step by step. */
async function paxosCluster(bug?: string) {
  const runtime = new SimRuntime(new Map([['paxos-kv', paxosKv]]), { seed: 1, latency: { min: 1, max: 5 } });
  const cluster = await runtime.start('paxos-kv', { nodes: 5, bug, seed: 1, options: {} });
  const node = (id: string): PaxosNode => {
    const p = runtime.net.programs().get(id);
    if (!(p instanceof PaxosNode)) throw new Error(`${id} is not running`);
    return p;
  };
  const leaders = () => NODES.filter((id) => runtime.net.programs().get(id) instanceof PaxosNode && node(id).role === 'leader');
  return { runtime, cluster, node, leaders, ...simDriver(runtime) };
}

/** Storage that survives a restart, as a node's does. */
function memoryStorage(): DurableStorage {
  const m = new Map<string, unknown>();
  return { get: <T>(k: string) => m.get(k) as T | undefined, put: (k, v) => void m.set(k, structuredClone(v)) };
}

describe('paxos-kv: the acceptor', () => {
  it('keeps its promise and accepted values across a restart, and refuses a lower ballot after it', () => {
    const storage = memoryStorage();
    const a = new Acceptor(storage, false);
    assert.deepEqual(a.prepare({ round: 2, id: 'n2' }, 0), []);
    assert.equal(a.accept({ round: 2, id: 'n2' }, 0, { kind: 'noop' }), true);
    const again = new Acceptor(storage, false);
    assert.deepEqual(again.promised, { round: 2, id: 'n2' });
    assert.equal(again.accept({ round: 1, id: 'n9' }, 1, { kind: 'noop' }), false, 'a lower ballot is refused');
    assert.equal(again.prepare({ round: 2, id: 'n1' }, 0), undefined, 'ballots order by round, then id');
    assert.deepEqual(again.prepare({ round: 3, id: 'n1' }, 0), [[0, { ballot: { round: 2, id: 'n2' }, value: { kind: 'noop' } }]], 'phase 1b reports what it accepted');
  });

  it('forget-promise: a restarted acceptor accepts a ballot below the one it promised', () => {
    const storage = memoryStorage();
    const a = new Acceptor(storage, true);
    a.prepare({ round: 5, id: 'n1' }, 0);
    assert.equal(a.accept({ round: 4, id: 'n2' }, 0, { kind: 'noop' }), false);
    const restarted = new Acceptor(storage, true);
    assert.equal(restarted.accept({ round: 4, id: 'n2' }, 0, { kind: 'noop' }), true);
  });
});

describe('paxos-kv (simulation): the protocol', function () {
  this.timeout(60_000);

  it('elects one leader, chooses writes and reads through the log, and every node learns them in instance order', async () => {
    const { cluster, invoke, waitFor, leaders, node } = await paxosCluster();
    assert.ok(await waitFor(() => leaders().length === 1), 'a leader');
    const c = cluster.client(0);
    assert.equal((await invoke(c, { f: 'write', key: 'x', value: 1 })).type, 'ok');
    assert.deepEqual(await invoke(c, { f: 'cas', key: 'x', value: [1, 2] }), { type: 'ok', value: [1, 2] });
    assert.equal((await invoke(c, { f: 'cas', key: 'x', value: [1, 3] })).type, 'fail');
    assert.deepEqual(await invoke(c, { f: 'read', key: 'x', value: null }), { type: 'ok', value: 2 });
    assert.ok(await waitFor(() => NODES.every((id) => node(id).value('x') === 2)), 'every learner applied them');
  });

  it('a leader killed after its write was chosen: the next leader adopts the accepted value in phase 1, and the write survives', async () => {
    const { cluster, invoke, waitFor, leaders, node } = await paxosCluster();
    assert.ok(await waitFor(() => leaders().length === 1));
    const old = leaders()[0];
    const c = cluster.client(NODES.indexOf(old)); // its home is the leader
    assert.equal((await invoke(c, { f: 'write', key: 'k', value: 7 })).type, 'ok');
    // Killed at once: no heartbeat has told the followers that the write's instance is chosen.
    cluster.faults.kill(old);
    const others = NODES.filter((n) => n !== old);
    assert.ok(others.every((n) => node(n).learner.frontier === 0 || node(n).value('k') === null), 'the followers had not learnt it');
    assert.ok(await waitFor(() => leaders().some((l) => l !== old), 3000), 'a new leader');
    assert.deepEqual(await invoke(cluster.client(5 + NODES.indexOf(others[0])), { f: 'read', key: 'k', value: null }), { type: 'ok', value: 7 });
  });

  it('ignore-accepted: the same failover replaces the chosen write with a no-op, and a read misses it', async () => {
    const { cluster, invoke, waitFor, leaders } = await paxosCluster('ignore-accepted');
    assert.ok(await waitFor(() => leaders().length === 1));
    const old = leaders()[0];
    const c = cluster.client(NODES.indexOf(old));
    assert.equal((await invoke(c, { f: 'write', key: 'k', value: 7 })).type, 'ok');
    cluster.faults.kill(old);
    assert.ok(await waitFor(() => leaders().some((l) => l !== old), 3000));
    const other = NODES.find((n) => n !== old)!;
    assert.deepEqual(await invoke(cluster.client(5 + NODES.indexOf(other)), { f: 'read', key: 'k', value: null }), { type: 'ok', value: null }, 'the acknowledged write is gone');
  });

  it('minority-accept: a leader cut off with one acceptor goes on acknowledging writes the majority never chose', async () => {
    const { cluster, invoke, waitFor, leaders } = await paxosCluster('minority-accept');
    assert.ok(await waitFor(() => leaders().length === 1));
    const old = leaders()[0];
    const buddy = NODES.find((n) => n !== old)!;
    const rest = NODES.filter((n) => n !== old && n !== buddy);
    cluster.faults.partition(completeGrudge([[old, buddy], rest]));
    assert.deepEqual(await invoke(cluster.client(NODES.indexOf(old)), { f: 'write', key: 'k', value: 9 }), { type: 'ok', value: 9 }, 'two accepts of five counted as chosen');
    assert.ok(await waitFor(() => leaders().some((l) => rest.includes(l)), 3000), 'the majority elects its own leader');
    const reader = cluster.client(NODES.indexOf(rest[0]));
    assert.deepEqual(await invoke(reader, { f: 'read', key: 'k', value: null }), { type: 'ok', value: null });
  });

  it('local-read: a leader cut off answers reads from its own store while the majority chooses newer writes', async () => {
    const { cluster, invoke, waitFor, leaders } = await paxosCluster('local-read');
    assert.ok(await waitFor(() => leaders().length === 1));
    const old = leaders()[0];
    const home = cluster.client(NODES.indexOf(old));
    assert.equal((await invoke(home, { f: 'write', key: 'k', value: 1 })).type, 'ok');
    const rest = NODES.filter((n) => n !== old);
    cluster.faults.partition(completeGrudge([[old], rest]));
    assert.ok(await waitFor(() => leaders().some((l) => rest.includes(l)), 3000));
    assert.equal((await invoke(cluster.client(NODES.indexOf(rest[0])), { f: 'write', key: 'k', value: 2 })).type, 'ok');
    assert.deepEqual(await invoke(home, { f: 'read', key: 'k', value: null }), { type: 'ok', value: 1 }, 'a stale read');
  });
});
