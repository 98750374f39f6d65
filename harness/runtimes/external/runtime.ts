import type { ExternalNode, FaultMethods, SshSettings } from '../../config/cluster-spec.js';
import type { FaultKind } from '../../config/vocabulary.js';
import { usageError } from '../../errors.js';
import type { Cluster, StartOptions } from '../../runtime.js';
import { checkBug } from '../bugs.js';
import { RUNTIME_FAULTS } from '../capabilities.js';
import type { LocalImage } from '../docker/image-recipe.js';
import type { ImageChoice } from '../docker/run-images.js';
import type { DockerTarget } from '../docker/target.js';
import { RealTimeRuntime } from '../wall-clock.js';
import { ExternalCluster } from './cluster.js';
import type { ExternalParts } from './parts.js';

export interface ExternalRuntimeConfig {
  nodes: readonly ExternalNode[];
  faults: FaultMethods;
  ssh?: SshSettings;
  parts: ExternalParts;
  images: { choice: ImageChoice; local: LocalImage };
}

/**
 * The external runtime: a cluster the user started and runs (their Redis, their PostgreSQL, their `faultline node`
 * processes), reached at the addresses the test names, broken by the methods it names per fault, in real time.
 * Jepsen's `--nodes`, with faults from "no access to the nodes at all" (the client faults of the proxy) to "root on
 * every node" (SSH).
 */
export class ExternalRuntime extends RealTimeRuntime {
  /** Without methods: the client faults only. A test's `faults:` adds the node faults it names. */
  static readonly faults: readonly FaultKind[] = RUNTIME_FAULTS.external;
  readonly name = 'external';
  cluster: ExternalCluster | undefined;

  constructor(
    private readonly targets: ReadonlyMap<string, DockerTarget>,
    private readonly config: ExternalRuntimeConfig,
  ) {
    super();
  }

  refuse(name: string, options: StartOptions): void {
    this.targetOf(name, options);
  }

  protected async startCluster(name: string, options: StartOptions, onStopped: () => void): Promise<Cluster> {
    const target = this.targetOf(name, options);
    const cluster = await ExternalCluster.start(target, {
      nodes: this.config.nodes,
      faults: this.config.faults,
      ssh: this.config.ssh,
      bug: options.bug,
      seed: options.seed,
      options: options.options ?? {},
      parts: this.config.parts,
      images: this.config.images,
      onStopped,
    });
    this.cluster = cluster;
    return cluster;
  }

  private targetOf(name: string, options: StartOptions): DockerTarget {
    const target = this.targets.get(name);
    if (!target) throw usageError(`unknown target '${name}' for the external runtime (known: ${[...this.targets.keys()].join(', ')})`);
    checkBug(name, target.bugs, options.bug);
    if (!target.external) throw usageError(`target ${target.name} does not run on external clusters`);
    return target;
  }
}
