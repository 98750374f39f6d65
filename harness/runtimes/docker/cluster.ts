import type Dockerode from 'dockerode';
import type { StartedTestContainer } from 'testcontainers';
import { randomBytes } from 'node:crypto';
import { describeError, usageError } from '../../errors.js';
import { FaultProxy } from '../../proxy/fault-proxy.js';
import type { Op } from '../../../checkers/history/op.js';
import type { Observations } from '../../observations.js';
import type { Client, Cluster } from '../../runtime.js';
import { PrimaryPoller } from '../primary-poller.js';
import { ignoreGone, removeResources, trackCluster } from './cleanup.js';
import { execIn } from './exec.js';
import { HostClocks, refuseFakeClock, withFakeClock } from './fake-clock.js';
import { DockerFaults, type NodeControl } from './faults.js';
import { runFilter } from './labels.js';
import { createRunNetwork, type RunNetwork } from './network.js';
import { netToolsRun } from './net-tools.js';
import { nodeContainer } from './node-container.js';
import { freePort } from './ports.js';
import { lastWords } from './readiness.js';
import { imageOf, type RunImages } from './run-images.js';
import type { ClusterView, ContainerSpec, DockerTarget, TargetSession } from './target.js';
import { loadTestcontainers, type Testcontainers } from './testcontainers.js';

/** How long a cluster may take to serve clients after its containers start. */
const READY_MS = 60_000;

export interface DockerClusterOptions {
  nodes: number;
  bug?: string;
  options: Readonly<Record<string, unknown>>;
  /** The target's roles, resolved in the run's flavour. */
  images: RunImages;
  /** Put the TCP fault proxy in front of every published port (the nemesis has client faults). */
  clientFaults?: boolean;
  /** Preload libfaketime in every node's container, for clock faults (the nemesis has them). */
  clockFaults?: boolean;
  /** Seeds the proxy's random choices. */
  seed?: number;
  onStopped?: () => void;
}

interface NodeContainer {
  name: string;
  ip: string;
  container: StartedTestContainer;
  /** container port → published loopback port */
  ports: Map<number, number>;
}

/**
 * A target's nodes as containers on a private network of their own: one run, one network, every container and
 * the network labelled with the run id. Started, it is a Cluster (clients, real faults, primaries); stopped, every
 * trace of it is gone. Setup and teardown are timed for the benchmarks. When the test has client faults, the
 * harness reaches every published port through the TCP fault proxy (closed with the cluster, on a signal too).
 *
 * testcontainers makes the containers and the network, starts, waits for and stops them (node-container.ts,
 * network.ts, readiness.ts); dockerode does what testcontainers has no call for: kill with SIGKILL and start the same
 * container again with its data, pause and resume with the cgroup freezer, and list by label what a run left.
 */
