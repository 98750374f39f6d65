import type Dockerode from 'dockerode';
import { randomBytes } from 'node:crypto';
import { describeError, usageError } from '../../errors.js';
import type { Client, Cluster } from '../../runtime.js';
import { ignoreGone, removeResources, trackCluster } from './cleanup.js';
import { execIn } from './exec.js';
import { DockerFaults, type NodeControl } from './faults.js';
import { LABELS, runFilter, runLabels } from './labels.js';
import { createRunNetwork, type RunNetwork } from './network.js';
import { freePort } from './ports.js';
import { imageOf, type RunImages } from './run-images.js';
import type { ClusterView, ContainerSpec, DockerTarget, TargetSession } from './target.js';

/** How long a cluster may take to serve clients after its containers start. */
const READY_MS = 60_000;
/** How often the runtime asks the system which node is primary, for nemeses that aim at it. */
const PRIMARY_POLL_MS = 500;

export interface DockerClusterOptions {
  nodes: number;
  bug?: string;
  options: Readonly<Record<string, unknown>>;
  /** The target's roles, resolved in the run's flavour. */
  images: RunImages;
  onStopped?: () => void;
}

interface NodeContainer {
  name: string;
  ip: string;
  container: Dockerode.Container;
  /** container port → published loopback port */
  ports: Map<number, number>;
}

/**
 * A target's nodes as containers on a private network of their own: one run, one network, every container and
 * the network labelled with the run id. Started, it is a Cluster (clients, real faults, primaries); stopped, every
 * trace of it is gone. Setup and teardown are timed for the benchmarks.
 */
export class DockerCluster implements Cluster {
  readonly nodes: readonly string[];
  readonly faults: DockerFaults;
  /** Milliseconds from nothing to serving clients, and from stop() to nothing left. */
  readonly setupMs: number;
  teardownMs: number | undefined;
  private primaryCache: string[] = [];
  private poller: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly runId: string,
    private readonly docker: Dockerode,
    private readonly network: RunNetwork,
    private readonly members: ReadonlyMap<string, NodeContainer>,
    private readonly session: TargetSession,
    private readonly untrack: () => void,
    setupMs: number,
    images: RunImages,
    private readonly onStopped: (() => void) | undefined,
    /** How the target (and the runtime's own tests) see the nodes: addresses, published ports, exec. */
    readonly view: ClusterView,
  ) {
    this.nodes = [...members.keys()];
    this.setupMs = setupMs;
    const controls = new Map<string, NodeControl>();
    for (const m of members.values()) controls.set(m.name, nodeControl(docker, m, images));
    this.faults = new DockerFaults(controls);
    if (session.primaries) {
      const poll = () => {
        void session.primaries!()
          .then((p) => (this.primaryCache = p))
          .catch(() => undefined)
          .finally(() => {
            if (!this.stopping) this.poller = setTimeout(poll, PRIMARY_POLL_MS);
          });
      };
      poll();
    }
  }

  static async start(docker: Dockerode, target: DockerTarget, options: DockerClusterOptions): Promise<DockerCluster> {
    const t0 = performance.now();
    const runId = randomBytes(4).toString('hex');
    // Registered before anything exists, so a signal during setup removes whatever setup got to create. Docker
    // calls under way are waited for first: a container whose creation is in flight would otherwise outlive the
    // removal that listed the run's containers a moment before it appeared.
    const inflight = new Set<Promise<unknown>>();
    let aborted = false;
    const step = <T>(p: Promise<T>): Promise<T> => {
      inflight.add(p);
      void p.then(
        () => inflight.delete(p),
        () => inflight.delete(p),
      );
      return p;
    };
    let removal: Promise<void> | undefined;
    const removeAll = () =>
      (removal ??= (async () => {
        aborted = true;
        await Promise.allSettled([...inflight]);
        await removeRun(docker, runId);
      })());
    const untrack = trackCluster(runId, removeAll);
    const notAborted = () => {
      if (aborted) throw new Error('setup interrupted');
    };
    let session: TargetSession | undefined;
    try {
      const network = await step(createRunNetwork(docker, runId));
      notAborted();
      const nodes = target.nodeIds(options.nodes);
      const ips = Object.fromEntries(nodes.map((n, i) => [n, network.ip(i)]));
      const { flavour } = options.images;
      const specs = target.containers({ nodes, flavour, image: imageOf(target, options.images), ips, bug: options.bug, options: options.options });
      const members = new Map<string, NodeContainer>();
      await Promise.all(
        nodes.map(async (n) => {
          members.set(n, await step(createNode(docker, runId, network, n, ips[n], specs[n], notAborted)));
        }),
      );
      notAborted();
      const ordered = new Map(nodes.map((n) => [n, members.get(n)!]));
      const view = clusterView(ordered, options);
      await target.ready(view, Date.now() + READY_MS).catch(async (e: unknown) => {
        throw usageError(`${target.name} did not become ready within ${READY_MS / 1000} s: ${describeError(e)}${await lastLogLine(ordered)}`);
      });
      session = await target.open(view);
      notAborted();
      return new DockerCluster(runId, docker, network, ordered, session, untrack, performance.now() - t0, options.images, options.onStopped, view);
    } catch (e) {
      await session?.close().catch(() => undefined);
      await removeAll().catch(() => undefined);
      untrack();
      throw e;
    }
  }

  client(process: number): Client {
    return this.session.client(process);
  }

  primaries(): string[] {
    return this.primaryCache;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const t0 = performance.now();
      clearTimeout(this.poller);
      await this.session.close().catch(() => undefined);
      await this.faults.settled();
      await removeRun(this.docker, this.runId, [...this.members.values()].map((m) => m.container), this.network);
      this.untrack();
      this.teardownMs = performance.now() - t0;
      this.onStopped?.();
    })();
    return this.stopping;
  }
}

