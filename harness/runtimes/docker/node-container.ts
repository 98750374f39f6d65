import type { GenericContainer } from 'testcontainers';
import { LABELS, runLabels } from './labels.js';
import type { RunNetwork } from './network.js';
import { runningProcess } from './readiness.js';
import type { ContainerSpec } from './target.js';
import { LOOPBACK, type Testcontainers } from './testcontainers.js';

/** One node's container as the run makes it. */
export interface NodeContainerOptions {
  runId: string;
  /** The node's name: its host name and its alias on the run's network. */
  name: string;
  network: RunNetwork;
  /** Its fixed address on the run's network. */
  ip: string;
  spec: ContainerSpec;
  /** container port → loopback port of the host it is published on */
  ports: ReadonlyMap<number, number>;
  /** Called with the container's id once it exists, before it starts (so a setup cut short can remove it). */
  onCreated(id: string): void;
}

/**
 * A testcontainers container for one node: labelled with the run (labels.ts), on the run's network at its fixed
 * address, with NET_ADMIN for the iptables faults (privileged mode is neither needed nor available everywhere), its
 * ports published on the loopback only, and the spec's command, entrypoint, environment, user, read-only mounts and
 * files.
 * It is not testcontainers' to clean up: the run removes it, and `faultline cleanup` whatever a killed run left.
 */
export function nodeContainer(tc: Testcontainers, o: NodeContainerOptions): GenericContainer {
  const { spec } = o;
  const c = new (nodeContainerClass(tc))(spec.image, o.network, o.ip, o.name, o.ports, o.onCreated)
    .withName(`faultline-${o.runId}-${o.name}`)
    .withHostname(o.name)
    .withLabels({ ...runLabels(o.runId), [LABELS.node]: o.name })
    .withCommand(spec.cmd)
    .withEnvironment(spec.env ?? {})
    .withAddedCapabilities('NET_ADMIN')
    .withBindMounts(Object.entries(spec.mounts ?? {}).map(([source, target]) => ({ source, target, mode: 'ro' as const })))
    .withCopyContentToContainer(Object.entries(spec.files ?? {}).map(([target, content]) => ({ target, content, mode: 0o644 })))
    .withAutoCleanup(false)
    .withWaitStrategy(runningProcess());
  if (spec.entrypoint) c.withEntrypoint(spec.entrypoint);
  if (spec.user) c.withUser(spec.user);
  return c;
}

type NodeContainerClass = new (
  image: string,
  network: RunNetwork,
  ip: string,
  alias: string,
  ports: ReadonlyMap<number, number>,
  onCreated: (id: string) => void,
) => GenericContainer;

let nodeClass: NodeContainerClass | undefined;

/**
 * GenericContainer with what its builder methods cannot say, set on the create request it sends:
 * - a fixed address: `withNetwork` + `withNetworkAliases` create the container on the default bridge and connect it
 *   to the network afterwards at an address Docker picks; here it is created on the run's network, at its address,
 *   with its alias, in one request;
 * - ports published on the loopback at chosen host ports: `withExposedPorts({ container, host })` binds every
 *   interface of the host. Explicit ports, because a killed container started again keeps only explicit bindings
 *   (ports.ts);
 * - its id as soon as it exists (testcontainers' containerCreated hook), before start and the wait.
 * The class extends testcontainers' own, loaded lazily, so it is made once testcontainers is loaded.
 */
function nodeContainerClass(tc: Testcontainers): NodeContainerClass {
  return (nodeClass ??= class NodeContainer extends tc.GenericContainer {
    constructor(
      image: string,
      network: RunNetwork,
      ip: string,
      alias: string,
      ports: ReadonlyMap<number, number>,
      private readonly onCreated: (id: string) => void,
    ) {
      super(image);
      this.withNetwork(network.started);
      this.createOpts.NetworkingConfig = { EndpointsConfig: { [network.name]: { IPAMConfig: { IPv4Address: ip }, Aliases: [alias] } } };
      this.withExposedPorts(...[...ports].map(([container, host]) => ({ container, host })));
      this.hostConfig.PortBindings = Object.fromEntries([...ports].map(([c, h]) => [`${c}/tcp`, [{ HostIp: LOOPBACK, HostPort: String(h) }]]));
    }

    protected override async containerCreated(id: string): Promise<void> {
      this.onCreated(id);
    }
  });
}
