import { join } from 'node:path';
import type { ExecHook, ExternalNode, FaultMethods, SshSettings } from '../../config/cluster-spec.js';
import type { NodeFaultKind } from '../../config/vocabulary.js';
import { describeError, isUserError, usageError } from '../../errors.js';
import type { Op } from '../../../checkers/history/op.js';
import type { Observations } from '../../observations.js';
import type { Client, Cluster, RunAttachment } from '../../runtime.js';
import { PrimaryPoller } from '../primary-poller.js';
import { trackCluster } from '../teardown.js';
import type { LocalImage } from '../docker/image-recipe.js';
import type { ImageChoice } from '../docker/run-images.js';
import type { DockerTarget, TargetSession } from '../docker/target.js';
import { ExternalFaults } from './faults.js';
import type { FaultMethod, MethodContext } from './method.js';
import type { ExternalParts, FrontingProxy } from './parts.js';
import { checkReachable } from './reach.js';
import { RunJournal } from './run-journal.js';
import { externalView, servicePorts, type Endpoint } from './view.js';

/**
 * How long a cluster the user started may take to be ready for clients. It is meant to be up already, but Sentinels
 * take some seconds to discover replicas; what is refused outright (a wrong password) fails at once.
 */
export const READY_MS = 60_000;
/** Where the nodes' log files go in the run's directory. */
export const LOGS_DIR = 'node-logs';

export interface ExternalClusterOptions {
  nodes: readonly ExternalNode[];
  faults: FaultMethods;
  ssh?: SshSettings;
  bug?: string;
  seed: number;
  options: Readonly<Record<string, unknown>>;
  parts: ExternalParts;
  /** The images the docker method's iptables helper may run from. */
  images: { choice: ImageChoice; local: LocalImage };
  onStopped?: () => void;
}

/**
 * The user's cluster, as a run sees it. Starting it starts nothing on the nodes: it checks that every service
 * answers, puts the fault proxy in front of each (clients connect through it, so client faults need no access to
 * the nodes), logs into the nodes for the configured fault methods, and waits for the target's `ready`. Stopping
 * it heals whatever is still in force and copies the nodes' logs into the run — also on SIGINT or SIGTERM. Every
 * fault is journaled in the run's directory before it is applied, so `faultline heal` can undo what a killed run left.
 */
export class ExternalCluster implements Cluster {
  readonly nodes: readonly string[];
  private readonly poller: PrimaryPoller;
  private stopping: Promise<void> | undefined;
  /** The target's session's observations, when it makes any. */
  readonly observe?: (history: readonly Op[]) => Observations | Promise<Observations>;
  private run: RunAttachment | undefined;

  private constructor(
    readonly faults: ExternalFaults,
    private readonly session: TargetSession,
    private readonly methods: readonly FaultMethod[],
    private readonly proxy: FrontingProxy,
    private readonly journal: RunJournal,
    private readonly parts: ExternalParts,
    private readonly untrack: () => void,
    private readonly onStopped: (() => void) | undefined,
    nodes: readonly ExternalNode[],
  ) {
    this.nodes = nodes.map((n) => n.name);
    this.poller = new PrimaryPoller(session);
    if (session.observe) this.observe = (history) => session.observe!(history);
  }

