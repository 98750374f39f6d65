import type { Plugin } from '../harness/registry.js';
import { bank } from './bank.js';
import { cache } from './cache.js';
import { lock } from './lock.js';
import { log } from './log.js';
import { register } from './register.js';
import { set } from './set.js';

export type { Workload } from './workload.js';

/** faultline's own workloads, a plugin like any other. */
export const builtinWorkloads: Plugin = { name: 'faultline', workloads: [register, set, bank, lock, cache, log] };
