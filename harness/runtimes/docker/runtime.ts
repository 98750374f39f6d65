import type Dockerode from 'dockerode';
import { usageError } from '../../errors.js';
import type { FaultKind } from '../../config/index.js';
import { RUNTIME_FAULTS } from '../capabilities.js';
import type { Cluster, StartOptions } from '../../runtime.js';
import { checkBug } from '../bugs.js';
import { RealTimeRuntime } from '../wall-clock.js';
import { DockerCluster } from './cluster.js';
import { refuseFakeClock } from './fake-clock.js';
import type { LocalImage } from './image-recipe.js';
import { dockerClient } from './images.js';
import { localImages, resolveImages, type ImageChoice } from './run-images.js';
import type { DockerTarget } from './target.js';

/**
 * The Docker runtime: real servers in containers, real time. Time starts when the cluster is serving, so a test's
 * time limit is spent testing, not pulling images or waiting for a database to start.
 */
export class DockerRuntime extends RealTimeRuntime {
  /**
   * No node-to-node latency (the kernels we run on have no netem); the client faults come from the TCP fault proxy,
   * put in front of the nodes only for a test whose nemesis has them.
   */
  static readonly faults: readonly FaultKind[] = RUNTIME_FAULTS.docker;
  readonly name = 'docker';
  /** The last cluster started (for the benchmarks' setup and teardown figures). */
  cluster: DockerCluster | undefined;

  constructor(
    private readonly targets: ReadonlyMap<string, DockerTarget>,
    /** `local`: the image `faultline images build` makes (the composition root says which targets it is built for). */
    private readonly config: { images: ImageChoice; local: LocalImage; docker?: Dockerode },
  ) {
    super();
  }

  refuse(name: string, options: StartOptions): void {
    const target = this.targetOf(name, options);
    // Asked for the local image: one that lacks what the target needs is refused before Docker is reached.
    if (this.config.images === 'local') localImages(target, this.config.local);
    if (options.clockFaults && this.config.images !== 'auto') refuseFakeClock(target, this.config.images);
  }

  protected async startCluster(name: string, options: StartOptions, onStopped: () => void): Promise<Cluster> {
    const target = this.targetOf(name, options);
    let docker = this.config.docker;
    const connect = async () => (docker ??= await dockerClient());
    const images = await resolveImages(connect, target, this.config.images, this.config.local);
    const cluster = await DockerCluster.start(await connect(), target, {
      nodes: options.nodes,
      bug: options.bug,
      options: options.options ?? {},
      images,
      clientFaults: options.clientFaults ?? false,
      clockFaults: options.clockFaults ?? false,
      seed: options.seed,
      // Once the cluster is gone, nothing of the run may fire (a late client retry, a crash-loop step).
      onStopped,
    });
    this.cluster = cluster;
    return cluster;
  }

  private targetOf(name: string, options: StartOptions): DockerTarget {
    const target = this.targets.get(name);
    if (!target) throw usageError(`unknown target '${name}' for the docker runtime (known: ${[...this.targets.keys()].join(', ')})`);
    checkBug(name, target.bugs, options.bug);
    return target;
  }
}
