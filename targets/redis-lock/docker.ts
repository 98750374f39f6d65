import { Redis } from 'ioredis';
import { z } from 'zod';
import type { ClusterView, ContainerContext, ContainerSpec, DockerTarget, TargetSession } from '../../harness/runtimes/docker/target.js';
import { numberedNodes } from '../../harness/node.js';
import { lockClient } from '../lock/client.js';
import { createResource, LockResource } from '../lock/resource.js';
import { PORT as PG_PORT, postgresContainer, untilServing } from '../postgres/docker.js';
import { POSTGRES_IMAGE } from '../postgres/image.js';
import { authOf } from '../redis/auth.js';
import { CONNECTION_OPTIONS, OpenClients } from '../redis/client.js';
import { redis } from '../redis/docker.js';
import { RoleProbe } from '../redis/probe.js';
import { dataDir, durableArgs, REDIS_IMAGE, REDIS_PORT, serverBinary } from '../redis/server.js';
import { primaryConnections, redisReplicated, waitReplicas } from '../redis-replicated/docker.js';
import { externalReady } from '../redis-replicated/external.js';
import { MASTER_NAME, nodeScript, SENTINEL_PORT } from '../redis-replicated/sentinel.js';
import { BUGS, LOCK_OPTIONS, lockMode, timeoutOf, ttlOf } from './mode.js';
import { checkLayout, isReplicated, PG_NODE, REPLICATED_NODES, redisContext, redisNodes, redisView } from './layout.js';
import { RedisLock } from './service.js';

/** The lock workload's operations: what every lock client performs. */
const LOCK_OPERATIONS = ['acquire', 'read', 'write', 'release', 'final-read'];

function redisContainer(ctx: ContainerContext<'redis' | 'postgres'>, node: string): ContainerSpec {
  if (isReplicated(ctx.options)) {
    // redis-replicated's node exactly: a server and a sentinel in one container, among the Redis nodes only.
    return { image: ctx.image('redis'), cmd: ['sh', '-c', nodeScript(redisContext(ctx), node)], ports: [REDIS_PORT, SENTINEL_PORT] };
  }
  return { image: ctx.image('redis'), cmd: [serverBinary(ctx.flavour), ...durableArgs(dataDir(ctx.flavour))], ports: [REDIS_PORT] };
}

/** The resource's server serves, and holds the counters and the fencing sequence. */
async function resourceReady(view: ClusterView, deadline: number): Promise<void> {
  await untilServing(view, PG_NODE, deadline);
  await createResource(view.endpoint(PG_NODE, PG_PORT), view.credentials(PG_NODE));
}

/**
 * Which node a connection reached, from the address it is connected to (the harness's endpoint of that node's
 * server): through the sentinels, the primary at the time it connected.
 */
function nodeResolver(view: ClusterView): (conn: Redis) => string {
  const norm = (host: string) => host.replace(/^::ffff:/, '');
  const byEndpoint = new Map<string, string>(
    redisNodes(view.nodes).map((n) => {
      const e = view.endpoint(n, REDIS_PORT);
      return [`${norm(e.host)}:${e.port}`, n] as const;
    }),
  );
  return (conn) => {
    const at = `${norm(conn.stream?.remoteAddress ?? '?')}:${conn.stream?.remotePort ?? '?'}`;
    return byEndpoint.get(at) ?? `unknown (${at})`;
  };
}

/**
 * A distributed lock on Redis guarding a counter in PostgreSQL (the lock workload's resource). Correct: `SET name
 * <random> NX PX ttl`, retried every 100 ms until the acquire's time-out, released by compare-and-delete (Lua), with
 * a fencing token from the resource's own sequence, which the resource checks on every read and write. Bugs:
 * per-second-key (the seeds' lock: the key is the name plus the client clock's second, `SET … 1 EX 5 NX`, released
 * by DEL; no tokens), no-token (released by a plain DEL), no-fencing (the resource ignores the tokens).
 *
 * Layout: one Redis server n1, and pg (PostgreSQL). With `replicated`, Redis with Sentinel as redis-replicated
 * runs it (n1 … n3, n1 primary at start; the lock is taken on whichever primary a process's connection reached,
 * and a failover can promote a replica the lock key had not reached). `kill:primary` aims at the Redis primary.
 * A kill alone does not lose the lock (the key is replicated at once, and the lease runs out before the failover
 * ends); a primary cut off while clients still reach it does, once some of them reconnect through the sentinels:
 * `--nemesis partition:primary+client-loss:primary --nemesis-interval 12 --concurrency 10` (the loss times some
 * commands out, and the processes that take over find the new primary).
 *
 * On the user's servers (`--runtime external`): the Redis nodes (with `replicated`, each a server and a sentinel, as
 * for redis-replicated) and a node named pg, the PostgreSQL server (its user, password and database), e.g.
 * `--nodes n1=127.0.0.1:6379,pg=127.0.0.1:5432`.
 */
