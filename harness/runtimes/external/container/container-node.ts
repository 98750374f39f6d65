import type Dockerode from 'dockerode';
import type { ExternalNode } from '../../../config/cluster-spec.js';
import { describeError, usageError } from '../../../errors.js';
import type { NodeControl } from '../../docker/faults.js';

/** Runs an iptables script in a container's network namespace (a helper container joined to it). */
export type NetScriptRunner = (container: string, node: string, script: string) => Promise<void>;

/** Docker's default network: every container is on it unless told otherwise, so it says least about peers. */
const DEFAULT_NETWORK = 'bridge';

/**
 * One node's container, a container the user started: what the docker fault method does to it, with Docker's own
 * calls. A SIGKILL keeps the container (its filesystem, its data), so a restart is the same container started
 * again; but Docker gives it new host ports for the ports it published without naming one (testcontainers' way),
 * and on a network whose subnet its creator did not fix, possibly a new address: both are read again after a start.
 */
export class ContainerNode implements NodeControl {
  /** Every host port this container's ports were published on, so far: host port → container port. */
  private readonly byHostPort = new Map<number, number>();

  private constructor(
    readonly name: string,
    /** The container's full id, resolved from the id or name the test gave. */
    readonly id: string,
    /** The network the node's address is on (what its peers reach it by), when one is known. */
    private readonly network: string | undefined,
    private address: string | undefined,
    private readonly container: Dockerode.Container,
    private readonly runNetScript: NetScriptRunner,
    info: Dockerode.ContainerInspectInfo,
  ) {
    this.notePorts(info);
  }

  /** The node's container as it is now: it must exist and run; its address is the node's `ip` or its only network's. */
  static async inspect(docker: Dockerode, node: ExternalNode, runNetScript: NetScriptRunner): Promise<ContainerNode> {
    if (node.container === undefined) throw usageError(`node ${node.name}: the docker fault method needs the node's container (container: <id or name>)`);
    const container = docker.getContainer(node.container);
    const info = await container.inspect().catch((e: unknown) => {
      if ((e as { statusCode?: number }).statusCode === 404) throw usageError(`node ${node.name}: no container ${node.container} in this Docker engine`);
      throw new Error(`node ${node.name}: inspecting container ${node.container}: ${describeError(e)}`);
    });
    if (!info.State.Running || info.State.Paused) throw usageError(`node ${node.name}: container ${node.container} is ${info.State.Status}, not running`);
    const networks = Object.entries(info.NetworkSettings.Networks ?? {}).filter(([, n]) => n.IPAddress);
    let network: string | undefined;
    if (node.ip !== undefined) {
      network = networks.find(([, n]) => n.IPAddress === node.ip)?.[0];
      if (network === undefined) {
        const has = networks.map(([name, n]) => `${n.IPAddress} on ${name}`).join(', ') || 'none';
        throw usageError(`node ${node.name}: container ${node.container} has no address ${node.ip} (its addresses: ${has})`);
      }
    } else {
      // No address given: the one network it is on, or the one besides Docker's default.
      const own = networks.filter(([name]) => name !== DEFAULT_NETWORK);
      network = networks.length === 1 ? networks[0][0] : own.length === 1 ? own[0][0] : undefined;
    }
    const address = network === undefined ? undefined : info.NetworkSettings.Networks[network].IPAddress;
    return new ContainerNode(node.name, info.Id, network, address, container, runNetScript, info);
  }

  /** The address its peers reach it at, if known. */
  get knownIp(): string | undefined {
    return this.address;
  }

  /** The address its peers reach it at: what a partition's rules on the other nodes name. */
  get ip(): string {
    if (this.address === undefined) {
      throw usageError(`node ${this.name}: its container is on several networks (or none): give the node's ip on the one its peers use`);
    }
    return this.address;
  }

  // SIGKILL, and the container stays: `docker stop` would send SIGTERM first, `rm` would lose its data.
  async kill(): Promise<void> {
    await this.container.kill({ signal: 'SIGKILL' });
  }

  /** Starts the same container again, and reads its address again (its ports are read when asked for). */
  async start(): Promise<void> {
    await this.container.start();
    const info = await this.container.inspect();
    if (this.network !== undefined) this.address = info.NetworkSettings.Networks[this.network]?.IPAddress || this.address;
    this.notePorts(info);
  }

  // The cgroup freezer.
  async pause(): Promise<void> {
    await this.container.pause();
  }

  async unpause(): Promise<void> {
    await this.container.unpause();
  }

  netScript(script: string): Promise<void> {
    return this.runNetScript(this.id, this.name, script);
  }

  /**
   * Where a service of the node is published now: `port` is the port the node was given (a host port the service
   * was published on) or the service's own port in the container. Undefined when the container does not publish
   * it (or is not running: a container that is down publishes nothing).
   */
  async endpoint(port: number, host: string): Promise<{ host: string; port: number } | undefined> {
    const info = await this.container.inspect();
    this.notePorts(info);
    const containerPort = this.byHostPort.get(port) ?? port;
    const published = hostPortOf(info, containerPort);
    return published === undefined ? undefined : { host, port: published };
  }

  /** What the container's processes wrote to stdout and stderr (`docker logs`), as text. */
  async logs(): Promise<string> {
    const info = await this.container.inspect();
    const raw = (await this.container.logs({ stdout: true, stderr: true, follow: false, timestamps: true })) as unknown as Buffer;
    return info.Config.Tty ? raw.toString('utf8') : demux(raw);
  }

  private notePorts(info: Dockerode.ContainerInspectInfo): void {
    for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
      const [p, proto] = key.split('/');
      if (proto !== 'tcp' || !bindings) continue;
      for (const b of bindings) this.byHostPort.set(Number(b.HostPort), Number(p));
    }
  }
}

/** The host port a container port is published on, the IPv4 binding first (the harness connects over IPv4). */
function hostPortOf(info: Dockerode.ContainerInspectInfo, containerPort: number): number | undefined {
  const bindings = info.NetworkSettings.Ports?.[`${containerPort}/tcp`] ?? [];
  const binding = bindings.find((b) => !b.HostIp.includes(':')) ?? bindings[0];
  return binding === undefined ? undefined : Number(binding.HostPort);
}

/**
 * The log stream of a container without a terminal is multiplexed: frames of an 8-byte header (the stream, three
 * zero bytes, the length as a big-endian 32-bit number) and that many bytes of output.
 */
function demux(raw: Buffer): string {
  const parts: Buffer[] = [];
  for (let at = 0; at + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
