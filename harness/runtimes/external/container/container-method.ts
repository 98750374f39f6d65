import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { Grudge } from '../../../nemesis/grudge.js';
import { DockerFaults } from '../../docker/faults.js';
import type { LocalImage } from '../../docker/image-recipe.js';
import { dockerClient } from '../../docker/images.js';
import { netFaultScript, NO_NET_FAULTS } from '../../docker/iptables.js';
import { netToolsImage, type ImageChoice } from '../../docker/run-images.js';
import type { FaultMethod, MethodContext, UndoStep } from '../method.js';
import { ContainerNode, type NetScriptRunner } from './container-node.js';
import { netScriptRunner } from './net-helper.js';

export interface ContainerMethodOptions {
  /** Where the iptables helper's image comes from (the test's `images`): the local image, the registry's, or either. */
  images: ImageChoice;
  /** The local image (`faultline images build`), which has iptables. */
  local: LocalImage;
  /**
   * Whether partitions or loss go through this method (default true): only then is the helper's image resolved (and
   * pulled), and every node's address required, up front. Without, `partition` and `lose` reject.
   */
  net?: boolean;
  /** A client already connected; else DOCKER_HOST or the default socket. */
  docker?: Dockerode;
}

/**
 * The `docker` fault method: faults on the containers a user started (with testcontainers, compose, or by hand)
 * made with Docker's own calls, with no SSH and nothing installed in them. Kill is SIGKILL (the container stays),
 * restart starts it again, pause and resume use the cgroup freezer, and partitions and packet loss are iptables
 * rules in faultline's own chains of each node's network namespace, written from a helper container joined to it.
 *
 * The faults themselves are the Docker runtime's (DockerFaults: each node's actions in order, rules written again
 * into a restarted node's fresh namespace); this adds the journal, so every fault in force can be undone by
 * `faultline heal` from the run directory alone (undo.ts), and what a user's container does that ours do not: a new
 * address or new host ports after a restart.
 */
export class ContainerMethod implements FaultMethod {
  readonly name = 'docker';
  private readonly faults: DockerFaults;
  /** Journal ids of the faults in force: a kill or a pause per node, and the network faults' (partition, loss). */
  private readonly killed = new Map<string, string>();
  private readonly paused = new Map<string, string>();
  private netIds: string[] = [];
  /** The nodes those entries say may hold rules. */
  private netNodes: string[] = [];
  private netChanges: Promise<void> = Promise.resolve();
  /** The network faults in force, as this method last asked for them (DockerFaults keeps its own copy to apply). */
  private grudge: Grudge = {};
  private readonly loss = new Map<string, number>();

  private constructor(
    private readonly ctx: MethodContext,
    private readonly nodes: ReadonlyMap<string, ContainerNode>,
    /** The image of the iptables helper; undefined when no network fault goes through this method. */
    private readonly netTools: string | undefined,
  ) {
    this.faults = new DockerFaults(nodes);
  }

  /**
   * The method for these nodes: each names its running container, and, for network faults, has an address its peers
   * reach it at (its `ip`, or its container's only network). Anything missing is a usage error now, not mid-run.
   */
  static async create(ctx: MethodContext, o: ContainerMethodOptions): Promise<ContainerMethod> {
    let docker = o.docker;
    const connect = async () => (docker ??= await dockerClient());
    const net = o.net ?? true;
    const image = net ? await netToolsImage(connect, o.images, o.local) : undefined;
    const owner = `ext-${randomBytes(4).toString('hex')}`;
    const run: NetScriptRunner = image ? netScriptRunner(image, owner) : () => Promise.reject(withoutNet());
    const nodes = new Map<string, ContainerNode>();
    for (const n of ctx.nodes) nodes.set(n.name, await ContainerNode.inspect(await connect(), n, run));
    if (net) for (const n of nodes.values()) void n.ip; // throws the usage error of a node without a known address
    return new ContainerMethod(ctx, nodes, image);
  }

  async kill(node: string): Promise<void> {
    const c = this.node(node);
    if (this.killed.has(node)) return;
    // Noted at once, so a second kill while this one is under way is the no-op it is.
    this.killed.set(node, this.ctx.journal.applying('kill', [node], [{ method: 'docker', container: c.id, action: 'start' }]));
    this.ctx.log(`docker: kill ${node} (SIGKILL to container ${short(c.id)})`);
    await this.faults.kill(node);
    // A paused node is thawed to take the SIGKILL: its pause is over.
    this.settle(this.paused, node);
  }

  async restart(node: string): Promise<void> {
    const c = this.node(node);
    const before = c.knownIp;
    this.ctx.log(`docker: start ${node} (container ${short(c.id)})`);
    await this.faults.restart(node);
    this.settle(this.killed, node);
    if (c.knownIp !== before) {
      // Its peers' rules name the address it had: write them again with the new one.
      this.ctx.log(`docker: ${node} came back at ${c.knownIp} (was ${before})`);
      await this.changeNet(
        'partition',
        () => undefined,
        () => this.faults.partition(this.grudge),
      );
    }
  }

  async pause(node: string): Promise<void> {
    const c = this.node(node);
    if (this.paused.has(node) || this.killed.has(node)) return;
    this.paused.set(node, this.ctx.journal.applying('pause', [node], [{ method: 'docker', container: c.id, action: 'unpause' }]));
    this.ctx.log(`docker: pause ${node} (container ${short(c.id)})`);
    await this.faults.pause(node);
  }

