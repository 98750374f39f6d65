import { Redis } from 'ioredis';
import type { ClusterView } from '../../harness/runtimes/docker/target.js';
import { pollUntil } from '../../harness/runtimes/docker/poll.js';
import { authOf } from '../redis/auth.js';
import { CONNECTION_OPTIONS, connectWithin } from '../redis/client.js';
import { REDIS_PORT } from '../redis/server.js';
import { primaryConnections } from '../redis-replicated/docker.js';
import { GROUP, isReplicated, partitionsOf, streamKey } from './layout.js';

/** How long the preparation's WAIT gives the replicas to acknowledge the new streams, per attempt. */
const PREPARE_WAIT_MS = 100;

/**
 * New connections (not yet connected) to the primary for a process: the one server, or the sentinels' primary, asked
 * of the sentinels in the process's own order (redis-replicated's primaryConnections).
 */
export async function primaryConnection(view: ClusterView): Promise<(process: number) => Redis> {
  if (isReplicated(view.options)) {
    const options = await primaryConnections(view);
    return (process) => new Redis(options(process));
  }
  const node = view.nodes[0];
  const server = { ...view.endpoint(node, REDIS_PORT), ...CONNECTION_OPTIONS, ...authOf(view, node) };
  return () => new Redis(server);
}

/**
 * Each partition's stream made empty, with the run's consumer group on it from the start (`XGROUP CREATE … 0
 * MKSTREAM`): what an earlier run left on the user's Redis is deleted first (only this target's keys), so the drain
 * holds this run's entries alone. Replicated, every replica must have the streams and the group before the run
 * begins (a failover to one that had not would lose the group, not an entry). Retried until the deadline: the
 * preparation is the same whether it ran before or not.
 */
export async function prepareStreams(view: ClusterView, deadline: number): Promise<void> {
  const connection = await primaryConnection(view);
  const replicas = isReplicated(view.options) ? view.nodes.length - 1 : 0;
  const partitions = partitionsOf(view.options);
  await pollUntil(deadline, async () => {
    const c = connection(0);
    c.on('error', () => {});
    try {
      await connectWithin(c);
      for (let p = 0; p < partitions; p++) {
        await c.del(streamKey(p));
        await c.xgroup('CREATE', streamKey(p), GROUP, '0', 'MKSTREAM');
      }
      if (replicas === 0) return undefined;
      const acked = await c.wait(replicas, PREPARE_WAIT_MS);
      return acked >= replicas ? undefined : `${acked} of ${replicas} replicas acknowledge the new streams`;
    } finally {
      c.disconnect();
    }
  });
}