export const redisLock: DockerTarget<'redis' | 'postgres'> = {
  name: 'redis-lock',
  description:
    'a lock on Redis guarding a counter in PostgreSQL (node pg), fenced by tokens from PostgreSQL; options ttl, timeout, fencing, replicated (Sentinel, 3 Redis nodes), wait (workload: lock; bugs: per-second-key, no-token, no-fencing; external: Redis nodes and pg)',
  bugs: Object.keys(BUGS),
  defaultNodes: 1,
  operations: LOCK_OPERATIONS,
  images: { redis: REDIS_IMAGE, postgres: POSTGRES_IMAGE },
  options: {
    ...LOCK_OPTIONS,
    replicated: { schema: z.boolean(), description: `Redis with Sentinel failover, ${REPLICATED_NODES} Redis nodes unless --nodes says more (redis-replicated's layout)` },
    wait: { schema: z.int().min(0), description: 'with replicated: replicas that must acknowledge a granting SET (Redis WAIT); fewer makes the acquire info' },
    master: { schema: z.string().regex(/^[A-Za-z0-9._-]+$/), description: `with replicated: the name the sentinels monitor the primary under (default ${MASTER_NAME})` },
  },
  nodeIds: (n, options = {}) => [...numberedNodes(isReplicated(options) && n <= 1 ? REPLICATED_NODES : n, 1), PG_NODE],
  // The protected resource is what the lock is tested against: faults aimed at random or all nodes never hit it.
  bystanders: [PG_NODE],
  external: {
    services: [
      { name: 'redis', port: REDIS_PORT },
      { name: 'sentinel', port: SENTINEL_PORT },
      { name: 'postgres', port: PG_PORT },
    ],
    servedBy: (node, options) => (node === PG_NODE ? ['postgres'] : isReplicated(options) ? ['redis', 'sentinel'] : ['redis']),
    // Every bug lives in faultline's clients.
    bugs: Object.keys(BUGS),
    async ready(view, deadline) {
      checkLayout(view.nodes, view.options);
      await resourceReady(view, deadline);
      if (isReplicated(view.options)) await externalReady(redisView(view), deadline);
      else await redis.ready(redisView(view), deadline);
    },
  },
  containers(ctx) {
    checkLayout(ctx.nodes, ctx.options);
    lockMode(ctx.bug, ctx.options);
    waitReplicas(ctx.options, redisNodes(ctx.nodes).length);
    const specs: Record<string, ContainerSpec> = { [PG_NODE]: postgresContainer(ctx.image('postgres'), ctx.flavour) };
    for (const node of redisNodes(ctx.nodes)) specs[node] = redisContainer(ctx, node);
    return specs;
  },
  async ready(view, deadline) {
    checkLayout(view.nodes, view.options);
    const redisPart = redisView(view);
    await Promise.all([resourceReady(view, deadline), isReplicated(view.options) ? redisReplicated.ready(redisPart, deadline) : redis.ready(redisPart, deadline)]);
  },
  async open(view): Promise<TargetSession> {
    const mode = lockMode(view.bug, view.options);
    const ttlMs = ttlOf(view.options);
    const acquireTimeoutMs = timeoutOf(view.options);
    const redisPart = redisView(view);
    const wait = waitReplicas(view.options, redisPart.nodes.length);
    let connection: (process: number) => Redis;
    if (isReplicated(view.options)) {
      const options = await primaryConnections(redisPart);
      connection = (process) => new Redis(options(process));
    } else {
      const node = redisPart.nodes[0];
      const server = { ...view.endpoint(node, REDIS_PORT), ...CONNECTION_OPTIONS, ...authOf(view, node) };
      connection = () => new Redis(server);
    }
    const nodeOf = nodeResolver(view);
    const clients = new OpenClients();
    const roles = new RoleProbe(redisPart, REDIS_PORT);
    return {
      client: (process) =>
        clients.add(
          lockClient({
            service: new RedisLock({ mode, ttlMs, connection: () => connection(process), nodeOf, waitReplicas: wait }),
            resource: new LockResource(view.endpoint(PG_NODE, PG_PORT), process, mode.fenced, view.credentials(PG_NODE)),
            tokens: mode.tokens,
            fenced: mode.fenced,
            acquireTimeoutMs,
          }),
        ),
      // The Redis primary: the node whose loss (a failover) can lose the lock.
      primaries: () => roles.primaries(),
      async close() {
        clients.closeAll();
        roles.close();
      },
    };
  },
};
