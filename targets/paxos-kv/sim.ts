import { numberedNodes, type NodeContext } from '../../harness/node.js';
import type { SimTarget } from '../../harness/runtimes/sim/target.js';
import { behaviourWith, type BugTable } from '../bugs.js';
import { raftClient } from '../raft-kv/client.js';
import { REGISTER_OPERATIONS } from '../register-ops.js';
import { CORRECT, PaxosNode, type Behaviour } from './node.js';

const BUGS: BugTable<Behaviour> = {
  'forget-promise': { forgetPromise: true },
  'ignore-accepted': { ignoreAccepted: true },
  'minority-accept': { minorityAccept: true },
  'local-read': { localRead: true },
};

export const behaviourOf = (bug: string | undefined): Behaviour => behaviourWith(CORRECT, BUGS, bug);

/**
 * A multi-decree Paxos register store (a cas-register per key), 5 nodes by default: each node an acceptor (its
 * promise and accepted values durable before it answers), a learner (chosen values applied in instance order) and
 * a proposer; the distinguished proposer keeps its ballot across instances, and reads go through the log. Clients
 * speak raft-kv's protocol: a follower redirects them to the leader it knows.
 */
export const paxosKv: SimTarget = {
  name: 'paxos-kv',
  description: 'multi-decree Paxos register store, 5 nodes, a distinguished proposer, reads through the log (bugs: forget-promise, ignore-accepted, minority-accept, local-read)',
  bugs: Object.keys(BUGS),
  defaultNodes: 5,
  operations: REGISTER_OPERATIONS,
  nodeIds: (n) => numberedNodes(n, 5),
  node: (bug) => {
    const behaviour = behaviourOf(bug);
    return (ctx: NodeContext) => new PaxosNode(ctx, behaviour);
  },
  client: (transport, nodes, _bug, process) => raftClient(transport, nodes, process),
  primaries: (programs) => [...programs].filter(([, p]) => p instanceof PaxosNode && p.role === 'leader').map(([id]) => id),
};
