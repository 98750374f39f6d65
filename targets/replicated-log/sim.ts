import type { NodeContext } from '../../harness/node.js';
import { numberedNodes } from '../../harness/node.js';
import type { SimTarget } from '../../harness/runtimes/sim/target.js';
import { behaviourWith } from '../bugs.js';
import { CORRECT as RAFT_CORRECT, RaftNode } from '../raft-kv/node.js';
import { BUGS, CORRECT, OPTIONS, settingsOf } from './behaviour.js';
import { Broker } from './broker.js';
import { logClient } from './client.js';
import { CONTROLLER_NODES, isControllerNode } from './controller.js';
import { observeLog } from './observe.js';

/** The log workload's operations (issue 20's contract). */
export const LOG_OPERATIONS = ['send', 'poll', 'assign', 'subscribe', 'drain', 'drain-group'] as const;

/** The brokers of a cluster, from any node's view of it (the controller nodes are not brokers). */
const brokersOf = (ids: readonly string[]) => ids.filter((id) => !isControllerNode(id)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

/**
 * A Kafka-style partitioned log (issue 20): brokers n1…nN (--nodes, 5 by default) and a controller quorum cfg1–cfg3
 * (raft-kv's Raft, as sharded-kv's config group) that records each partition's leader, leader epoch and ISR.
 * acks=all; consumers read below the high watermark; clean leader elections from the ISR; followers truncate where
 * their log diverges from the new leader's. Bugs: ack-before-replicate, truncate-on-failover (the brokers'),
 * commit-before-process (the group consumer's, found by `crash-client`).
 */
export const replicatedLog: SimTarget = {
  name: 'replicated-log',
  description:
    'partitioned log with a leader and in-sync replicas per partition, acks=all, leaders and ISRs decided by a Raft controller; options partitions, replication (bugs: ack-before-replicate, truncate-on-failover, commit-before-process)',
  bugs: Object.keys(BUGS),
  defaultNodes: 5,
  operations: LOG_OPERATIONS,
  workload: 'log',
  options: OPTIONS,
  nodeIds: (n) => [...numberedNodes(n, 5), ...CONTROLLER_NODES],
  node: (bug, options) => {
    const behaviour = behaviourWith(CORRECT, BUGS, bug);
    return (ctx: NodeContext) => {
      // The controller is a Raft of its own three: the brokers are its clients, not its peers.
      if (isControllerNode(ctx.id)) return new RaftNode({ ...ctx, peers: CONTROLLER_NODES.filter((c) => c !== ctx.id) }, RAFT_CORRECT);
      const brokers = brokersOf([ctx.id, ...ctx.peers]);
      return new Broker(ctx, { brokers, settings: settingsOf(options, brokers.length), behaviour });
    };
  },
  client: (transport, nodes, bug, process, options, clock) => {
    const brokers = brokersOf(nodes);
    return logClient(transport, brokers, process, settingsOf(options, brokers.length), clock, behaviourWith(CORRECT, BUGS, bug));
  },
  // The partitions' leaders: `kill:primary`, `pause:primary` and `partition:primary` aim at one of them.
  observe: (programs) => observeLog(programs),
  primaries: (programs) => [...programs].filter(([, p]) => p instanceof Broker && p.leads).map(([id]) => id),
};
