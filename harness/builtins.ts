import { BUILTIN_CHECKERS, BUILTIN_MODELS } from '../checkers/registry.js';
import { builtinTargets } from '../targets/index.js';
import { builtinWorkloads } from '../workloads/index.js';
import { Registry, type Plugin } from './registry.js';
import { localImage, type LocalImage } from './runtimes/docker/image-recipe.js';

/** faultline's checkers and models, registered as a plugin's are. */
export const builtinCheckers: Plugin = { name: 'faultline', checkers: BUILTIN_CHECKERS, models: BUILTIN_MODELS };

/**
 * A registry of what faultline ships: the composition root, the one module that knows both the harness and the
 * built-in targets, workloads and checkers. Each call makes a new one, so adding a user's plugin changes no one else's.
 */
export function builtinRegistry(): Registry {
  return new Registry([builtinCheckers, builtinTargets, builtinWorkloads]);
}

/**
 * The Docker runtime's local image (`faultline images build`): the harness's base with what faultline's own Docker
 * targets declare for their roles. A plugin's target runs from it when it needs nothing more (else from the
 * registry's images), so a plugin never changes the image, nor makes anyone build another.
 */
export function builtinLocalImage(): LocalImage {
  return localImage(builtinTargets.dockerTargets ?? []);
}
