import type { DockerTarget } from '../harness/runtimes/docker/target.js';
import { postgres } from './postgres/docker.js';
import { raftKvDocker } from './raft-kv/docker.js';

/** Every target the Docker runtime can run, by name: real servers in containers. */
export const DOCKER_TARGETS: ReadonlyMap<string, DockerTarget> = new Map([
  postgres,
  raftKvDocker,
].map((t) => [t.name, t]));
