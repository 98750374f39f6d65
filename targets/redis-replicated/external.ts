import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { usageError } from '../../harness/errors.js';
import { formatAddress, type Address } from '../../harness/hosting/address.js';
import type { ClusterView } from '../../harness/runtimes/docker/target.js';
import { pollUntil } from '../../harness/runtimes/docker/poll.js';
import type { RedisAuth } from '../redis/auth.js';
import { AdminConnection } from '../redis/probe.js';
import { REDIS_PORT } from '../redis/server.js';
import { deploymentAuth, sentinelAuth } from './auth.js';
import { masterName, SENTINEL_PORT } from './sentinel.js';

/**
 * A node's service as the servers name it among themselves (what Sentinel reports, what a primary lists as its
 * replicas): `ip:port`, a host name resolved, since Sentinel reports addresses, not names.
 */
export async function announced(view: ClusterView, node: string, port: number): Promise<string> {
  const a: Address = view.address(node, port);
  if (isIP(a.host)) return formatAddress(a);
  try {
    return formatAddress({ host: (await lookup(a.host)).address, port: a.port });
  } catch {
    // Unresolvable here: compared as written, and the mismatch said plainly.
    return formatAddress(a);
  }
}

interface Probes {
  redis: AdminConnection;
  sentinel: AdminConnection;
}

/** `[field, value, field, value …]` (SENTINEL MASTER's answer) as a map. */
function fields(flat: unknown): Map<string, string> {
  const m = new Map<string, string>();
  if (Array.isArray(flat)) for (let i = 0; i + 1 < flat.length; i += 2) m.set(String(flat[i]), String(flat[i + 1]));
  return m;
}

/** The replicas a primary's INFO replication lists as online, as `ip:port`. */
function onlineReplicas(info: string): Set<string> {
  const online = new Set<string>();
  for (const line of info.split(/\r?\n/)) {
    if (!/^slave\d+:/.test(line)) continue;
    const f = new Map(line.slice(line.indexOf(':') + 1).split(',').map((kv) => kv.split('=') as [string, string]));
    if (f.get('state') === 'online') online.add(formatAddress({ host: f.get('ip') ?? '', port: Number(f.get('port')) }));
  }
  return online;
}

/** The channel of the ready check's replicated no-op, and how long it waits for the replicas to acknowledge it. */
const READY_CHANNEL = 'faultline:ready';
const READY_WAIT_MS = 100;

/**
 * The ready check of a Redis with Sentinel that the user started: nothing is assumed about which node is primary
 * or how the deployment was configured. Ready when every node's server and sentinel answer; the sentinels agree on
 * one primary under the master name, and it is one of the nodes; that primary lists every other node as an online
 * replica and they acknowledge a write made now (so a run with `wait` does not begin with info writes); and every
 * sentinel knows the replicas and the other sentinels (else a failover in the run would find no one to promote,
 * or no quorum). Credentials a server refuses, or a master name no sentinel monitors, fail at once (one line).
 */
export async function externalReady(view: ClusterView, deadline: number): Promise<void> {
  const auth = deploymentAuth(view);
  const master = masterName(view.options);
  const sentinelCredentials: RedisAuth = await sentinelAuth(view, auth);
  const addresses = new Map(await Promise.all(view.nodes.map(async (n) => [n, await announced(view, n, REDIS_PORT)] as const)));
  const nodeAt = new Map([...addresses].map(([n, a]) => [a, n]));
  const probes = new Map<string, Probes>(
    view.nodes.map((n) => [
      n,
      {
        redis: new AdminConnection(view.endpoint(n, REDIS_PORT), `${n}'s server`, auth),
        sentinel: new AdminConnection(view.endpoint(n, SENTINEL_PORT), `${n}'s sentinel`, sentinelCredentials),
      },
    ]),
  );
  const n = view.nodes.length;

  const notYet = async (): Promise<string | undefined> => {
    for (const [node, p] of probes) {
      if ((await p.redis.ask((c) => c.ping())) !== 'PONG') return `${node}'s server: no PONG`;
      if ((await p.sentinel.ask((c) => c.ping())) !== 'PONG') return `${node}'s sentinel: no PONG`;
    }
    // Which primary each sentinel names.
    const named = new Map<string, string>();
    for (const [node, p] of probes) {
      const reply = (await p.sentinel.ask((c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', master))) as [string, string] | null;
      if (reply === null) {
        const masters = ((await p.sentinel.ask((c) => c.call('SENTINEL', 'MASTERS'))) as unknown[]).map((m) => fields(m).get('name'));
        throw usageError(
          `redis-replicated: ${node}'s sentinel monitors no master named '${master}' (it monitors: ${masters.join(', ') || 'none'}); set the option master to its name`,
        );
      }
      named.set(node, formatAddress({ host: reply[0], port: Number(reply[1]) }));
    }
    const claims = new Set(named.values());
    if (claims.size > 1) return `the sentinels do not agree on the primary (${[...named].map(([s, a]) => `${s}'s: ${a}`).join(', ')})`;
    const [primaryAddress] = claims;
    const primary = nodeAt.get(primaryAddress);
    if (primary === undefined) {
      return (
        `the sentinels name the primary ${primaryAddress}, none of the nodes (${[...addresses].map(([x, a]) => `${x} ${a}`).join(', ')}): ` +
        `give each node the address its sentinels know it by (its ip)`
      );
    }
    const redis = probes.get(primary)!.redis;
    const info = await redis.ask((c) => c.info('replication'));
    if (!/^role:master/m.test(info)) return `${primary}, the sentinels' primary, is not a primary yet`;
    const online = onlineReplicas(info);
    const missing = view.nodes.filter((x) => x !== primary && !online.has(addresses.get(x)!));
    if (missing.length) return `${primary} (primary) does not list ${missing.join(', ')} as online replicas (it lists: ${[...online].join(', ') || 'none'})`;
    // A write made now, acknowledged by every replica: the replication stream flows (see the Docker ready check).
    const acked = await redis.ask(async (c) => {
      await c.publish(READY_CHANNEL, 'ready');
      return c.wait(n - 1, READY_WAIT_MS);
    });
    if (acked < n - 1) return `${primary} (primary): ${acked} of ${n - 1} replicas acknowledge the replication stream`;
    for (const [node, p] of probes) {
      const m = fields(await p.sentinel.ask((c) => c.call('SENTINEL', 'MASTER', master)));
      if (Number(m.get('num-slaves')) < n - 1) return `${node}'s sentinel knows ${m.get('num-slaves')} of ${n - 1} replicas`;
      if (Number(m.get('num-other-sentinels')) < n - 1) return `${node}'s sentinel knows ${m.get('num-other-sentinels')} of ${n - 1} other sentinels`;
    }
    return undefined;
  };

  try {
    await pollUntil(deadline, notYet);
  } finally {
    for (const p of probes.values()) {
      p.redis.disconnect();
      p.sentinel.disconnect();
    }
  }
}
