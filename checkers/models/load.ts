import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeError, isInputError, usageError } from '../errors.js';
import type { Model, ModelRef, ModelSource, ModelSpec } from './model.js';

/*
 * Models defined outside faultline: checked when given, loaded from a module, and told where they come from so that
 * worker threads can load them again (a function cannot cross to another thread; a module path can).
 */

/** Every hook a model may have; init and step are required. */
const HOOKS = [
  'init',
  'step',
  'equals',
  'fingerprint',
  'hash',
  'whyNot',
  'describeState',
  'describeOp',
  'validate',
  'isReadOnly',
  'crashedResults',
  'needsCrashed',
  'overwrites',
  'stillReadable',
] as const;
const FIELDS: readonly string[] = ['name', 'partition', 'source', ...HOOKS];
/** Models modelValue made: checked once, not bound again. */
const checked = new WeakSet<object>();

/** A model value (one with a step or an init: a malformed one is then refused as a model, not as a name). */
export function isModel(ref: ModelRef): ref is Model<any> {
  return typeof ref === 'object' && ref !== null && ('step' in ref || 'init' in ref);
}

export function isModelSource(ref: ModelRef): ref is ModelSource {
  return typeof ref === 'object' && ref !== null && 'module' in ref && !isModel(ref);
}

/** A built-in's name or name and options. */
export function isModelSpec(ref: ModelRef): ref is ModelSpec | string {
  return !isModel(ref) && !isModelSource(ref);
}

/** The module as a file: URL, which a worker thread imports as it is (a relative path would resolve elsewhere there). */
function moduleUrl(module: string): string {
  return module.startsWith('file:') ? module : pathToFileURL(resolve(module)).href;
}

/** `path#export`, as errors and the CLI write a source. */
export function sourceText(source: ModelSource): string {
  const path = source.module.startsWith('file:') ? fileURLToPath(source.module) : source.module;
  return `${path}#${source.export ?? 'default'}`;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : typeof v === 'function' ? 'a function' : `a ${typeof v}`;
}

/**
 * A model value as the search uses it, or a usage error naming what is wrong with it (`what` says whose it is): init
 * and step must be functions, any other hook a function too, `partition` 'key' or 'none', and no field unknown (a
 * misspelt `partiton` would otherwise be ignored in silence). The hooks are bound to the model, so a model written
 * as a class works as a plain object does. `also` sets fields of the result (a source, a default name).
 */
export function modelValue<S>(m: Model<S>, what: string, also: Pick<Model<S>, 'name' | 'source'> = {}): Model<S> {
  if (checked.has(m)) return also.name === undefined && also.source === undefined ? m : seal({ ...m, name: also.name ?? m.name, source: also.source ?? m.source });
  if (typeof m !== 'object' || m === null) throw usageError(`${what} is not a model (an object with init and step), got ${kindOf(m)}`);
  const unknown = Object.keys(m).find((k) => !FIELDS.includes(k));
  if (unknown !== undefined) {
    const hint = unknown === 'equal' ? " (did you mean 'equals'?)" : '';
    throw usageError(`${what}: unknown field '${unknown}'${hint} (known: ${FIELDS.join(', ')})`);
  }
  const out: Record<string, unknown> = {};
  for (const hook of HOOKS) {
    const f: unknown = m[hook];
    if (f === undefined && hook !== 'init' && hook !== 'step') continue;
    if (typeof f !== 'function') throw usageError(`${what}: ${hook} must be a function, got ${kindOf(f)}`);
    out[hook] = f.bind(m);
  }
  if (m.name !== undefined && typeof m.name !== 'string') throw usageError(`${what}: name must be a string, got ${kindOf(m.name)}`);
  if (m.partition !== undefined && m.partition !== 'key' && m.partition !== 'none') {
    throw usageError(`${what}: partition must be 'key' or 'none', got ${JSON.stringify(m.partition)}`);
  }
  if (m.source !== undefined) checkSource(m.source, what);
  return seal({ ...out, name: also.name ?? m.name, partition: m.partition, source: also.source ?? m.source } as unknown as Model<S>);
}

function seal<S>(m: Model<S>): Model<S> {
  checked.add(m);
  return m;
}