export class DockerCluster implements Cluster {
  readonly nodes: readonly string[];
  readonly faults: DockerFaults;
  /** Milliseconds from nothing to serving clients, and from stop() to nothing left. */
  readonly setupMs: number;
  teardownMs: number | undefined;
  private readonly poller: PrimaryPoller;
  private stopping: Promise<void> | undefined;
  /** The target's session's observations, when it makes any. */
  readonly observe?: (history: readonly Op[]) => Observations | Promise<Observations>;

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
    /** How the target (and the runtime's own tests) see the nodes: addresses, published ports (or their fronts), exec. */
    readonly view: ClusterView,
    tc: Testcontainers,
    private readonly proxy: FaultProxy | undefined,
    private readonly clocks: HostClocks | undefined,
  ) {
    this.nodes = [...members.keys()];
    this.setupMs = setupMs;
    const controls = new Map<string, NodeControl>();
    for (const m of members.values()) controls.set(m.name, nodeControl(tc, docker, m, images, clocks));
    this.faults = new DockerFaults(controls, proxy, clocks !== undefined, session.membership);
    this.poller = new PrimaryPoller(session);
    if (session.observe) this.observe = (history) => session.observe!(history);
  }

  static async start(docker: Dockerode, target: DockerTarget, options: DockerClusterOptions): Promise<DockerCluster> {
    const t0 = performance.now();
    // Before anything exists: a server that cannot run under libfaketime would hang, not fail.
    if (options.clockFaults) refuseFakeClock(target, options.images.flavour);
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
    let proxyStart: Promise<FaultProxy> | undefined;
    let clocks: HostClocks | undefined;
    const removeAll = () =>
      (removal ??= (async () => {
        aborted = true;
        await Promise.allSettled([...inflight]);
        await proxyStart?.then((p) => p.close()).catch(() => undefined);
        await removeRun(docker, runId);
        clocks?.remove();
      })());
    const untrack = trackCluster(runId, removeAll);
    const notAborted = () => {
      if (aborted) throw new Error('setup interrupted');
    };
    let session: TargetSession | undefined;
    try {
      const tc = await loadTestcontainers();
      notAborted();
      const network = await step(createRunNetwork(tc, runId));
      notAborted();
      const nodes = target.nodeIds(options.nodes, options.options);
      const ips = Object.fromEntries(nodes.map((n, i) => [n, network.ip(i)]));
      const { flavour } = options.images;
      const asked = target.containers({ nodes, flavour, image: imageOf(target, options.images), ips, bug: options.bug, options: options.options });
      if (options.clockFaults) clocks = HostClocks.create(nodes);
      const specs = clocks ? Object.fromEntries(Object.entries(asked).map(([n, s]) => [n, withFakeClock(s, flavour, clocks!.dirOf(n))])) : asked;
      const members = new Map<string, NodeContainer>();
      await Promise.all(
        nodes.map(async (n) => {
          members.set(n, await createNode(tc, docker, { runId, network, name: n, ip: ips[n], spec: specs[n] }, notAborted, step));
        }),
      );
      notAborted();
      const ordered = new Map(nodes.map((n) => [n, members.get(n)!]));
      let proxy: FaultProxy | undefined;
      if (options.clientFaults) {
        proxy = await step((proxyStart = FaultProxy.start({ seed: options.seed })));
        notAborted();
        await frontAll(proxy, ordered);
      }
      const view = clusterView(ordered, options, proxy);
      await target.ready(view, Date.now() + READY_MS).catch(async (e: unknown) => {
        throw usageError(`${target.name} did not become ready within ${READY_MS / 1000} s: ${describeError(e)}${await lastLogLine(ordered, docker)}`);
      });
      session = await target.open(view);
      notAborted();
      return new DockerCluster(runId, docker, network, ordered, session, untrack, performance.now() - t0, options.images, options.onStopped, view, tc, proxy, clocks);
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
    return this.poller.primaries;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const t0 = performance.now();
      this.poller.stop();
      await this.session.close().catch(() => undefined);
      await this.faults.settled();
      await this.proxy?.close().catch(() => undefined);
      await removeRun(this.docker, this.runId, [...this.members.values()].map((m) => m.container), this.network);
      this.clocks?.remove();
      this.untrack();
      this.teardownMs = performance.now() - t0;
      this.onStopped?.();
    })();
    return this.stopping;
  }
}

/**
 * Makes and starts one node's container through testcontainers. `step` tracks its creation (not its start and wait):
 * a removal of the run waits for a creation under way, then removes the container by its labels, and the start
 * fails. A port chosen free can be taken before Docker binds it (by another run, or a node of this one choosing at
 * the same moment): Docker then refuses the start, and the node is made again with other ports.
 */
async function createNode(
  tc: Testcontainers,
  docker: Dockerode,
  node: { runId: string; network: RunNetwork; name: string; ip: string; spec: ContainerSpec | undefined },
  notAborted: () => void,
  step: <T>(p: Promise<T>) => Promise<T>,
): Promise<NodeContainer> {
  const { name, ip, spec } = node;
  if (!spec) throw new Error(`the target defines no container for node ${name}`);
  for (let attempt = 1; ; attempt++) {
    const ports = new Map<number, number>();
    for (const p of spec.ports) ports.set(p, await freePort());
    notAborted();
    let id: string | undefined;
    let created!: () => void;
    const creation = new Promise<void>((resolve) => (created = resolve));
    const starting = nodeContainer(tc, { ...node, spec, ports, onCreated: (cid) => ((id = cid), created()) }).start();
    void step(Promise.race([creation, starting]));
    try {
      return { name, ip, container: await starting, ports };
    } catch (e) {
      // A container that failed to start is still there (one that failed its wait testcontainers removed).
      if (id !== undefined) await docker.getContainer(id).remove({ force: true, v: true }).catch(ignoreGone);
      if (attempt >= PORT_ATTEMPTS || !/port is already allocated|address already in use/i.test(String((e as Error).message))) throw e;
    }
  }
}

