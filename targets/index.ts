import type { Plugin } from '../harness/registry.js';
import { cacheAside } from './cache-aside/docker.js';
import { paxosKvDocker } from './paxos-kv/docker.js';
import { pg2pc } from './pg-2pc/docker.js';
import { postgres } from './postgres/docker.js';
import { raftKvDocker } from './raft-kv/docker.js';
import { redis } from './redis/docker.js';
import { redisLock } from './redis-lock/docker.js';
import { redisReplicated } from './redis-replicated/docker.js';
import { redisStream } from './redis-stream/docker.js';
import { redlock } from './redlock/docker.js';
import { shardedKvDocker } from './sharded-kv/docker.js';
import { builtinSimTargets } from './sim.js';

/** faultline's own targets, a plugin like any other: node programs for the simulation, real servers for Docker. */
export const builtinTargets: Plugin = {
  name: 'faultline',
  simTargets: builtinSimTargets.simTargets,
  dockerTargets: [postgres, pg2pc, paxosKvDocker, raftKvDocker, redis, redisReplicated, redisLock, redisStream, redlock, shardedKvDocker, cacheAside],
};
