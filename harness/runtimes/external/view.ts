import type { ExternalNode } from '../../config/cluster-spec.js';
import { readPassword } from '../../config/secrets.js';
import { usageError } from '../../errors.js';
import type { ClusterView, DockerTarget, NodeCredentials } from '../docker/target.js';

export type Endpoint = { host: string; port: number };

export interface ExternalViewOptions {
  bug: string | undefined;
  options: Readonly<Record<string, unknown>>;
  /**
   * Where clients reach a node's service instead of its own address: the fault proxy's front for it. Absent: the
   * node's address itself.
   */
  front?: (node: string, service: string, upstream: Endpoint) => Endpoint;
}

/** A node's services as the target names them (those it serves, where nodes differ), each with its port on the user's node. */
export function servicePorts(
  target: DockerTarget,
  node: ExternalNode,
  options: Readonly<Record<string, unknown>>,
): { name: string; containerPort: number; port: number }[] {
  const declared = target.external?.services ?? [];
  const served = target.external?.servedBy?.(node.name, options);
  const services = served === undefined ? declared : declared.filter((s) => served.includes(s.name));
  return services.map((s, i) => ({
    name: s.name,
    containerPort: s.port,
    port: i === 0 ? (node.port ?? node.ports?.[s.name] ?? s.port) : (node.ports?.[s.name] ?? s.port),
  }));
}

/**
 * The cluster as a target sees it when the user started it: the nodes' own addresses, the services' ports the
 * test names (by the port the target gives them in a container, so a target's code is the same in both runtimes),
 * the credentials read from where the test points (once, at start), and clients sent through the fault proxy.
 */
export function externalView(target: DockerTarget, nodes: readonly ExternalNode[], o: ExternalViewOptions): ClusterView {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const credentials = new Map<string, NodeCredentials | undefined>();
  for (const n of nodes) {
    const c: NodeCredentials = {};
    if (n.user !== undefined) c.user = n.user;
    if (n.database !== undefined) c.database = n.database;
    if (n.password !== undefined) c.password = readPassword(n.password, `node ${n.name}: password`);
    credentials.set(n.name, Object.keys(c).length ? c : undefined);
  }
  const node = (name: string) => {
    const n = byName.get(name);
    if (!n) throw new Error(`no node ${name} in this cluster`);
    return n;
  };
  const service = (name: string, containerPort: number) => {
    const s = servicePorts(target, node(name), o.options).find((x) => x.containerPort === containerPort);
    if (!s) throw new Error(`target ${target.name} declares no service on port ${containerPort}`);
    return s;
  };
  return {
    nodes: nodes.map((n) => n.name),
    ip: (name) => node(name).ip ?? node(name).host,
    endpoint(name, containerPort) {
      const s = service(name, containerPort);
      const upstream = { host: node(name).host, port: s.port };
      return o.front ? o.front(name, s.name, upstream) : upstream;
    },
    address(name, containerPort) {
      const n = node(name);
      // A container's peers reach it on their network at its own port, not the port published for the harness.
      const port = n.container !== undefined && n.ip !== undefined ? containerPort : service(name, containerPort).port;
      return { host: n.ip ?? n.host, port };
    },
    credentials: (name) => credentials.get(node(name).name),
    exec: (name) => Promise.reject(usageError(`node ${name} is not ours to run commands on (external runtime)`)),
    bug: o.bug,
    options: o.options,
  };
}
