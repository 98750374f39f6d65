import { fileURLToPath } from 'node:url';
import { connectClient, type ProcessClient } from '../../hosting/client.js';
import { formatAddress } from '../../hosting/address.js';
import type { ImageRole } from './image-roles.js';
import type { ClusterView, ContainerSpec } from './target.js';

/**
 * Targets whose nodes are faultline's own programs (`faultline node raft-kv`, `faultline coordinator pg-2pc`): the
 * repository (dist/ and node_modules/) is bound read-only into the container, which runs bin/faultline.js from it.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MOUNT = '/faultline';

/**
 * The role of a node program's container, the harness's own: a target whose nodes are faultline programs declares
 * it among its images. Node 20 from the registry; locally no package, as the local image's base carries this
 * machine's Node (image-recipe.ts).
 */
export const NODE_PROGRAM_IMAGE: ImageRole = Object.freeze({ official: 'node:20-slim', packages: Object.freeze([]) });

/** A container running `faultline <args…>` (and `--bug <bug>` when there is one), listening on `port`. */
export function faultlineContainer(image: string, args: readonly string[], port: number, bug: string | undefined): ContainerSpec {
  return {
    image,
    cmd: ['node', `${MOUNT}/bin/faultline.js`, ...args, ...(bug ? ['--bug', bug] : [])],
    ports: [port],
    mounts: { [ROOT]: MOUNT },
  };
}

/** `nodes`' endpoints on `port` from the harness's side, as `host:port`, by node. */
export function endpointsOf(view: ClusterView, nodes: readonly string[], port: number): Record<string, string> {
  return Object.fromEntries(nodes.map((n) => [n, formatAddress(view.endpoint(n, port))]));
}

/** The harness's own connection to `endpoints`, for its questions while it waits for a cluster to be ready. */
export function probeClient(endpoints: Record<string, string>): ProcessClient {
  return connectClient('faultline-probe', endpoints);
}