async function createNode(
  docker: Dockerode,
  runId: string,
  network: RunNetwork,
  name: string,
  ip: string,
  spec: ContainerSpec | undefined,
  notAborted: () => void,
): Promise<NodeContainer> {
  if (!spec) throw new Error(`the target defines no container for node ${name}`);
  // A port chosen free can be taken before Docker binds it (by another run, or a node of this one choosing at the
  // same moment): Docker then refuses the start, and the node is made again with other ports.
  for (let attempt = 1; ; attempt++) {
    const ports = new Map<number, number>();
    for (const p of spec.ports) ports.set(p, await freePort());
    notAborted();
    const container = await createContainer(docker, runId, network, name, ip, spec, ports);
    notAborted();
    try {
      await container.start();
      return { name, ip, container, ports };
    } catch (e) {
      if (attempt >= PORT_ATTEMPTS || !/port is already allocated|address already in use/i.test(String((e as Error).message))) throw e;
      await container.remove({ force: true }).catch(ignoreGone);
    }
  }
}

/** How many times a node is made again after its published port was taken before Docker could bind it. */
const PORT_ATTEMPTS = 5;

function createContainer(
  docker: Dockerode,
  runId: string,
  network: RunNetwork,
  name: string,
  ip: string,
  spec: ContainerSpec,
  ports: ReadonlyMap<number, number>,
): Promise<Dockerode.Container> {
  return docker.createContainer({
    name: `faultline-${runId}-${name}`,
    Hostname: name,
    Image: spec.image,
    Cmd: spec.cmd,
    ...(spec.entrypoint && { Entrypoint: spec.entrypoint }),
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(spec.user && { User: spec.user }),
    Labels: { ...runLabels(runId), [LABELS.node]: name },
    ExposedPorts: Object.fromEntries(spec.ports.map((p) => [`${p}/tcp`, {}])),
    HostConfig: {
      // iptables in the node's own namespace; privileged mode is neither needed nor available everywhere.
      CapAdd: ['NET_ADMIN'],
      PortBindings: Object.fromEntries([...ports].map(([c, h]) => [`${c}/tcp`, [{ HostIp: '127.0.0.1', HostPort: String(h) }]])),
      Binds: Object.entries(spec.mounts ?? {}).map(([host, inside]) => `${host}:${inside}:ro`),
      NetworkMode: network.name,
    },
    NetworkingConfig: { EndpointsConfig: { [network.name]: { IPAMConfig: { IPv4Address: ip }, Aliases: [name] } } },
  });
}

