import { register } from './register.js';
import type { Workload } from './workload.js';

export type { Workload } from './workload.js';

/** Every workload by name. */
export const WORKLOADS: ReadonlyMap<string, Workload> = new Map([[register.name, register]]);
