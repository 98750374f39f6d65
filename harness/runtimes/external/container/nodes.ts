import type { StartedDockerComposeEnvironment, StartedNetwork, StartedTestContainer } from 'testcontainers';
import type { ExternalNode, SecretRef } from '../../../config/cluster-spec.js';
import { usageError } from '../../../errors.js';

/*
 * The hand-over: containers a user started with testcontainers, in their own tests, become the nodes of an external
 * cluster (`runtime: 'external'`), each naming its container so the `docker` fault method can kill, pause and cut
 * it. Type imports only: whoever calls these has testcontainers loaded already, and the package's entry stays light.
 */

export interface ContainerNodesOptions {
  /** The container port of the target's first service (6379 for redis): a node's `port` is the host port it is published on. */
  port: number;
  /** The container ports of the target's other services, by the target's names for them (redis-replicated: `{ sentinel: 26379 }`). */
  ports?: Record<string, number>;
  /** The network the containers reach each other on (what a partition cuts); absent: the one they all share besides Docker's default. */
  network?: StartedNetwork | string;
  /** The service's credentials, the same on every node; a password is a reference (`{ env: 'REDIS_PASSWORD' }`), never the secret. */
  user?: string;
  password?: SecretRef;
  database?: string;
}

/** Docker's default network: every container is on it unless started otherwise, so it says least about peers. */
const DEFAULT_NETWORK = 'bridge';

/**
 * Started testcontainers as the nodes of an external cluster: each reached at its host and the host port its
 * service is published on, with its address on the network the containers share (what its peers, and a partition,
 * know it by) and its container's id. Nodes are named n1, n2, … in the containers' order, unless `names` says.
 */
export function nodesFromContainers(containers: readonly StartedTestContainer[], o: ContainerNodesOptions & { names?: readonly string[] }): ExternalNode[] {
  if (containers.length === 0) throw usageError('nodesFromContainers: no containers');
  if (o.names !== undefined && o.names.length !== containers.length) {
    throw usageError(`nodesFromContainers: ${o.names.length} names for ${containers.length} containers`);
  }
  const network = sharedNetwork(containers, o.network);
  return containers.map((c, i) => {
    const node: ExternalNode = {
      name: o.names?.[i] ?? `n${i + 1}`,
      host: c.getHost(),
      port: published(c, o.port),
      ip: c.getIpAddress(network),
      container: c.getId(),
    };
    if (o.ports !== undefined) node.ports = Object.fromEntries(Object.entries(o.ports).map(([name, p]) => [name, published(c, p)]));
    if (o.user !== undefined) node.user = o.user;
    if (o.password !== undefined) node.password = o.password;
    if (o.database !== undefined) node.database = o.database;
    return node;
  });
}

/**
 * A compose environment's containers as the nodes of an external cluster. `containers` are named as
 * `environment.getContainer` takes them (Compose v2: `redis-1`); each node is named after its compose service
 * (`redis`), or its service and number when a service has several containers (`redis-1`, `redis-2`).
 */
export function nodesFromCompose(environment: StartedDockerComposeEnvironment, o: ContainerNodesOptions & { containers: readonly string[] }): ExternalNode[] {
  const containers = o.containers.map((name) => environment.getContainer(name));
  const services = containers.map((c, i) => c.getLabels()['com.docker.compose.service'] ?? o.containers[i]);
  const names = containers.map((c, i) => {
    const several = services.filter((s) => s === services[i]).length > 1;
    return several ? `${services[i]}-${c.getLabels()['com.docker.compose.container-number'] ?? i + 1}` : services[i];
  });
  return nodesFromContainers(containers, { ...o, names });
}

/** The host port a container port is published on; a port the container does not publish is the caller's mistake. */
function published(c: StartedTestContainer, port: number): number {
  try {
    return c.getMappedPort(port);
  } catch {
    throw usageError(`container ${c.getName()} does not publish port ${port}: start it with withExposedPorts(${port})`);
  }
}

/** The network the nodes reach each other on: the one named, or the only one they all share (Docker's default last). */
function sharedNetwork(containers: readonly StartedTestContainer[], named: StartedNetwork | string | undefined): string {
  if (named !== undefined) {
    const name = typeof named === 'string' ? named : named.getName();
    const off = containers.filter((c) => !c.getNetworkNames().includes(name));
    if (off.length > 0) throw usageError(`container ${off[0].getName()} is not on network ${name}`);
    return name;
  }
  const shared = containers.map((c) => c.getNetworkNames()).reduce((a, b) => a.filter((n) => b.includes(n)));
  const own = shared.filter((n) => n !== DEFAULT_NETWORK);
  if (own.length === 1) return own[0];
  if (own.length === 0 && shared.includes(DEFAULT_NETWORK)) return DEFAULT_NETWORK;
  if (shared.length === 0) throw usageError('the containers share no network: their nodes cannot reach each other (start them withNetwork(network))');
  throw usageError(`the containers share the networks ${own.join(', ')}: say which one they reach each other on (network:)`);
}
