import type { SimTarget } from '../../harness/runtimes/sim/target.js';
import { behaviourWith, type BugTable } from '../bugs.js';
import { numberedNodes, type NodeContext } from '../../harness/node.js';
import { REGISTER_OPERATIONS } from '../register-ops.js';
import { primaryBackupClient } from './client.js';
import { CORRECT, PrimaryBackupNode, type Behaviour } from './node.js';

const BUGS: BugTable<Behaviour> = {
  'async-replication': { ackBeforeReplicating: true, replicaReads: true },
  'lost-failover': { failover: true },
};

/**
 * One primary (n1), replicas n2, n3: a cas-register per key. Correct mode replicates every write synchronously to
 * the live replicas and reads at the primary, and never fails over. Bugs: async-replication (ack before
 * replicating, reads at any node: stale reads), lost-failover (a replica promotes itself when the primary is
 * silent without catching up: acknowledged writes are lost).
 */
export const primaryBackup: SimTarget = {
  name: 'primary-backup',
  description: 'one primary, two replicas: synchronous replication, reads at the primary (bugs: stale reads, lost writes)',
  bugs: Object.keys(BUGS),
  defaultNodes: 3,
  operations: REGISTER_OPERATIONS,
  nodeIds: (n) => numberedNodes(n, 3),
  node: (bug) => {
    const behaviour = behaviourWith(CORRECT, BUGS, bug);
    return (ctx: NodeContext) => new PrimaryBackupNode(ctx, behaviour);
  },
  client: (transport, nodes, bug, process) =>
    primaryBackupClient(transport, nodes, process, { primaryMoves: bug === 'lost-failover', readAnywhere: bug === 'async-replication' }),
  primaries: (programs) =>
    [...programs].filter(([, p]) => p instanceof PrimaryBackupNode && p.role === 'primary').map(([id]) => id),
};
