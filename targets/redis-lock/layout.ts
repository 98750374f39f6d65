import { usageError } from '../../harness/errors.js';
import type { ClusterView, ContainerContext } from '../../harness/runtimes/docker/target.js';

/** The node that holds the protected resource (PostgreSQL), beside the Redis nodes. */
export const PG_NODE = 'pg';
/** Redis with Sentinel needs a majority of sentinels to fail over: three nodes at least. */
export const REPLICATED_NODES = 3;

export const isReplicated = (options: Readonly<Record<string, unknown>>): boolean => options.replicated === true;

/** The Redis nodes of a cluster: every node but the resource's. */
export const redisNodes = (nodes: readonly string[]): string[] => nodes.filter((n) => n !== PG_NODE);

/** The cluster has its resource node and the number of Redis nodes its layout takes (one, or three or more with Sentinel). */
export function checkLayout(nodes: readonly string[], options: Readonly<Record<string, unknown>>): void {
  if (!nodes.includes(PG_NODE)) throw usageError(`redis-lock: no node named ${PG_NODE} (the PostgreSQL server of the protected resource)`);
  const redis = redisNodes(nodes).length;
  if (isReplicated(options) && redis < REPLICATED_NODES) {
    throw usageError(`redis-lock: replicated needs ${REPLICATED_NODES} Redis nodes or more for Sentinel's majority (got ${redis})`);
  }
  if (!isReplicated(options) && redis !== 1) {
    throw usageError(`redis-lock: one Redis server unless replicated (got ${redis} Redis nodes; use --nodes 1, or --options '{"replicated": true}')`);
  }
}

/**
 * The Redis part of a cluster as redis-replicated's code sees one (its node scripts, ready check and sentinel
 * connections count every node of the view as a Redis node).
 */
export function redisContext<R extends string>(ctx: ContainerContext<R>): ContainerContext<R> {
  return { nodes: redisNodes(ctx.nodes), flavour: ctx.flavour, image: (role) => ctx.image(role), ips: ctx.ips, bug: ctx.bug, options: ctx.options };
}

export function redisView(view: ClusterView): ClusterView {
  return {
    nodes: redisNodes(view.nodes),
    ip: (n) => view.ip(n),
    endpoint: (n, p) => view.endpoint(n, p),
    address: (n, p) => view.address(n, p),
    credentials: (n) => view.credentials(n),
    exec: (n, cmd) => view.exec(n, cmd),
    bug: view.bug,
    options: view.options,
  };
}