/** How many times a node is made again after its published port was taken before Docker could bind it. */
const PORT_ATTEMPTS = 5;

/**
 * Opens the proxy's front of every port each node publishes (the service is named by its container port): from
 * then on the clients reach the nodes only through the proxy.
 */
async function frontAll(proxy: FaultProxy, members: ReadonlyMap<string, NodeContainer>): Promise<void> {
  for (const m of members.values()) {
    for (const [port, host] of m.ports) await proxy.front(m.name, String(port), { host: '127.0.0.1', port: host });
  }
}

function clusterView(members: ReadonlyMap<string, NodeContainer>, options: DockerClusterOptions, proxy: FaultProxy | undefined): ClusterView {
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
      if (!proxy) return { host: '127.0.0.1', port: host };
      const front = proxy.frontOf(n, String(port));
      if (!front) throw new Error(`node ${n}'s port ${port} has no front in the fault proxy`);
      return front;
    },
    address: (n, port) => ({ host: member(n).ip, port }),
    credentials: () => undefined,
    exec: (n, cmd) => execIn(member(n).container, cmd),
    bug: options.bug,
    options: options.options,
  };
}

/** The faults' seam onto one node: dockerode for the calls testcontainers lacks, testcontainers' exec for iptables. */
function nodeControl(tc: Testcontainers, docker: Dockerode, m: NodeContainer, images: RunImages, clocks: HostClocks | undefined): NodeControl {
  const c = docker.getContainer(m.container.getId());
  return {
    name: m.name,
    ip: m.ip,
    // SIGKILL, and the container stays (testcontainers' stop removes it, or sends SIGTERM first): restart is the
    // same container, its data, its address and its ports.
    kill: () => c.kill({ signal: 'SIGKILL' }).then(() => undefined),
    start: () => c.start().then(() => undefined),
    // The cgroup freezer: testcontainers has no pause.
    pause: () => c.pause().then(() => undefined),
    unpause: () => c.unpause().then(() => undefined),
    netScript: (script) =>
      images.netTools
        ? netToolsRun(tc, images.netTools, { id: m.container.getId(), labels: m.container.getLabels() }, script)
        : execIn(m.container, ['sh', '-c', script], { user: 'root' }).then(() => undefined),
    setClock: clocks && (async (spec) => clocks.set(m.name, spec)),
  };
}

/**
 * Removes every container and the network of a run: those the cluster knows through testcontainers (stopped with
 * no grace and removed with their volumes), then whatever else carries the run's label (what a failed setup
 * half-made, a net-tools helper cut short), then the network. Unlike removeLeftovers, an engine that cannot list
 * them does not stop the removal of what the cluster knows it made.
 */
async function removeRun(docker: Dockerode, runId: string, known: StartedTestContainer[] = [], network?: RunNetwork): Promise<void> {
  await Promise.all(
    known.map((c) => c.stop({ timeout: 0, remove: true, removeVolumes: true }).catch(() => docker.getContainer(c.getId()).remove({ force: true, v: true }).catch(ignoreGone))),
  );
  const filters = runFilter(runId);
  const listed = await docker.listContainers({ all: true, filters }).catch(() => []);
  const nets = network ? [network.remove] : (await docker.listNetworks({ filters }).catch(() => [])).map((n) => () => docker.getNetwork(n.Id).remove());
  await removeResources(docker, listed.map((c) => c.Id), nets);
}

/** The last line a node's server wrote, often the reason it is not serving. */
async function lastLogLine(members: ReadonlyMap<string, NodeContainer>, docker: Dockerode): Promise<string> {
  for (const m of members.values()) {
    const container = docker.getContainer(m.container.getId());
    const info = await container.inspect().catch(() => undefined);
    if (info && !info.State.Running) return ` (${m.name} exited with ${info.State.ExitCode}${await lastWords(container)})`;
  }
  return '';
}
