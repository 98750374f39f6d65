import { Redis, type NatMap, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { usageError } from '../../harness/errors.js';
import type { ClusterView, ContainerContext, DockerTarget } from '../../harness/runtimes/docker/target.js';
import { pollUntil } from '../../harness/runtimes/docker/poll.js';
import { numberedNodes } from '../../harness/node.js';
import { CONNECTION_OPTIONS, OpenClients, redisClient } from '../redis/client.js';
import { REDIS_OPERATIONS } from '../redis/ops.js';
import { AdminConnection, PROBE_TIMEOUT_MS, RoleProbe } from '../redis/probe.js';
import { REDIS_IMAGE, REDIS_PORT } from '../redis/server.js';
import { deploymentAuth, sentinelAuth } from './auth.js';
import { announced, externalReady } from './external.js';
import { MASTER_NAME, masterName, nodeScript, SENTINEL_PORT } from './sentinel.js';

/**
 * The `wait` option: after each write, `WAIT <wait> <WAIT_TIMEOUT_MS>` (replicas that must have the write before it counts as
 * acknowledged; a shorter count makes the op info). Absent or 0: no WAIT, Redis's default asynchronous replication.
 */
export function waitReplicas(options: Readonly<Record<string, unknown>>, nodes: number): number {
  const w = options.wait;
  if (w === undefined) return 0;
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > nodes - 1) {
    throw usageError(`redis-replicated: option wait must be a number of replicas, 0 to ${nodes - 1} (got ${JSON.stringify(w)})`);
  }
  return w;
}

/**
 * What the harness knows that the servers do not: nodes name each other by their addresses on the run's network
 * (Docker's, or the user's), which the harness does not use: it reaches each port through a loopback port of its
 * own, or the fault proxy's front for it. Sentinel's answers are translated with this map, so that a client never
 * goes around the proxy to the address Sentinel reported.
 */
async function natMap(view: ClusterView): Promise<NatMap> {
  const entries = view.nodes.flatMap((n) => [REDIS_PORT, SENTINEL_PORT].map(async (p) => [await announced(view, n, p), view.endpoint(n, p)] as const));
  return Object.fromEntries(await Promise.all(entries));
}

/** Each process asks the sentinels in its own order (starting at its own node), as clients spread over a cluster do. */
function sentinelsFor(view: ClusterView, process: number): { host: string; port: number }[] {
  const n = view.nodes.length;
  return view.nodes.map((_, i) => view.endpoint(view.nodes[(process + i) % n], SENTINEL_PORT));
}

/**
 * The options of a process's connection to the primary, found through the sentinels (starting at the process's own
 * node): the clients' fail-fast options, the deployment's credentials, Sentinel's answers translated by natMap.
 */
export async function primaryConnections(view: ClusterView): Promise<(process: number) => RedisOptions> {
  const auth = deploymentAuth(view);
  const sentinelCredentials = await sentinelAuth(view, auth);
  const nat = await natMap(view);
  const name = masterName(view.options);
  return (process) => ({
    ...CONNECTION_OPTIONS,
    ...auth,
    sentinels: sentinelsFor(view, process),
    ...(sentinelCredentials.password === undefined ? {} : { sentinelPassword: sentinelCredentials.password }),
    name,
    natMap: nat,
    // One pass over the sentinels per connection attempt; the op fails if none answers.
    sentinelRetryStrategy: () => null,
    sentinelCommandTimeout: PROBE_TIMEOUT_MS,
    // The sentinels' own list of peers holds network addresses; the harness knows its way to each already.
    updateSentinels: false,
    // Not following failovers behind the op's back: a connection stays with the server it reached.
    failoverDetector: false,
  });
}

/** The channel of the ready check's replicated no-op, and how long it waits for the replicas to acknowledge it. */
const READY_CHANNEL = 'faultline:ready';
const READY_WAIT_MS = 100;

/** The harness's own connections to a node's two servers, for the ready check. */
interface NodeProbes {
  redis: AdminConnection;
  sentinel: AdminConnection;
}

function probesOf(view: ClusterView, node: string): NodeProbes {
  return {
    redis: new AdminConnection(view.endpoint(node, REDIS_PORT), `${node}'s server`),
    sentinel: new AdminConnection(view.endpoint(node, SENTINEL_PORT), `${node}'s sentinel`),
  };
}

