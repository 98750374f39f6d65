import { BUILTIN_CHECKERS } from '../checkers/registry.js';
import { builtinTargets } from '../targets/index.js';
import { builtinWorkloads } from '../workloads/index.js';
import { Registry, type Plugin } from './registry.js';

/** faultline's checkers, registered as a plugin's are. */
export const builtinCheckers: Plugin = { name: 'faultline', checkers: BUILTIN_CHECKERS };

/**
 * A registry of what faultline ships: the composition root, the one module that knows both the harness and the
 * built-in targets, workloads and checkers. Each call makes a new one, so adding a user's plugin changes no one else's.
 */
export function builtinRegistry(): Registry {
  return new Registry([builtinCheckers, builtinTargets, builtinWorkloads]);
}
