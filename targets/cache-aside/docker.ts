import { Redis } from 'ioredis';
import { usageError } from '../../harness/errors.js';
import type { ClusterView, ContainerSpec, DockerTarget } from '../../harness/runtimes/docker/target.js';
import type { ImageFlavour } from '../../harness/runtimes/docker/image-roles.js';
import { PORT as PG_PORT, postgresContainer, untilServing } from '../postgres/docker.js';
import { POSTGRES_IMAGE } from '../postgres/image.js';
import { authOf } from '../redis/auth.js';
import { CONNECTION_OPTIONS, OpenClients } from '../redis/client.js';
import { redis } from '../redis/docker.js';
import { REDIS_IMAGE, REDIS_PORT, serverBinary } from '../redis/server.js';
import { KEY_PATTERN } from './cache.js';
import { cacheAsideClient } from './client.js';
import { BUGS, CACHE_OPTIONS, cacheMode, leaseOf, ttlOf } from './mode.js';
import { createStore, Store } from './store.js';

/** The cache's node (Redis) and the database's (PostgreSQL): the only two, and the roles faults aim at by name. */
export const CACHE_NODE = 'cache';
export const DB_NODE = 'db';

/** The cache workload's operations. */
const CACHE_OPERATIONS = ['read', 'write', 'settle'];

/**
 * A cache keeps nothing it cannot lose: no append-only file, no snapshots, so a restart (a kill, then a start) is a
 * cache that lost every entry and every lease, as a restarted memcached or an evicting Redis does.
 */
function cacheContainer(image: string, flavour: ImageFlavour): ContainerSpec {
  return { image, cmd: [serverBinary(flavour), '--port', String(REDIS_PORT), '--protected-mode', 'no', '--save', '', '--appendonly', 'no'], ports: [REDIS_PORT] };
}

/** The two nodes, by name: --nodes names no other layout. */
function checkLayout(nodes: readonly string[]): void {
  if (nodes.length !== 2 || !nodes.includes(CACHE_NODE) || !nodes.includes(DB_NODE)) {
    throw usageError(`cache-aside: two nodes, ${CACHE_NODE} (Redis) and ${DB_NODE} (PostgreSQL); got ${nodes.join(', ') || 'none'}`);
  }
}

const cacheView = (view: ClusterView): ClusterView => ({ ...view, nodes: [CACHE_NODE] });

/** Deletes what an earlier run left in the cache (the user's Redis, with `--runtime external`): only this target's keys. */
async function clearCache(view: ClusterView): Promise<void> {
  const conn = new Redis({ ...view.endpoint(CACHE_NODE, REDIS_PORT), ...CONNECTION_OPTIONS, ...authOf(view, CACHE_NODE) });
  conn.on('error', () => {});
  try {
    await conn.connect();
    let cursor = '0';
    do {
      const [next, keys] = await conn.scan(cursor, 'MATCH', KEY_PATTERN, 'COUNT', 1000);
      if (keys.length > 0) await conn.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    conn.disconnect();
  }
}

async function ready(view: ClusterView, deadline: number): Promise<void> {
  checkLayout(view.nodes);
  await Promise.all([
    untilServing(view, DB_NODE, deadline).then(() => createStore(view.endpoint(DB_NODE, PG_PORT), view.credentials(DB_NODE))),
    redis.ready(cacheView(view), deadline).then(() => clearCache(view)),
  ]);
}

/**
 * Cache-aside: Redis as the cache in front of PostgreSQL, the application's logic in faultline's clients (as it
 * runs in a real service). A read looks in the cache and, on a miss, reads the database and fills the cache; a write
 * updates the database and invalidates the entry. Correct: Facebook's memcache leases, so that a fill whose database
 * read came before a newer write can never land, entries expiring after `ttl`. Bugs: fill-race (the textbook: a blind
 * fill), delete-first (invalidate, then update), no-ttl (fill-race with entries that never expire).
 *
 * The cache and the database talk only to the clients (peerless): `partition`, `latency` and `loss` are the fault
 * proxy's, between the clients and a node. Unless the test aims them, latency and pauses stall the database (they
 * widen the race), and kills (a restart: the cache loses every entry) and partitions hit the cache.
 */
export const cacheAside: DockerTarget<'redis' | 'postgres'> = {
  name: 'cache-aside',
  description:
    'Redis as a cache in front of PostgreSQL, the application in the clients: leases by default; options ttl, lease (workload: cache; bugs: fill-race, delete-first, no-ttl; nodes cache and db; external too)',
  bugs: Object.keys(BUGS),
  defaultNodes: 2,
  operations: CACHE_OPERATIONS,
  workload: 'cache',
  images: { redis: REDIS_IMAGE, postgres: POSTGRES_IMAGE },
  options: CACHE_OPTIONS,
  nodeIds: () => [CACHE_NODE, DB_NODE],
  roles: () => ({ cache: [CACHE_NODE], db: [DB_NODE] }),
  // Latency and pauses stall the database, which widens the race between a miss's read and its fill (a paused
  // cache only stalls everyone alike); a kill restarts the cache (it loses every entry); a partition cuts it off.
  aims: { latency: 'db', 'client-latency': 'db', pause: 'db', kill: 'cache', partition: 'cache', 'client-partition': 'cache' },
  peerless: true,
  external: {
    services: [
      { name: 'redis', port: REDIS_PORT },
      { name: 'postgres', port: PG_PORT },
    ],
    servedBy: (node) => (node === DB_NODE ? ['postgres'] : ['redis']),
    // Every bug lives in faultline's clients.
    bugs: Object.keys(BUGS),
    ready,
  },
  containers(ctx) {
    checkLayout(ctx.nodes);
    return { [CACHE_NODE]: cacheContainer(ctx.image('redis'), ctx.flavour), [DB_NODE]: postgresContainer(ctx.image('postgres'), ctx.flavour) };
  },
  ready,
  async open(view) {
    checkLayout(view.nodes);
    const mode = cacheMode(view.bug);
    const server = { ...view.endpoint(CACHE_NODE, REDIS_PORT), ...CONNECTION_OPTIONS, ...authOf(view, CACHE_NODE) };
    const clients = new OpenClients();
    return {
      client: (process) =>
        clients.add(
          cacheAsideClient({
            mode,
            ttlMs: ttlOf(view.options),
            leaseMs: leaseOf(view.options),
            connection: () => new Redis(server),
            store: new Store(view.endpoint(DB_NODE, PG_PORT), process, view.credentials(DB_NODE)),
          }),
        ),
      async close() {
        clients.closeAll();
      },
    };
  },
};
