import type { SimTarget } from '../harness/runtimes/sim/target.js';
import { kvSingle } from './kv-single/sim.js';
import { primaryBackup } from './primary-backup/sim.js';
import { raftKv } from './raft-kv/sim.js';

/** Every target the simulation can run, by name. */
export const SIM_TARGETS: ReadonlyMap<string, SimTarget> = new Map([kvSingle, primaryBackup, raftKv].map((t) => [t.name, t]));
