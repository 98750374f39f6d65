import { loadModel, type ModelRef } from '../../checkers/models/index.js';
import { parseModelReference } from '../../checkers/models/load.js';
import type { Registry } from '../registry.js';

/**
 * `--model`: a registered model's name (faultline's own, or a `--plugin`'s) or a module's `path#export`, loaded
 * here. An unknown name, a bad option, a file that cannot be loaded or an export that is not a model is refused in
 * one line, exit 254, before any history is read.
 */
export async function modelFlag(registry: Registry, text: string, options?: Record<string, unknown>): Promise<ModelRef> {
  const source = parseModelReference(text);
  if (source) return loadModel(options === undefined ? source : { ...source, options });
  return registry.model(text, options);
}
