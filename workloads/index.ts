import { bank } from './bank.js';
import { register } from './register.js';
import { set } from './set.js';
import type { Workload } from './workload.js';

export type { Workload } from './workload.js';

/** Every workload by name. */
export const WORKLOADS: ReadonlyMap<string, Workload> = new Map([register, set, bank].map((w) => [w.name, w]));
