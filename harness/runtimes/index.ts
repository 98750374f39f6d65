import { externalNodesOf, type TestDefinition } from '../config/index.js';
import type { Registry } from '../registry.js';
import type { Runtime } from '../runtime.js';
import type { LocalImage } from './docker/image-recipe.js';
import { DockerRuntime } from './docker/runtime.js';
import { BUILTIN_PARTS } from './external/builtin-parts.js';
import { ExternalRuntime } from './external/runtime.js';
import { SimRuntime } from './sim/runtime.js';

/**
 * The runtime a test definition asks for, with the registry's targets for it. The run loop sees only the Runtime
 * contract. `localImage`: the Docker runtime's local image, as the composition root builds it (harness/builtins.ts).
 */
export function runtimeFor(def: TestDefinition, registry: Registry, images: { localImage: LocalImage }): Runtime {
  switch (def.runtime) {
    case 'sim':
      return new SimRuntime(registry.simTargets(), { seed: def.seed, latency: { min: 1, max: 5 } });
    case 'docker':
      return new DockerRuntime(registry.dockerTargets(), { images: def.images ?? 'auto', local: images.localImage });
    case 'external':
      return new ExternalRuntime(registry.externalTargets(), {
        nodes: externalNodesOf(def),
        faults: def.faults ?? {},
        ...(def.ssh !== undefined && { ssh: def.ssh }),
        parts: BUILTIN_PARTS,
        images: { choice: def.images ?? 'auto', local: images.localImage },
      });
  }
}
