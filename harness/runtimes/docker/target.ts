import type { Client, MembershipFaults } from '../../runtime.js';
import type { TargetInfo } from '../../target.js';
import type { ImageFlavour, ImageRoles } from './image-roles.js';

/** One container of a cluster, as a target asks for it. */
export interface ContainerSpec {
  image: string;
  /** The command (the image's entrypoint, if any, runs it). */
  cmd: string[];
  /** Replaces the image's entrypoint (e.g. [] to run `cmd` directly). */
  entrypoint?: string[];
  env?: Record<string, string>;
  user?: string;
  /** Ports clients reach from the harness: each is published on a loopback port of the host. */
  ports: number[];
  /** Host directories bound into the container, read-only: host path → container path. */
  mounts?: Record<string, string>;
  /** Files put into the container before it starts (readable by every user): container path → content. */
  files?: Record<string, string>;
}

/** What a target knows of a started cluster when it starts its clients. */
export interface ClusterView {
  readonly nodes: readonly string[];
  /** A node's address on the run's private network (what nodes use to reach each other). */
  ip(node: string): string;
  /**
   * Where the harness reaches a node's service, named by the port the target serves it on in a container: a loopback
   * port of the host (published, or the fault proxy's), fixed for the whole run.
   */
  endpoint(node: string, port: number): { host: string; port: number };
  /**
   * How the nodes address that service among themselves (what a Sentinel reports, what a peer list names):
   * `ip:port` on the run's network in Docker, the user's own addresses on an external cluster.
   */
  address(node: string, port: number): { host: string; port: number };
  /** The service's credentials on a node the user runs (external); undefined where the target set its own. */
  credentials(node: string): NodeCredentials | undefined;
  /** Runs a command inside a node's container; resolves with its output, rejects if it exits non-zero. */
  exec(node: string, cmd: string[]): Promise<string>;
  readonly bug: string | undefined;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface ContainerContext<Role extends string = string> {
  readonly nodes: readonly string[];
  /** The run's image flavour: a target writes its commands for it, as the two lay a server out differently. */
  readonly flavour: ImageFlavour;
  /** The image one of the target's roles runs from, in the run's flavour. */
  image(role: Role): string;
  /** Every node's address on the private network, fixed before any container starts (so peers can be named). */
  readonly ips: Readonly<Record<string, string>>;
  readonly bug: string | undefined;
  readonly options: Readonly<Record<string, unknown>>;
}

/** A database user, a password (already read from where the test named it), a database name. */
export interface NodeCredentials {
  user?: string;
  password?: string;
  database?: string;
}

/**
 * How a target runs on a cluster the user started (`--runtime external`): the services a node serves, by name,
 * with the ports they have in the target's containers (the first is the one `--nodes host:port` names; the others
 * come from a node's `ports`, else these defaults). `ready` replaces the target's own where the Docker one relies
 * on how faultline started the cluster (which node is primary at first).
 */
export interface ExternalSupport {
  readonly services: readonly { name: string; port: number }[];
  /**
   * The services one node serves, by name, where nodes differ (redis-lock: Redis on its nodes, PostgreSQL on `pg`);
   * the first is the one `--nodes name=host:port` names. Absent: every node serves every service.
   */
  servedBy?(node: string, options: Readonly<Record<string, unknown>>): readonly string[];
  /**
   * The target's bugs that live in faultline's clients, and so apply to a cluster the user runs. A bug of the nodes
   * (a raft-kv node's) is the user's to start the nodes with; asked for here, it is refused rather than ignored.
   */
  readonly bugs?: readonly string[];
  ready?(view: ClusterView, deadline: number): Promise<void>;
}

/** The harness's side of a started target: clients, the primary's whereabouts, and what to close. */
export interface TargetSession {
  client(process: number): Client;
  /** Which nodes act as primary now (asked of the system; polled by the runtime for nemeses that aim at it). */
  primaries?(): Promise<string[]>;
  /** Joins and leaves, for a target with membership changes: the cluster's faults expose them to the nemesis. */
  readonly membership?: MembershipFaults;
  close(): Promise<void>;
}

/** A system under test as the Docker runtime starts it: real servers, one container per node. */
export interface DockerTarget<Role extends string = string> extends TargetInfo {
  /**
   * The images its containers run, by role: the registry's image, and the Debian packages the local image must
   * hold. The runtime resolves each role in the run's flavour (and refuses a flavour that cannot serve one).
   */
  readonly images: ImageRoles<Role>;
  /**
   * Node names for a cluster of n, given the run's options (a target whose layout an option changes: redis-lock's
   * `replicated` asks for three Redis nodes beside its PostgreSQL one).
   */
  nodeIds(n: number, options?: Readonly<Record<string, unknown>>): string[];
  containers(ctx: ContainerContext<Role>): Record<string, ContainerSpec>;
  /** Resolves once every node serves clients (called after the containers start); rejects with why not. */
  ready(view: ClusterView, deadline: number): Promise<void>;
  open(view: ClusterView): Promise<TargetSession>;
  /** Declared by a target whose clients can take an address: it then runs on external clusters too. */
  readonly external?: ExternalSupport;
}
