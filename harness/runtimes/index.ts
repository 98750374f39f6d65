import { usageError } from '../../checkers/errors.js';
import { DOCKER_TARGETS } from '../../targets/docker-targets.js';
import { SIM_TARGETS } from '../../targets/sim-targets.js';
import type { TestDefinition } from '../config/index.js';
import type { Runtime } from '../runtime.js';
import { DockerRuntime } from './docker/runtime.js';
import { SimRuntime } from './sim/runtime.js';

/** The runtime a test definition asks for. The run loop sees only the Runtime contract. */
export function runtimeFor(def: TestDefinition): Runtime {
  switch (def.runtime) {
    case 'sim':
      return new SimRuntime(SIM_TARGETS, { seed: def.seed, latency: { min: 1, max: 5 } });
    case 'docker':
      return new DockerRuntime(DOCKER_TARGETS, { images: def.images ?? 'auto' });
    default:
      throw usageError(`the ${def.runtime} runtime is not available yet (use --runtime sim or docker)`);
  }
}
