import type { Plugin } from '../harness/registry.js';
import { kvSingle } from './kv-single/sim.js';
import { pg2pc } from './pg-2pc/docker.js';
import { postgres } from './postgres/docker.js';
import { primaryBackup } from './primary-backup/sim.js';
import { raftKvDocker } from './raft-kv/docker.js';
import { raftKv } from './raft-kv/sim.js';
import { redis } from './redis/docker.js';
import { redisReplicated } from './redis-replicated/docker.js';

/** faultline's own targets, a plugin like any other: node programs for the simulation, real servers for Docker. */
export const builtinTargets: Plugin = {
  name: 'faultline',
  simTargets: [kvSingle, primaryBackup, raftKv],
  dockerTargets: [postgres, pg2pc, raftKvDocker, redis, redisReplicated],
};
