import { completeGrudge } from '../../../harness/nemesis/grudge.js';
import assert from 'node:assert/strict';
import { raftCluster } from './helpers.js';

const read = (key: string) => ({ f: 'read', key, value: null });
const write = (key: string, value: number) => ({ f: 'write', key, value });

describe('raft-kv (correct mode)', () => {
  it('elects exactly one leader per term, through leader kills and restarts', async () => {
    const { runtime, cluster, sleep, waitFor, leaders, program } = await raftCluster(undefined, 3);
    const leadersOf = new Map<number, Set<string>>();
    const sample = () => {
      for (const [id, p] of runtime.net.programs()) {
        const node = p as ReturnType<typeof program>;
        if (node.role !== 'leader') continue;
        const s = leadersOf.get(node.currentTerm) ?? new Set<string>();
        s.add(id);
        leadersOf.set(node.currentTerm, s);
      }
    };
    for (let round = 0; round < 4; round++) {
      assert.ok(await waitFor(() => leaders().length === 1), 'a leader is elected');
      const leader = leaders()[0];
      cluster.faults.kill(leader);
      for (let t = 0; t < 60; t++) {
        await sleep(10);
        sample();
      }
      cluster.faults.restart(leader);
      for (let t = 0; t < 20; t++) {
        await sleep(10);
        sample();
      }
    }
    assert.ok(leadersOf.size >= 4, `terms with a leader: ${[...leadersOf.keys()]}`);
    for (const [term, ids] of leadersOf) assert.equal(ids.size, 1, `term ${term}: ${[...ids]}`);
  });

  it('a write then a read through clients; cas checks the current value', async () => {
    const { cluster, invoke } = await raftCluster();
    const c = cluster.client(0);
    assert.deepEqual(await invoke(c, read('x')), { type: 'ok', value: null });
    assert.deepEqual(await invoke(c, write('x', 3)), { type: 'ok', value: 3 });
    assert.deepEqual(await invoke(cluster.client(1), read('x')), { type: 'ok', value: 3 });
    assert.deepEqual(await invoke(c, { f: 'cas', key: 'x', value: [3, 4] }), { type: 'ok', value: [3, 4] });
    assert.equal((await invoke(c, { f: 'cas', key: 'x', value: [3, 1] })).type, 'fail');
    assert.deepEqual(await invoke(cluster.client(2), read('x')), { type: 'ok', value: 4 });
  });

  it('a follower answers not leader with a hint', async () => {
    const { waitFor, leaders, request, cluster } = await raftCluster();
    assert.ok(await waitFor(() => leaders().length === 1));
    const leader = leaders()[0];
    await waitFor(() => false, 100); // the followers hear of it
    const follower = cluster.nodes.find((n) => n !== leader)!;
    assert.deepEqual(await request(follower, write('x', 1)), { rid: 0, type: 'fail', value: 1, error: 'not leader', leader });
  });

  it('the leader changes when it is killed, and an acknowledged write survives', async () => {
    const { cluster, invoke, waitFor, leaders, program } = await raftCluster();
    assert.deepEqual(await invoke(cluster.client(0), write('x', 7)), { type: 'ok', value: 7 });
    const old = leaders()[0];
    const oldTerm = program(old).currentTerm;
    cluster.faults.kill(old);
    assert.ok(await waitFor(() => leaders().length === 1));
    const next = leaders()[0];
    assert.notEqual(next, old);
    assert.ok(program(next).currentTerm > oldTerm);
    assert.deepEqual(await invoke(cluster.client(1), read('x')), { type: 'ok', value: 7 });
    assert.deepEqual(await invoke(cluster.client(2), write('x', 8)), { type: 'ok', value: 8 });
    cluster.faults.restart(old);
    assert.ok(await waitFor(() => program(old).value('x') === 8), 'the restarted node rebuilds its state from the log');
  });

  it('a restarted node keeps its term, vote and log (its durable storage)', async () => {
    const { cluster, invoke, leaders, program } = await raftCluster();
    const c = cluster.client(0);
    for (let v = 1; v <= 3; v++) assert.equal((await invoke(c, write('k', v))).type, 'ok');
    const follower = cluster.nodes.find((n) => !leaders().includes(n))!;
    const before = program(follower);
    const saved = { term: before.currentTerm, vote: before.votedFor, log: structuredClone(before.log) };
    assert.ok(saved.term >= 1 && saved.vote !== null && saved.log.length >= 4, JSON.stringify(saved));
    cluster.faults.kill(follower);
    cluster.faults.restart(follower);
    const after = program(follower);
    assert.notEqual(after, before);
    assert.deepEqual({ term: after.currentTerm, vote: after.votedFor, log: after.log }, saved);
    assert.equal(after.commitIndex, 0, 'commitIndex is volatile');
    assert.equal(after.value('k'), null, 'the state machine is rebuilt from the log as commitIndex is relearned');
  });

  it('a leader partitioned into a minority cannot commit; its entry is replaced after the heal', async () => {
    const { cluster, invoke, waitFor, leaders, program, request } = await raftCluster();
    assert.equal((await invoke(cluster.client(0), write('x', 1))).type, 'ok');
    const old = leaders()[0];
    const buddy = cluster.nodes.find((n) => n !== old)!;
    const majority = cluster.nodes.filter((n) => n !== old && n !== buddy);
    cluster.faults.partition(completeGrudge([[old, buddy], majority]));
    const commitBefore = program(old).commitIndex;
    assert.equal(await request(old, write('x', 2)), undefined, 'no answer: the write cannot commit');
    assert.equal(program(old).commitIndex, commitBefore);
    assert.equal(program(old).value('x'), 1);
    assert.ok(await waitFor(() => leaders().some((n) => majority.includes(n))), 'the majority elects a leader');
    assert.deepEqual(await invoke(cluster.client(majority.indexOf(leaders().find((n) => majority.includes(n))!) + 100), write('x', 3)), { type: 'ok', value: 3 });
    cluster.faults.heal();
    assert.ok(await waitFor(() => leaders().length === 1 && program(old).value('x') === 3 && program(buddy).value('x') === 3));
    assert.deepEqual(await invoke(cluster.client(1), read('x')), { type: 'ok', value: 3 });
  });

  it('a retried request (same clientId and seq) is applied once and answered with the stored result', async () => {
    const { waitFor, leaders, request, program } = await raftCluster();
    assert.ok(await waitFor(() => leaders().length === 1));
    const leader = leaders()[0];
    assert.deepEqual(await request(leader, write('x', 1), { clientId: 'a', seq: 1 }), { rid: 0, type: 'ok', value: 1 });
    assert.deepEqual(await request(leader, write('x', 2), { clientId: 'b', seq: 1 }), { rid: 0, type: 'ok', value: 2 });
    assert.deepEqual(await request(leader, write('x', 1), { clientId: 'a', seq: 1 }), { rid: 0, type: 'ok', value: 1 });
    assert.equal(program(leader).value('x'), 2, 'the retry was not applied again');
  });
});

