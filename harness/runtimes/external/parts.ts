import type { ExecHook, SshSettings } from '../../config/cluster-spec.js';
import type { NodeFaultKind } from '../../config/vocabulary.js';
import type { ClientFaults } from '../../runtime.js';
import type { FaultMethod, Journal, MethodContext } from './method.js';
import type { Endpoint } from './view.js';
import type { LocalImage } from '../docker/image-recipe.js';
import type { ImageChoice } from '../docker/run-images.js';

/** The TCP fault proxy as the external runtime uses it: a fixed front per node service, and the client faults. */
export interface FrontingProxy extends ClientFaults {
  /** Opens a front for a node's service, forwarding to `upstream`; resolves with where clients connect. */
  front(node: string, service: string, upstream: Endpoint): Promise<Endpoint>;
  /** Sends later connections to a new upstream (a restarted container's new published port). */
  retarget(node: string, service: string, upstream: Endpoint): Promise<void>;
  close(): Promise<void>;
}

/**
 * What the external runtime is built from, handed in by the composition root (harness/runtimes/index.ts) so that
 * the runtime loads only what a test uses: the SSH library for the ssh method, dockerode for the docker one.
 */
export interface ExternalParts {
  /** `seed`: the run's, so the proxy's random choices (which chunk a loss stalls) are the run's own. */
  startProxy(seed: number): Promise<FrontingProxy>;
  /** The run's fault journal, once its directory exists; closed when the cluster stops. */
  openJournal(runDir: string, log: (line: string) => void): Journal & { close(): void };
  methods: {
    exec(ctx: MethodContext, hooks: Partial<Record<NodeFaultKind, ExecHook>>): Promise<FaultMethod>;
    /** Connects to every node before the run: a node it cannot log into stops the test before it starts. */
    ssh(ctx: MethodContext, settings: SshSettings): Promise<FaultMethod>;
    /** `net`: whether partitions or loss are made this way (they need the helper image and each node's ip). */
    docker(ctx: MethodContext, o: { images: ImageChoice; local: LocalImage; net: boolean }): Promise<FaultMethod>;
  };
}
