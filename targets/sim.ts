import type { Plugin } from '../harness/registry.js';
import { kvSingle } from './kv-single/sim.js';
import { paxosKv } from './paxos-kv/sim.js';
import { primaryBackup } from './primary-backup/sim.js';
import { raftKv } from './raft-kv/sim.js';
import { replicatedLog } from './replicated-log/sim.js';
import { shardedKv } from './sharded-kv/sim.js';

/**
 * faultline's node programs alone: what `faultline node` hosts in each container of a Docker run (and restarts after
 * every kill), without the Docker, Redis and PostgreSQL clients the Docker targets load.
 */
export const builtinSimTargets: Plugin = { name: 'faultline', simTargets: [kvSingle, paxosKv, primaryBackup, raftKv, replicatedLog, shardedKv] };
