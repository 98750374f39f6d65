import type { DockerTarget } from '../harness/runtimes/docker/target.js';
import { pg2pc } from './pg-2pc/docker.js';
import { postgres } from './postgres/docker.js';
import { raftKvDocker } from './raft-kv/docker.js';
import { redis } from './redis/docker.js';
import { redisReplicated } from './redis-replicated/docker.js';

/** Every target the Docker runtime can run, by name: real servers in containers. */
export const DOCKER_TARGETS: ReadonlyMap<string, DockerTarget> = new Map([
  postgres,
  pg2pc,
  raftKvDocker,
  redis,
  redisReplicated,
].map((t) => [t.name, t]));
