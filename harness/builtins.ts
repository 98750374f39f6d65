import { builtinTargets } from '../targets/index.js';
import { builtinWorkloads } from '../workloads/index.js';
import { Registry } from './registry.js';

/**
 * A registry of what faultline ships: the composition root, the one module that knows both the harness and the
 * built-in targets and workloads. Each call makes a new one, so adding a user's plugin changes no one else's.
 */
export function builtinRegistry(): Registry {
  return new Registry([builtinTargets, builtinWorkloads]);
}
