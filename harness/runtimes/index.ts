import { usageError } from '../../checkers/errors.js';
import { FAULT_KINDS, type FaultKind, type RuntimeName, type TestDefinition } from '../config/index.js';
import type { Registry } from '../registry.js';
import type { Runtime } from '../runtime.js';
import { DockerRuntime } from './docker/runtime.js';
import { SimRuntime } from './sim/runtime.js';

/** The runtime a test definition asks for, with the registry's targets for it. The run loop sees only the Runtime contract. */
export function runtimeFor(def: TestDefinition, registry: Registry): Runtime {
  switch (def.runtime) {
    case 'sim':
      return new SimRuntime(registry.simTargets(), { seed: def.seed, latency: { min: 1, max: 5 } });
    case 'docker':
      return new DockerRuntime(registry.dockerTargets(), { images: def.images ?? 'auto' });
    default:
      throw usageError(`the ${def.runtime} runtime is not available yet (use --runtime sim or docker)`);
  }
}

/** The faults a runtime declares it can inflict (the external runtime is not built: it declares nothing yet). */
export function runtimeFaults(runtime: RuntimeName): readonly FaultKind[] {
  switch (runtime) {
    case 'sim':
      return SimRuntime.faults;
    case 'docker':
      return DockerRuntime.faults;
    default:
      return FAULT_KINDS;
  }
}
