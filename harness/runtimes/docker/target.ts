import type { Client } from '../../runtime.js';
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
}

/** What a target knows of a started cluster when it starts its clients. */
export interface ClusterView {
  readonly nodes: readonly string[];
  /** A node's address on the run's private network (what nodes use to reach each other). */
  ip(node: string): string;
  /** Where the harness reaches a node's container port: a loopback port of the host, fixed for the whole run. */
  endpoint(node: string, port: number): { host: string; port: number };
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

/** The harness's side of a started target: clients, the primary's whereabouts, and what to close. */
export interface TargetSession {
  client(process: number): Client;
  /** Which nodes act as primary now (asked of the system; polled by the runtime for nemeses that aim at it). */
  primaries?(): Promise<string[]>;
  close(): Promise<void>;
}

/** A system under test as the Docker runtime starts it: real servers, one container per node. */
export interface DockerTarget<Role extends string = string> extends TargetInfo {
  /**
   * The images its containers run, by role: the registry's image, and the Debian packages the local image must
   * hold. The runtime resolves each role in the run's flavour (and refuses a flavour that cannot serve one).
   */
  readonly images: ImageRoles<Role>;
  /** Node names for a cluster of n. */
  nodeIds(n: number): string[];
  containers(ctx: ContainerContext<Role>): Record<string, ContainerSpec>;
  /** Resolves once every node serves clients (called after the containers start); rejects with why not. */
  ready(view: ClusterView, deadline: number): Promise<void>;
  open(view: ClusterView): Promise<TargetSession>;
}