  static async start(target: DockerTarget, o: ExternalClusterOptions): Promise<ExternalCluster> {
    if (!target.external) throw usageError(`target ${target.name} does not run on external clusters`);
    const services = o.nodes.flatMap((n) => servicePorts(target, n, o.options).map((s) => ({ node: n.name, service: s.name, containerPort: s.containerPort, at: { host: n.host, port: s.port } })));
    await checkReachable(services);
    const journal = new RunJournal();
    const ctx: MethodContext = { nodes: o.nodes, journal, log: (line) => journal.log(line) };
    const methods: FaultMethod[] = [];
    let proxy: FrontingProxy | undefined;
    let session: TargetSession | undefined;
    // A signal during setup closes what setup got to open; nothing is in force yet.
    let teardown: () => Promise<void> = async () => {
      await session?.close().catch(() => undefined);
      await Promise.allSettled(methods.map((m) => m.close()));
      await proxy?.close().catch(() => undefined);
    };
    const untrack = trackCluster(`external ${target.name}`, () => teardown());
    try {
      const byKind = await buildMethods(o, ctx, methods);
      proxy = await o.parts.startProxy(o.seed);
      const fronts = new Map<string, Endpoint>();
      for (const s of services) fronts.set(`${s.node}/${s.service}`, await proxy.front(s.node, s.service, s.at));
      const view = externalView(target, o.nodes, { bug: o.bug, options: o.options, front: (node, service) => fronts.get(`${node}/${service}`)! });
      const ready = target.external.ready ?? target.ready;
      await ready.call(target, view, Date.now() + READY_MS).catch((e: unknown) => {
        if (isUserError(e)) throw usageError(`${target.name} on the external cluster: ${describeError(e)}`);
        throw usageError(`${target.name} on the external cluster is not ready after ${READY_MS / 1000} s: ${describeError(e)}`);
      });
      session = await target.open(view);
      const p = proxy;
      const restarted = async (node: string, m: FaultMethod) => {
        if (!m.endpointOf) return;
        for (const s of services.filter((x) => x.node === node)) {
          const now = await m.endpointOf(node, s.containerPort);
          if (now) await p.retarget(node, s.service, now);
        }
      };
      const faults = new ExternalFaults(byKind, proxy, restarted);
      const cluster = new ExternalCluster(faults, session, methods, proxy, journal, o.parts, untrack, o.onStopped, o.nodes);
      teardown = () => cluster.stop();
      return cluster;
    } catch (e) {
      await teardown();
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

  attach(run: RunAttachment): void {
    this.run = run;
    this.journal.attach(this.parts.openJournal(run.dir, (line) => run.log(line)), (line) => run.log(line));
  }

  /** Heals whatever is in force, copies the nodes' logs into the run, and closes every connection. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.poller.stop();
      await this.session.close().catch(() => undefined);
      try {
        await this.faults.healAll();
      } catch (e) {
        this.journal.log(`heal at the end failed: ${describeError(e)} (faultline heal <run-dir> undoes what is journaled)`);
      }
      if (this.run) {
        const dir = join(this.run.dir, LOGS_DIR);
        for (const m of this.methods) await m.collectLogs?.(dir).catch((e: unknown) => this.journal.log(`copying the nodes' logs (${m.name}): ${describeError(e)}`));
      }
      await Promise.allSettled(this.methods.map((m) => m.close()));
      await this.proxy.close().catch(() => undefined);
      this.journal.close();
      this.untrack();
      this.onStopped?.();
    })();
    return this.stopping;
  }
}

/** One method per way the test names (exec hooks, SSH, Docker), shared by the kinds that use it. */
async function buildMethods(o: ExternalClusterOptions, ctx: MethodContext, made: FaultMethod[]): Promise<Map<NodeFaultKind, FaultMethod>> {
  const byKind = new Map<NodeFaultKind, FaultMethod>();
  const entries = Object.entries(o.faults) as [NodeFaultKind, NonNullable<FaultMethods[NodeFaultKind]>][];
  const hooks: Partial<Record<NodeFaultKind, ExecHook>> = {};
  for (const [kind, spec] of entries) if (typeof spec === 'object') hooks[kind] = spec;
  const named = new Map<string, FaultMethod>();
  const get = async (name: 'exec' | 'ssh' | 'docker'): Promise<FaultMethod> => {
    let m = named.get(name);
    if (!m) {
      if (name === 'exec') m = await o.parts.methods.exec(ctx, hooks);
      else if (name === 'ssh') {
        if (!o.ssh) throw usageError('faults by ssh need the ssh settings (ssh: {user, key})');
        m = await o.parts.methods.ssh(ctx, o.ssh);
      } else {
        const net = o.faults.partition === 'docker' || o.faults.loss === 'docker';
        m = await o.parts.methods.docker(ctx, { images: o.images.choice, local: o.images.local, net });
      }
      named.set(name, m);
      made.push(m);
    }
    return m;
  };
  for (const [kind, spec] of entries) byKind.set(kind, await get(typeof spec === 'object' ? 'exec' : spec));
  return byKind;
}
