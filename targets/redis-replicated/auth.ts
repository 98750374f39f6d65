import { UsageError, usageError } from '../../harness/errors.js';
import type { ClusterView } from '../../harness/runtimes/docker/target.js';
import { authOf, type RedisAuth } from '../redis/auth.js';
import { AdminConnection } from '../redis/probe.js';
import { SENTINEL_PORT } from './sentinel.js';

/**
 * The credentials of the whole deployment: a client reaches whichever server the sentinels name, so every node's
 * must be the same (as a replica's `masterauth` is its primary's password).
 */
export function deploymentAuth(view: ClusterView): RedisAuth {
  const [first, ...others] = view.nodes.map((n) => authOf(view, n));
  if (others.some((a) => a.username !== first.username || a.password !== first.password)) {
    throw usageError('redis-replicated: every node must have the same user and password (a client reaches whichever server the sentinels name)');
  }
  return first;
}

/**
 * What the sentinels are asked to authenticate with: the deployment's password as Sentinel's own (`requirepass`
 * in sentinel.conf, its default user), if they ask for one. Many deployments protect the servers and not the
 * sentinels; a password sent to a server that has none makes ioredis print a warning for every connection, so the
 * sentinels are asked first, without one, whether they want it.
 */
export async function sentinelAuth(view: ClusterView, auth: RedisAuth): Promise<RedisAuth> {
  if (auth.password === undefined) return {};
  for (const node of view.nodes) {
    const probe = new AdminConnection(view.endpoint(node, SENTINEL_PORT), `${node}'s sentinel`);
    try {
      await probe.ask((c) => c.ping());
      return {};
    } catch (e) {
      // Refused without a password: it wants one. Not answering: ask the next.
      if (e instanceof UsageError) return { password: auth.password };
    } finally {
      probe.disconnect();
    }
  }
  return { password: auth.password };
}