describe('raft-kv bugs, directed', () => {
  it('stale-read: a leader cut off from the majority serves the value from before a newer write', async () => {
    const { cluster, invoke, waitFor, leaders, request } = await raftCluster('stale-read');
    assert.equal((await invoke(cluster.client(0), write('x', 1))).type, 'ok');
    const old = leaders()[0];
    cluster.faults.partition(completeGrudge([[old], cluster.nodes.filter((n) => n !== old)]));
    assert.ok(await waitFor(() => leaders().length === 2));
    assert.deepEqual(await invoke(cluster.client(1), write('x', 2)), { type: 'ok', value: 2 });
    assert.deepEqual(await request(old, read('x')), { rid: 0, type: 'ok', value: 1 });
  });

  it('commit-without-majority: a leader with one follower in a minority acknowledges a write that is then lost', async () => {
    const { cluster, invoke, waitFor, leaders, program, request } = await raftCluster('commit-without-majority');
    assert.equal((await invoke(cluster.client(0), write('x', 1))).type, 'ok');
    const old = leaders()[0];
    const buddy = cluster.nodes.find((n) => n !== old)!;
    const majority = cluster.nodes.filter((n) => n !== old && n !== buddy);
    cluster.faults.partition(completeGrudge([[old, buddy], majority]));
    assert.deepEqual(await request(old, write('x', 2)), { rid: 0, type: 'ok', value: 2 });
    assert.ok(await waitFor(() => leaders().some((n) => majority.includes(n))));
    cluster.faults.heal();
    assert.ok(await waitFor(() => leaders().length === 1 && program(old).log.every((e) => e.command.kind !== 'op' || e.command.op.value !== 2)));
    assert.deepEqual(await invoke(cluster.client(1), read('x')), { type: 'ok', value: 1 }, 'the acknowledged write is gone');
  });

  it('forget-vote: a restarted node forgets whom it voted for (its term survives)', async () => {
    const { cluster, leaders, waitFor, program } = await raftCluster('forget-vote');
    assert.ok(await waitFor(() => leaders().length === 1));
    const follower = cluster.nodes.find((n) => !leaders().includes(n))!;
    const term = program(follower).currentTerm;
    assert.notEqual(program(follower).votedFor, null);
    cluster.faults.kill(follower);
    cluster.faults.restart(follower);
    assert.equal(program(follower).currentTerm, term);
    assert.equal(program(follower).votedFor, null);
  });

  it('no-dedup: a retried request is applied again', async () => {
    const { waitFor, leaders, request, program } = await raftCluster('no-dedup');
    assert.ok(await waitFor(() => leaders().length === 1));
    const leader = leaders()[0];
    await request(leader, write('x', 1), { clientId: 'a', seq: 1 });
    await request(leader, write('x', 2), { clientId: 'b', seq: 1 });
    await request(leader, write('x', 1), { clientId: 'a', seq: 1 });
    assert.equal(program(leader).value('x'), 1);
  });
});