function checkSource(s: ModelSource, what: string): void {
  if (typeof s !== 'object' || s === null || typeof s.module !== 'string' || s.module === '') {
    throw usageError(`${what}: source.module must be a module's path or file: URL`);
  }
  if (s.export !== undefined && typeof s.export !== 'string') throw usageError(`${what}: source.export must be a string`);
  if (s.options !== undefined && (typeof s.options !== 'object' || s.options === null || Array.isArray(s.options))) {
    throw usageError(`${what}: source.options must be an object`);
  }
}

/**
 * A model that says where it comes from, so that worker threads can load it again: `moduleUrl` is the module that
 * exports it (`import.meta.url`), `exportName` the name it is exported under. Given a factory, returns a factory
 * whose models carry the options they were made with.
 *
 *   export const register = defineModel(import.meta.url, 'register', { init: () => null, step, equals });
 *   export const counter = defineModel(import.meta.url, 'counter', (options) => ({ init: () => options?.initial ?? 0, step }));
 */
export function defineModel<S>(moduleUrl: string, exportName: string, model: Model<S>): Model<S>;
export function defineModel<S, O extends Record<string, unknown> = Record<string, unknown>>(
  moduleUrl: string,
  exportName: string,
  factory: (options?: O) => Model<S>,
): (options?: O) => Model<S>;
export function defineModel(url: string, exportName: string, m: Model<any> | ((options?: Record<string, unknown>) => Model<any>)) {
  const module = moduleUrl(url);
  const what = `model ${exportName}`;
  if (typeof m !== 'function') return modelValue(m, what, { source: { module, export: exportName } });
  return (options?: Record<string, unknown>) =>
    modelValue(m(options), what, { source: options === undefined ? { module, export: exportName } : { module, export: exportName, options } });
}

/**
 * Imports a model's module and takes the export: a model, or a factory called with `options`. The model carries its
 * source, so it runs on worker threads too. A module that cannot be loaded, an export missing, or one that is not a
 * model is a usage error (exit 254) of one line naming the module and the export.
 */
export async function loadModel(source: ModelSource): Promise<Model<any>> {
  const where = `model ${sourceText(source)}`;
  checkSource(source, where);
  const module = moduleUrl(source.module);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(module)) as Record<string, unknown>;
  } catch (e) {
    // A missing file and a missing import inside it are the same error code: only the first is "no such file".
    const why = existsSync(fileURLToPath(module)) ? describeError(e) : 'no such file';
    throw usageError(`${where}: cannot load it (${why})`);
  }
  const name = source.export ?? 'default';
  if (!Object.prototype.hasOwnProperty.call(mod, name)) {
    const names = Object.keys(mod);
    throw usageError(`${where}: the module has no export '${name}' (exports: ${names.length ? names.join(', ') : 'none'})`);
  }
  const exported = mod[name];
  let model: unknown = exported;
  if (typeof exported === 'function') {
    try {
      model = (exported as (o?: Record<string, unknown>) => unknown)(source.options);
    } catch (e) {
      if (isInputError(e)) throw e;
      throw usageError(`${where}: the factory refused its options (${describeError(e)})`);
    }
  } else if (source.options !== undefined && Object.keys(source.options).length > 0) {
    throw usageError(`${where}: the export is a model, not a factory: it takes no options`);
  }
  if (typeof model !== 'object' || model === null || typeof (model as Model).step !== 'function' || typeof (model as Model).init !== 'function') {
    throw usageError(`${where}: export '${name}' is not a model (an object with init and step, or a factory returning one), got ${kindOf(model)}`);
  }
  const own: ModelSource = source.options === undefined ? { module, export: name } : { module, export: name, options: source.options };
  return modelValue(model as Model<any>, where, { name: (model as Model).name ?? name, source: own });
}

/**
 * The CLI's `--model`: a built-in's name, or a module's `path#export` (a path: it holds a '/', or ends in .js, .mjs
 * or .cjs; without '#export' its default export). undefined for a name.
 */
export function parseModelReference(text: string): ModelSource | undefined {
  const hash = text.lastIndexOf('#');
  const path = hash >= 0 ? text.slice(0, hash) : text;
  if (hash < 0 && !path.includes('/') && !/\.[mc]?js$/.test(path)) return undefined;
  return hash >= 0 ? { module: path, export: text.slice(hash + 1) } : { module: path };
}
