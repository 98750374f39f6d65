import { builtinTargets } from '../targets/index.js';
import { builtinWorkloads } from '../workloads/index.js';
import { builtinCheckers } from './checking.js';
import { Registry } from './registry.js';
import { localImage, type LocalImage } from './runtimes/docker/image-recipe.js';

export { builtinCheckers } from './checking.js';

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
