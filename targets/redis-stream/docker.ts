import type { ContainerContext, ContainerSpec, DockerTarget } from '../../harness/runtimes/docker/target.js';
import { numberedNodes } from '../../harness/node.js';
import { OpenClients } from '../redis/client.js';
import { redis } from '../redis/docker.js';
import { RoleProbe } from '../redis/probe.js';
import { dataDir, durableArgs, REDIS_PORT, serverBinary } from '../redis/server.js';
import { redisReplicated } from '../redis-replicated/docker.js';
import { externalReady } from '../redis-replicated/external.js';
import { nodeScript, SENTINEL_PORT } from '../redis-replicated/sentinel.js';
import { LOG_OPERATIONS, StreamClient } from './client.js';
import { checkLayout, isReplicated, partitionsOf, REDIS_STREAM_IMAGE, REPLICATED_NODES, STREAM_OPTIONS, waitOf } from './layout.js';
import { prepareStreams, primaryConnection } from './streams.js';

function container(ctx: ContainerContext<'redis'>, node: string): ContainerSpec {
  if (isReplicated(ctx.options)) {
    // redis-replicated's node exactly: a server (append-only file fsynced always) and a sentinel in one container.
    return { image: ctx.image('redis'), cmd: ['sh', '-c', nodeScript(ctx, node)], ports: [REDIS_PORT, SENTINEL_PORT] };
  }
  // The official image's entrypoint runs `redis-server …` as the redis user; the local image has no entrypoint.
  return { image: ctx.image('redis'), cmd: [serverBinary(ctx.flavour), ...durableArgs(dataDir(ctx.flavour))], ports: [REDIS_PORT] };
}

/**
 * A Kafka-style partitioned log on Redis Streams (the log workload): partition p is the stream `faultline-log:<p>`
 * (`partitions`, default 4); the producer (faultline's client) puts a message in the partition its key hashes to,
 * with XADD, and the offset is the entry's stream ID. Consumers assign partitions (XREAD from their own positions)
 * or join the consumer group `faultline` (XREADGROUP, XACK, XAUTOCLAIM of what a failed consumer left pending);
 * the drain is XRANGE of every partition. Redis 7.0's commands only.
 *
 * Layouts: one server n1 with its append-only file fsynced before every reply (redis's own: a kill loses nothing
 * acknowledged); with `replicated`, redis-replicated's primary, replicas and Sentinels (n1 … n3, n1 primary at
 * start), where a primary cut off from the others goes on acknowledging entries that the failover then drops;
 * `wait` makes each XADD wait for that many replicas (fewer: the send is info), narrowing that window without
 * closing it. `partition:primary` and `kill:primary` aim at the node whose ROLE is master.
 *
 * On the user's servers (`--runtime external`): one Redis, or with `replicated` a server and a sentinel per node as
 * for redis-replicated. The streams `faultline-log:*` of the partitions are deleted at the start of a run.
 */
export const redisStream: DockerTarget<'redis'> = {
  name: 'redis-stream',
  description:
    'a partitioned log on Redis Streams, one stream per partition, consumer group faultline; options partitions, replicated (Sentinel, 3 nodes), wait, master (workload: log; external: one server, or a server and a sentinel per node)',
  bugs: [],
  defaultNodes: 1,
  operations: LOG_OPERATIONS,
  workload: 'log',
  images: { redis: REDIS_STREAM_IMAGE },
  options: STREAM_OPTIONS,
  nodeIds: (n, options = {}) => numberedNodes(isReplicated(options) && n <= 1 ? REPLICATED_NODES : n, 1),
  external: {
    services: [
      { name: 'redis', port: REDIS_PORT },
      { name: 'sentinel', port: SENTINEL_PORT },
    ],
    servedBy: (_node, options) => (isReplicated(options) ? ['redis', 'sentinel'] : ['redis']),
    async ready(view, deadline) {
      checkLayout(view.nodes, view.options);
      waitOf(view.options, view.nodes.length);
      if (isReplicated(view.options)) await externalReady(view, deadline);
      else await redis.ready(view, deadline);
      await prepareStreams(view, deadline);
    },
  },
  containers(ctx) {
    checkLayout(ctx.nodes, ctx.options);
    waitOf(ctx.options, ctx.nodes.length);
    return Object.fromEntries(ctx.nodes.map((node) => [node, container(ctx, node)]));
  },
  async ready(view, deadline) {
    checkLayout(view.nodes, view.options);
    if (isReplicated(view.options)) await redisReplicated.ready(view, deadline);
    else await redis.ready(view, deadline);
    await prepareStreams(view, deadline);
  },
  async open(view) {
    const connection = await primaryConnection(view);
    const partitions = partitionsOf(view.options);
    const wait = waitOf(view.options, view.nodes.length);
    const clients = new OpenClients();
    const roles = new RoleProbe(view, REDIS_PORT);
    return {
      client: (process) => clients.add(new StreamClient({ consumer: `p${process}`, partitions, connection: () => connection(process), waitReplicas: wait })),
      primaries: () => roles.primaries(),
      async close() {
        clients.closeAll();
        roles.close();
      },
    };
  },
};
