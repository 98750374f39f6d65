import type Dockerode from 'dockerode';
import { usageError } from '../../errors.js';
import type { FaultKind } from '../../config/index.js';
import { RUNTIME_FAULTS } from '../capabilities.js';
import type { Cluster, Runtime, StartOptions } from '../../runtime.js';
import { checkBug } from '../bugs.js';
import { DockerCluster } from './cluster.js';
import type { LocalImage } from './image-recipe.js';
import { dockerClient } from './images.js';
import { resolveImages, type ImageChoice } from './run-images.js';
import type { DockerTarget } from './target.js';

/** How often `drive` looks at the run's condition: the run loop's own work happens in timers and I/O callbacks. */
const DRIVE_POLL_MS = 5;

/**
 * The Docker runtime: real servers in containers, real time. Time starts when the cluster is serving, so a test's
 * time limit is spent testing, not pulling images or waiting for a database to start.
 */
export class DockerRuntime implements Runtime {
  /**
   * No node-to-node latency (the kernels we run on have no netem); the client faults come from the TCP fault proxy,
   * put in front of the nodes only for a test whose nemesis has them.
   */
  static readonly faults: readonly FaultKind[] = RUNTIME_FAULTS.docker;
  readonly name = 'docker';
  private t0 = performance.now();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The last cluster started (for the benchmarks' setup and teardown figures). */
  cluster: DockerCluster | undefined;

  constructor(
    private readonly targets: ReadonlyMap<string, DockerTarget>,
    /** `local`: the image `faultline images build` makes (the composition root says which targets it is built for). */
    private readonly config: { images: ImageChoice; local: LocalImage; docker?: Dockerode },
  ) {}

  now(): number {
    return performance.now() - this.t0;
  }

  at(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, Math.max(0, ms));
    this.timers.add(t);
  }

  async start(name: string, options: StartOptions): Promise<Cluster> {
    const target = this.targets.get(name);
    if (!target) throw usageError(`unknown target '${name}' for the docker runtime (known: ${[...this.targets.keys()].join(', ')})`);
    checkBug(name, target.bugs, options.bug);
    let docker = this.config.docker;
    const connect = async () => (docker ??= await dockerClient());
    const images = await resolveImages(connect, target, this.config.images, this.config.local);
    const cluster = await DockerCluster.start(await connect(), target, {
      nodes: options.nodes,
      bug: options.bug,
      options: options.options ?? {},
      images,
      clientFaults: options.clientFaults ?? false,
      seed: options.seed,
      // Once the cluster is gone, nothing of the run may fire (a late client retry, a crash-loop step).
      onStopped: () => this.cancelTimers(),
    });
    this.cluster = cluster;
    this.t0 = performance.now();
    return cluster;
  }

  async drive(finished: () => boolean): Promise<void> {
    while (!finished()) await new Promise((r) => setTimeout(r, DRIVE_POLL_MS));
  }

  private cancelTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
