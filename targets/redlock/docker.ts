import { z } from 'zod';
import { describeError, usageError } from '../../harness/errors.js';
import { numberedNodes } from '../../harness/node.js';
import type { ClusterView, ContainerContext, ContainerSpec, DockerTarget, TargetSession } from '../../harness/runtimes/docker/target.js';
import type { Client } from '../../harness/runtime.js';
import { lockClient } from '../lock/client.js';
import { createResource, LockResource } from '../lock/resource.js';
import { PORT as PG_PORT, postgresContainer, untilServing } from '../postgres/docker.js';
import { POSTGRES_IMAGE } from '../postgres/image.js';
import { authOf } from '../redis/auth.js';
import { OpenClients } from '../redis/client.js';
import { untilPong } from '../redis/probe.js';
import { dataDir, durableArgs, REDIS_IMAGE, REDIS_PORT, serverBinary } from '../redis/server.js';
import { Redlock } from './redlock.js';
import { ServerLink } from './server-link.js';

/** The node that holds the protected resource (and the fencing sequence); the Redis servers are n1 … nN. */
export const RESOURCE_NODE = 'pg';
export const DEFAULT_SERVERS = 5;
export const DEFAULT_TTL_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 3000;
/** The lock workload's operations (workloads/lock.ts). */
const LOCK_OPERATIONS = ['acquire', 'read', 'write', 'release', 'final-read'];

const BUGS = {
  // The Redlock lock as it is, but the resource takes any token: a holder whose lease ran out writes anyway.
  'no-fencing': { fenced: false },
} as const;

/** N independent servers with a majority: an even N adds a server and no tolerance, and fewer than 3 tolerate no loss. */
function servers(n: number): number {
  const count = n > 0 ? n : DEFAULT_SERVERS;
  if (count < 3 || count % 2 === 0) throw usageError(`redlock needs an odd number of Redis servers, at least 3 (--nodes ${count})`);
  return count;
}

const redisNodes = (nodes: readonly string[]) => nodes.filter((n) => n !== RESOURCE_NODE);

function fencedOf(bug: string | undefined): boolean {
  if (bug === undefined) return true;
  if (!Object.hasOwn(BUGS, bug)) throw new Error(`no bug '${bug}' (known: ${Object.keys(BUGS).join(', ')})`);
  return BUGS[bug as keyof typeof BUGS].fenced;
}

function optionsOf(options: Readonly<Record<string, unknown>>): { ttlMs: number; timeoutMs: number } {
  return {
    ttlMs: (options.ttl as number | undefined) ?? DEFAULT_TTL_MS,
    timeoutMs: (options.timeout as number | undefined) ?? DEFAULT_TIMEOUT_MS,
  };
}

function redisContainer(ctx: ContainerContext<'redis' | 'postgres'>): ContainerSpec {
  // Every SET fsynced before its reply: a server killed and restarted has not forgotten a grant (antirez's
  // alternative, a restarted server that stays away for a lease, is not what a kill fault does here).
  return { image: ctx.image('redis'), cmd: [serverBinary(ctx.flavour), ...durableArgs(dataDir(ctx.flavour))], ports: [REDIS_PORT] };
}

/**
 * Redlock (antirez's distributed lock) over N independent Redis servers n1 … nN, no replication between them: a
 * lock is held by whoever a majority granted it to, within a validity time that discounts the acquisition's
 * duration and the clocks' drift (see redlock.ts). The resource it protects is a counter in PostgreSQL on `pg`,
 * fenced by default with tokens from a sequence there, since N independent servers have no counter in common.
 * Without fencing (`--bug no-fencing`), a holder paused past its lease, or a server whose clock jumps ahead and
 * expires a grant early, lets two holders write: Kleppmann's critique, on real servers.
 */
export const redlock: DockerTarget<'redis' | 'postgres'> = {
  name: 'redlock',
  description:
    'Redlock over N independent Redis servers (odd, default 5) protecting a PostgreSQL counter, fenced by default; options ttl=<ms>, timeout=<ms> (workload: lock; bug: no-fencing)',
  bugs: Object.keys(BUGS),
  defaultNodes: DEFAULT_SERVERS,
  operations: LOCK_OPERATIONS,
  images: { redis: REDIS_IMAGE, postgres: POSTGRES_IMAGE },
  options: {
    ttl: { schema: z.int().min(10).max(600_000), description: `the lock's lease in ms, Redis's PX (default ${DEFAULT_TTL_MS})` },
    timeout: { schema: z.int().min(0).max(600_000), description: `how long an acquire keeps trying, ms (default ${DEFAULT_TIMEOUT_MS})` },
  },
  nodeIds: (n) => [...numberedNodes(servers(n), DEFAULT_SERVERS), RESOURCE_NODE],
  // The protected resource is what the lock is tested against: faults aimed at random, a minority or all spare it.
  bystanders: [RESOURCE_NODE],
  containers(ctx) {
    fencedOf(ctx.bug);
    servers(redisNodes(ctx.nodes).length);
    const specs: Record<string, ContainerSpec> = {};
    for (const node of redisNodes(ctx.nodes)) specs[node] = redisContainer(ctx);
    specs[RESOURCE_NODE] = postgresContainer(ctx.image('postgres'), ctx.flavour);
    return specs;
  },
  async ready(view, deadline) {
    const resource = (async () => {
      await untilServing(view, RESOURCE_NODE, deadline);
      try {
        await createResource(view.endpoint(RESOURCE_NODE, PG_PORT), view.credentials(RESOURCE_NODE));
      } catch (e) {
        throw new Error(`postgres on ${RESOURCE_NODE}: creating the resource: ${describeError(e)}`);
      }
    })();
    await Promise.all([resource, ...redisNodes(view.nodes).map((node) => untilPong(view, node, deadline))]);
  },
  async open(view: ClusterView): Promise<TargetSession> {
    const fenced = fencedOf(view.bug);
    const { ttlMs, timeoutMs } = optionsOf(view.options);
    const pg = view.endpoint(RESOURCE_NODE, PG_PORT);
    const clients = new OpenClients();
    return {
      client(process): Client {
        const links = redisNodes(view.nodes).map((n) => new ServerLink(n, view.endpoint(n, REDIS_PORT), authOf(view, n)));
        return clients.add(
          lockClient({
            service: new Redlock(links, ttlMs),
            resource: new LockResource(pg, process, fenced, view.credentials(RESOURCE_NODE)),
            // Tokens are taken either way: without fencing they are the evidence of who held the lock after whom.
            tokens: true,
            fenced,
            acquireTimeoutMs: timeoutMs,
          }),
        );
      },
      async close() {
        clients.closeAll();
      },
    };
  },
};