/** What is not yet so of a node: its server answers, its replication links are up, its sentinel knows every peer. */
async function notYetReady(view: ClusterView, node: string, probes: NodeProbes): Promise<string | undefined> {
  const n = view.nodes.length;
  const primary = view.nodes[0];
  if ((await probes.redis.ask((c) => c.ping())) !== 'PONG') return `${node}: no PONG`;
  if (node !== primary) {
    const replication = await probes.redis.ask((c) => c.info('replication'));
    if (!/master_link_status:up/.test(replication)) return `${node}: replica not yet in sync with ${primary}`;
  } else {
    // A replica's link can be up before the primary streams to it: after a diskless sync the primary waits for the
    // replica's first ACK, and an ACK that arrives before the primary has itself finished the transfer is not
    // counted, so the stream starts with the replica's next ACK, up to a second later. Until then WAIT cannot count
    // that replica, and a run with `wait` would begin with info writes. So: every replica done with its sync, then
    // a write made after that (a PUBLISH: replicated, and no data changes) acknowledged by all of them. A write
    // made before a replica's sync would be in its snapshot, and prove nothing.
    const replication = await probes.redis.ask((c) => c.info('replication'));
    const online = (replication.match(/^slave\d+:.*state=online/gm) ?? []).length;
    if (online !== n - 1) return `${primary}: ${online} of ${n - 1} replicas done with their sync`;
    const acked = await probes.redis.ask(async (c) => {
      await c.publish(READY_CHANNEL, node);
      return c.wait(n - 1, READY_WAIT_MS);
    });
    if (acked !== n - 1) return `${primary}: ${acked} of ${n - 1} replicas acknowledge the replication stream`;
  }
  const flat = (await probes.sentinel.ask((c) => c.call('SENTINEL', 'MASTER', masterName(view.options)))) as string[];
  const master = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) master.set(flat[i], flat[i + 1]);
  const others = Number(master.get('num-other-sentinels'));
  const replicas = Number(master.get('num-slaves'));
  if (master.get('ip') !== view.ip(primary)) return `${node}'s sentinel sees the primary at ${master.get('ip')}`;
  if (others !== n - 1) return `${node}'s sentinel knows ${others} of ${n - 1} other sentinels`;
  if (replicas !== n - 1) return `${node}'s sentinel knows ${replicas} of ${n - 1} replicas`;
  return undefined;
}

/**
 * Redis with Sentinel: on each node a data server and a sentinel. n1 is the primary at start, the others replicate
 * it asynchronously; the sentinels (quorum: a majority) promote a replica when the primary is unreachable for 1 s.
 * Clients find the primary through the sentinels and keep their connection for as long as it is up, so a client
 * that reached a primary the others have since replaced keeps writing to it. That is Redis's documented weakness:
 * a primary isolated with a minority goes on acknowledging writes, and when the partition heals it becomes a
 * replica of the new primary and drops them (lost acknowledged writes; `wait` narrows, but does not close, that
 * window). Workloads: set, register.
 *
 * On the user's own Sentinel deployment (`--runtime external`): each node names its server (`port`, default 6379)
 * and its sentinel (`ports.sentinel`, default 26379) at the address the sentinels know it by (`ip`); any node may be
 * the primary at the start (externalReady). The sentinels monitor the primary under the `master` option's name
 * (default mymaster). A password is the whole deployment's; the sentinels are given it too when they ask for one.
 */
export const redisReplicated: DockerTarget<'redis'> = {
  name: 'redis-replicated',
  description:
    'Redis, a primary and replicas with Sentinel failover; options wait=<replicas>, master=<name> (workloads: set, register; loses acknowledged writes on partition; external: a server and a sentinel per node)',
  bugs: [],
  defaultNodes: 3,
  operations: REDIS_OPERATIONS,
  images: { redis: REDIS_IMAGE },
  options: {
    wait: {
      schema: z.int().min(0),
      description: 'replicas that must acknowledge each write (Redis WAIT) before it counts; fewer makes the op info',
    },
    master: {
      schema: z.string().regex(/^[A-Za-z0-9._-]+$/),
      description: `the name the sentinels monitor the primary under (default ${MASTER_NAME}); on an external cluster, the one its sentinels use`,
    },
  },
  nodeIds: (n) => numberedNodes(n, 3),
  external: {
    services: [
      { name: 'redis', port: REDIS_PORT },
      { name: 'sentinel', port: SENTINEL_PORT },
    ],
    ready: externalReady,
  },
  containers(ctx: ContainerContext<'redis'>) {
    waitReplicas(ctx.options, ctx.nodes.length);
    // The official image's entrypoint runs a command other than `redis-server` as it is (as root, like the local one).
    const spec = (node: string) => ({ image: ctx.image('redis'), cmd: ['sh', '-c', nodeScript(ctx, node)], ports: [REDIS_PORT, SENTINEL_PORT] });
    return Object.fromEntries(ctx.nodes.map((node) => [node, spec(node)]));
  },
  async ready(view, deadline) {
    const probes = new Map(view.nodes.map((n) => [n, probesOf(view, n)]));
    try {
      await pollUntil(deadline, async () => {
        for (const [node, p] of probes) {
          const why = await notYetReady(view, node, p);
          if (why !== undefined) return why;
        }
        return undefined;
      });
    } finally {
      for (const p of probes.values()) {
        p.redis.disconnect();
        p.sentinel.disconnect();
      }
    }
  },
  async open(view) {
    const wait = waitReplicas(view.options, view.nodes.length);
    const connectionOptions = await primaryConnections(view);
    const clients = new OpenClients();
    const roles = new RoleProbe(view, REDIS_PORT);
    return {
      client: (process) => clients.add(redisClient({ connection: () => new Redis(connectionOptions(process)), waitReplicas: wait })),
      primaries: () => roles.primaries(),
      async close() {
        clients.closeAll();
        roles.close();
      },
    };
  },
};
