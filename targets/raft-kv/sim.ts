import type { SimTarget } from '../../harness/runtimes/sim/target.js';
import { behaviourWith, type BugTable } from '../bugs.js';
import { numberedNodes, type NodeContext } from '../../harness/node.js';
import { REGISTER_OPERATIONS } from '../register-ops.js';
import { raftClient } from './client.js';
import { CORRECT, RaftNode, type Behaviour } from './node.js';

const BUGS: BugTable<Behaviour> = {
  'stale-read': { staleRead: true },
  'commit-without-majority': { commitWithoutMajority: true },
  'forget-vote': { forgetVote: true },
  'no-dedup': { noDedup: true },
};

export const behaviourOf = (bug: string | undefined): Behaviour => behaviourWith(CORRECT, BUGS, bug);

/**
 * A Raft-replicated register store (a cas-register per key), 5 nodes by default: leader election with randomized
 * timeouts, log replication with the consistency check, commitment of current-term entries by a majority,
 * durable term/vote/log, ReadIndex reads after the term's no-op, client dedup by (clientId, seq), redirects.
 */
export const raftKv: SimTarget = {
  name: 'raft-kv',
  description: 'Raft-replicated register store, 5 nodes (bugs: stale reads, commits without a majority, forgotten votes, re-applied retries)',
  bugs: Object.keys(BUGS),
  defaultNodes: 5,
  operations: REGISTER_OPERATIONS,
  nodeIds: (n) => numberedNodes(n, 5),
  node: (bug) => {
    const behaviour = behaviourOf(bug);
    return (ctx: NodeContext) => new RaftNode(ctx, behaviour);
  },
  client: (transport, nodes, _bug, process) => raftClient(transport, nodes, process),
  primaries: (programs) => [...programs].filter(([, p]) => p instanceof RaftNode && p.role === 'leader').map(([id]) => id),
};
