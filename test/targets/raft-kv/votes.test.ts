import assert from 'node:assert/strict';
import type { NodeContext } from '../../../harness/node.js';
import type { RequestVote } from '../../../targets/raft-kv/messages.js';
import { RaftNode } from '../../../targets/raft-kv/node.js';
import { behaviourOf } from '../../../targets/raft-kv/sim.js';

/** One node outside any network: a fake context whose storage outlives the program, and whose sends are recorded. */
function voter(bug?: string) {
  const store = new Map<string, unknown>();
  const sent: { to: string; msg: unknown }[] = [];
  const ctx: NodeContext = {
    id: 'n3',
    peers: ['n1', 'n2', 'n4', 'n5'],
    now: () => 0,
    setTimer: () => () => {},
    send: (to, msg) => void sent.push({ to, msg }),
    storage: { get: <T>(k: string) => structuredClone(store.get(k)) as T | undefined, put: (k, v) => void store.set(k, structuredClone(v)) },
    log: () => {},
  };
  const boot = () => new RaftNode(ctx, behaviourOf(bug));
  const ask = (node: RaftNode, candidateId: string, term: number) => {
    const rv: RequestVote = { type: 'RequestVote', term, candidateId, lastLogIndex: 0, lastLogTerm: 0 };
    node.receive(candidateId, rv);
    const last = sent.at(-1)!;
    assert.equal(last.to, candidateId);
    return (last.msg as { voteGranted: boolean }).voteGranted;
  };
  return { boot, ask, store };
}

describe('raft-kv votes across a restart', () => {
  it('a node votes once per term, even across a restart (votedFor is durable before the vote is sent)', () => {
    const { boot, ask, store } = voter();
    assert.equal(ask(boot(), 'n1', 5), true);
    assert.deepEqual([store.get('currentTerm'), store.get('votedFor')], [5, 'n1']);
    const restarted = boot();
    assert.equal(ask(restarted, 'n2', 5), false, 'it already voted for n1 in term 5');
    assert.equal(ask(restarted, 'n1', 5), true, 'the same candidate may ask again');
    assert.equal(ask(restarted, 'n2', 6), true, 'a new term, a new vote');
  });

  it('forget-vote: after a restart the node votes a second time in the same term (two leaders possible)', () => {
    const { boot, ask, store } = voter('forget-vote');
    assert.equal(ask(boot(), 'n1', 5), true);
    assert.equal(store.get('currentTerm'), 5);
    assert.equal(store.has('votedFor'), false);
    assert.equal(ask(boot(), 'n2', 5), true, 'the bug: a second vote in term 5');
  });
});