  async resume(node: string): Promise<void> {
    this.node(node);
    if (!this.paused.has(node)) return;
    this.ctx.log(`docker: unpause ${node}`);
    await this.faults.resume(node);
    this.settle(this.paused, node);
  }

  partition(grudge: Grudge): Promise<void> {
    if (this.netTools === undefined) return Promise.reject(withoutNet());
    for (const [n, peers] of Object.entries(grudge)) [n, ...peers].forEach((x) => this.node(x));
    return this.changeNet(
      'partition',
      () => (this.grudge = grudge),
      () => this.faults.partition(grudge),
    );
  }

  lose(nodes: readonly string[], p: number): Promise<void> {
    if (this.netTools === undefined) return Promise.reject(withoutNet());
    nodes.forEach((n) => this.node(n));
    const note = () => {
      for (const n of nodes) {
        if (p > 0) this.loss.set(n, p);
        else this.loss.delete(n);
      }
    };
    return this.changeNet('loss', note, () => this.faults.lose(nodes, p));
  }

  async healNet(): Promise<void> {
    const note = () => {
      this.grudge = {};
      this.loss.clear();
    };
    // No node that may hold rules: no helper containers to run (nor an image to run them from, without `net`).
    await this.changeNet('heal', note, (mayHold) => (mayHold.length > 0 ? this.faults.heal() : Promise.resolve()));
  }

  async endpointOf(node: string, port: number): Promise<{ host: string; port: number } | undefined> {
    const spec = this.ctx.nodes.find((n) => n.name === node);
    return this.node(node).endpoint(port, spec?.host ?? '127.0.0.1');
  }

  /** Each node's `docker logs` (stdout and stderr, with timestamps) as `<dir>/<node>/docker.log`. */
  async collectLogs(dir: string): Promise<void> {
    await Promise.all(
      [...this.nodes.values()].map(async (c) => {
        const text = await c.logs().catch((e: unknown) => `faultline: could not read the container's logs: ${(e as Error).message}\n`);
        await mkdir(join(dir, c.name), { recursive: true });
        await writeFile(join(dir, c.name, 'docker.log'), text);
      }),
    );
  }

  /** Waits for the faults under way; what is still in force stays (the runtime heals it, or `faultline heal`). */
  async close(): Promise<void> {
    await this.faults.settled();
  }

  /**
   * Changes the network faults (`note` records the change in this method's state, `apply` makes it): journals the
   * rules about to be in force (undo: flush every node that has or had some), applies them, then marks the entries
   * they replace healed. A change that fails leaves every entry open, so the journal still names each node that may
   * hold rules.
   */
  private changeNet(kind: string, note: () => void, apply: (mayHold: readonly string[]) => Promise<void>): Promise<void> {
    // One change at a time, in the order asked: each replaces the entries of the one before, known applied by then.
    const change = this.netChanges.then(() => {
      note();
      return this.changeNetNow(kind, apply);
    });
    this.netChanges = change.catch(() => undefined);
    return change;
  }

  private async changeNetNow(kind: string, apply: (mayHold: readonly string[]) => Promise<void>): Promise<void> {
    const ruled = this.ruledNodes();
    // Until the change is applied, a node that had rules may still have them: its flush is part of the undo.
    const mayHold = [...this.nodes.keys()].filter((n) => ruled.includes(n) || this.netNodes.includes(n));
    const id = ruled.length > 0 ? this.ctx.journal.applying(kind, ruled, mayHold.map((n) => this.flush(n))) : undefined;
    const replaced = this.netIds;
    // Until the change is known applied, every entry stays open, and every node that may hold rules is named.
    this.netIds = id === undefined ? replaced : [...replaced, id];
    this.netNodes = mayHold;
    this.ctx.log(`docker: ${kind} (${ruled.length > 0 ? this.describeNet() : 'no rules left'})`);
    await apply(mayHold);
    for (const old of replaced) this.ctx.journal.healed(old);
    this.netIds = id === undefined ? [] : [id];
    this.netNodes = ruled;
  }

  /** The nodes that hold rules once the network faults in force are written. */
  private ruledNodes(): string[] {
    return [...this.nodes.keys()].filter((n) => (this.grudge[n]?.length ?? 0) > 0 || this.loss.has(n));
  }

  private describeNet(): string {
    const cut = Object.entries(this.grudge)
      .filter(([, peers]) => peers.length > 0)
      .map(([n, peers]) => `${n} drops ${peers.join(' ')}`);
    const lossy = [...this.loss].map(([n, p]) => `${n} loses ${p}`);
    return [...cut, ...lossy].join('; ');
  }

  private flush(node: string): UndoStep {
    return { method: 'docker', container: this.node(node).id, action: 'net-script', script: netFaultScript(NO_NET_FAULTS), netToolsImage: this.netTools };
  }

  /** Marks a node's fault of this kind healed, if one is in force. */
  private settle(inForce: Map<string, string>, node: string): void {
    const id = inForce.get(node);
    if (id === undefined) return;
    inForce.delete(node);
    this.ctx.journal.healed(id);
  }

  private node(name: string): ContainerNode {
    const c = this.nodes.get(name);
    if (!c) throw new Error(`no node ${name} in this cluster`);
    return c;
  }
}

function short(id: string): string {
  return id.slice(0, 12);
}

function withoutNet(): Error {
  return new Error('the docker fault method was made without network faults (net: false)');
}