function clusterView(members: ReadonlyMap<string, NodeContainer>, options: DockerClusterOptions): ClusterView {
  const member = (n: string) => {
    const m = members.get(n);
    if (!m) throw new Error(`no node ${n} in this cluster`);
    return m;
  };
  return {
    nodes: [...members.keys()],
    ip: (n) => member(n).ip,
    endpoint(n, port) {
      const host = member(n).ports.get(port);
      if (host === undefined) throw new Error(`node ${n} publishes no port ${port}`);
      return { host: '127.0.0.1', port: host };
    },
    exec: (n, cmd) => execIn(member(n).container, cmd),
    bug: options.bug,
    options: options.options,
  };
}

function nodeControl(docker: Dockerode, m: NodeContainer, images: RunImages): NodeControl {
  const c = m.container;
  return {
    name: m.name,
    ip: m.ip,
    kill: () => c.kill({ signal: 'SIGKILL' }).then(() => undefined),
    start: () => c.start().then(() => undefined),
    pause: () => c.pause().then(() => undefined),
    unpause: () => c.unpause().then(() => undefined),
    netScript: (script) => (images.netTools ? netToolsRun(docker, images.netTools, c, script) : execIn(c, ['sh', '-c', script], { user: 'root' }).then(() => undefined)),
  };
}

/**
 * Official images carry no iptables: the script runs in a one-shot container of a tools image that joins the
 * node's network namespace (`--network container:<node>`), with NET_ADMIN.
 */
async function netToolsRun(docker: Dockerode, image: string, node: Dockerode.Container, script: string): Promise<void> {
  const info = await node.inspect();
  const helper = await docker.createContainer({
    Image: image,
    Cmd: ['sh', '-c', script],
    Labels: info.Config.Labels,
    HostConfig: { NetworkMode: `container:${info.Id}`, CapAdd: ['NET_ADMIN'] },
  });
  try {
    await helper.start();
    const { StatusCode } = (await helper.wait()) as { StatusCode: number };
    if (StatusCode !== 0) throw new Error(`iptables in ${image} exited with ${StatusCode}`);
  } finally {
    await helper.remove({ force: true }).catch(() => undefined);
  }
}

/**
 * Removes every container and the network of a run (by label, so also what a failed setup half-made). Unlike
 * removeLeftovers, an engine that cannot list them does not stop the removal of what the cluster knows it made.
 */
async function removeRun(docker: Dockerode, runId: string, known: Dockerode.Container[] = [], network?: RunNetwork): Promise<void> {
  const filters = runFilter(runId);
  const listed = await docker.listContainers({ all: true, filters }).catch(() => []);
  const nets = network ? [network.remove] : (await docker.listNetworks({ filters }).catch(() => [])).map((n) => () => docker.getNetwork(n.Id).remove());
  await removeResources(docker, [...known.map((c) => c.id), ...listed.map((c) => c.Id)], nets);
}

/** The last line a node's server wrote, often the reason it is not serving. */
async function lastLogLine(members: ReadonlyMap<string, NodeContainer>): Promise<string> {
  for (const m of members.values()) {
    const info = await m.container.inspect().catch(() => undefined);
    if (info && !info.State.Running) {
      const logs = (await m.container.logs({ stdout: true, stderr: true, tail: 5 }).catch(() => Buffer.alloc(0))) as Buffer;
      const text = logs.toString('utf8').replace(/[\x00-\x08\x0e-\x1f]/g, '').trim().split('\n').pop() ?? '';
      return ` (${m.name} exited with ${info.State.ExitCode}${text ? `: ${text.trim()}` : ''})`;
    }
  }
  return '';
}
