import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describeError, usageError } from './errors.js';
import { describeValue } from './config/vocabulary.js';
import type { Plugin, Registry } from './registry.js';

/**
 * Loads a plugin module: its default export (or its export named `plugin`) is a Plugin, a plain object naming its
 * targets, workloads, checkers and models. A module that cannot be loaded, or exports no plugin, is a usage error naming it.
 */
export async function loadPlugin(path: string): Promise<Plugin> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    // A missing file and a missing import inside it are the same error code: only the first is "no such module".
    const why = existsSync(path) ? describeError(e) : 'no such file';
    throw usageError(`--plugin ${path}: cannot load it (${why})`);
  }
  const plugin = mod.default ?? mod.plugin;
  if (plugin === null || typeof plugin !== 'object' || typeof (plugin as { name?: unknown }).name !== 'string') {
    throw usageError(`--plugin ${path}: expected its default export to be a plugin ({ name, simTargets?, dockerTargets?, workloads?, checkers?, models? }), got ${describeValue(plugin)}`);
  }
  return plugin as Plugin;
}

/**
 * A registry of faultline's own targets, workloads, checkers and models (or `base`'s), and those of the plugins at
 * these paths, in order.
 */
export async function registryWith(paths: readonly string[], base?: () => Registry): Promise<Registry> {
  // Imported here, not above: `faultline check` gives its own base and so never loads the targets' clients.
  const registry = base ? base() : (await import('./builtins.js')).builtinRegistry();
  for (const p of paths) registry.use(await loadPlugin(p));
  return registry;
}
