import { Redis } from 'ioredis';
import { usageError } from '../../harness/errors.js';
import type { ContainerContext, ContainerSpec, DockerTarget } from '../../harness/runtimes/docker/target.js';
import { pollUntil } from '../../harness/runtimes/docker/poll.js';
import { numberedNodes } from '../../harness/node.js';
import { authOf } from './auth.js';
import { CONNECTION_OPTIONS, OpenClients, redisClient } from './client.js';
import { REDIS_OPERATIONS } from './ops.js';
import { AdminConnection, RoleProbe } from './probe.js';
import { dataDir, durableArgs, REDIS_IMAGE, REDIS_PORT, serverBinary } from './server.js';

/** Separate servers share nothing: a register spread over them could not be linearizable, correct or not. */
function oneServer(nodes: readonly string[]): void {
  if (nodes.length !== 1) throw usageError(`the redis target is one server (asked for ${nodes.length} nodes; use --nodes 1 or redis-replicated)`);
}

function container(ctx: ContainerContext<'redis'>): ContainerSpec {
  // The official image's entrypoint runs `redis-server …` as the redis user; the local image has no entrypoint.
  return { image: ctx.image('redis'), cmd: [serverBinary(ctx.flavour), ...durableArgs(dataDir(ctx.flavour))], ports: [REDIS_PORT] };
}

/**
 * One Redis server: registers as strings (GET, SET, cas as a Lua script) and the set workload's set (SADD,
 * SMEMBERS). The append-only file is fsynced before every reply, so a SIGKILL loses no acknowledged write: correct
 * under kill and pause.
 */
export const redis: DockerTarget<'redis'> = {
  name: 'redis',
  description: 'Redis, one server, append-only file fsynced on every write (workloads: register, set; external: one node, its user and password)',
  bugs: [],
  defaultNodes: 1,
  operations: REDIS_OPERATIONS,
  images: { redis: REDIS_IMAGE },
  nodeIds: (n) => numberedNodes(n, 1),
  containers(ctx) {
    oneServer(ctx.nodes);
    return Object.fromEntries(ctx.nodes.map((node) => [node, container(ctx)]));
  },
  external: { services: [{ name: 'redis', port: REDIS_PORT }] },
  async ready(view, deadline) {
    oneServer(view.nodes);
    const node = view.nodes[0];
    const conn = new AdminConnection(view.endpoint(node, REDIS_PORT), `redis on ${node}`, authOf(view, node));
    try {
      // PING answers LOADING while the append-only file is replayed: a reply error, so not ready yet.
      await pollUntil(deadline, async () => ((await conn.ask((c) => c.ping())) === 'PONG' ? undefined : `redis on ${node}: no PONG`));
    } finally {
      conn.disconnect();
    }
  },
  async open(view) {
    const node = view.nodes[0];
    const server = { ...view.endpoint(node, REDIS_PORT), ...CONNECTION_OPTIONS, ...authOf(view, node) };
    const clients = new OpenClients();
    const roles = new RoleProbe(view, REDIS_PORT);
    return {
      client: () => clients.add(redisClient({ connection: () => new Redis(server), waitReplicas: 0 })),
      primaries: () => roles.primaries(),
      async close() {
        clients.closeAll();
        roles.close();
      },
    };
  },
};
