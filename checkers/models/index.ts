import { unknownModel, usageError } from '../errors.js';
import { showShort } from '../values/show.js';
import { isPlainObject } from '../values/types.js';
import { casRegister } from './cas-register.js';
import { counter, isInteger } from './counter.js';
import { fifoQueue } from './fifo-queue.js';
import { kv } from './kv.js';
import { isModel, isModelSource, modelValue, sourceText } from './load.js';
import type { Model, ModelFactory, ModelRef, ModelSource, ModelSpec } from './model.js';
import { multiRegister } from './multi-register.js';
import { mutex } from './mutex.js';
import { register } from './register.js';
import { set } from './set.js';
import { unorderedQueue } from './unordered-queue.js';

export type { Model, ModelOp, ModelRef, ModelSource, ModelSpec, Step } from './model.js';
export { defineModel, isModel, isModelSpec, loadModel, modelValue } from './load.js';

/** Every model by the name users type after `--model`. */
export const MODELS: Readonly<Record<string, ModelFactory>> = {
  register,
  'cas-register': casRegister,
  kv,
  'multi-register': multiRegister,
  mutex,
  set,
  'fifo-queue': fifoQueue,
  'unordered-queue': unorderedQueue,
  counter,
};

export const MODEL_NAMES: readonly string[] = Object.keys(MODELS);

/** Why an option's value is refused, or null when it is fine. */
type OptionCheck = (v: unknown) => string | null;
const anyValue: OptionCheck = () => null;

/** The options each model takes; any other is refused, so a misspelt option never goes unnoticed. */
const MODEL_OPTIONS: Readonly<Record<string, Readonly<Record<string, OptionCheck>>>> = {
  register: { initial: anyValue },
  'cas-register': { initial: anyValue },
  kv: { initial: (v) => (typeof v === 'string' ? null : 'must be a string') },
  'multi-register': { initial: (v) => (typeof v === 'object' && v !== null && isPlainObject(v) ? null : 'must be an object of register names to values') },
  counter: { initial: (v) => (isInteger(v) ? null : 'must be an integer') },
};

/** Refuses (usage error, exit 254) an option the model does not take or a value it cannot use. */
function checkOptions(name: string, options: Record<string, unknown>): void {
  const known = Object.prototype.hasOwnProperty.call(MODEL_OPTIONS, name) ? MODEL_OPTIONS[name] : {};
  for (const key of Object.keys(options)) {
    if (!Object.prototype.hasOwnProperty.call(known, key)) {
      const names = Object.keys(known);
      throw usageError(`model ${name} has no option '${key}' (${names.length ? `known: ${names.join(', ')}` : 'it takes none'})`);
    }
    const why = known[key](options[key]);
    if (why !== null) throw usageError(`model ${name}'s option ${key} ${why}, got ${showShort(options[key], 60)}`);
  }
}

export function modelFor(spec: ModelSpec | string): Model<any> {
  const s = typeof spec === 'string' ? { name: spec } : spec;
  const factory = Object.prototype.hasOwnProperty.call(MODELS, s.name) ? MODELS[s.name] : undefined;
  if (!factory) throw unknownModel(s.name, MODEL_NAMES);
  checkOptions(s.name, s.options ?? {});
  return factory(s.options ?? {});
}

/** A model ready for the search, its name, and how a worker thread builds it again. */
export interface ResolvedModel {
  model: Model<any>;
  name: string;
  /** A built-in's spec or a module's source; undefined when workers cannot build it (a model value without source). */
  rebuild?: ModelSpec | ModelSource;
}

/**
 * The model a reference names, without loading anything: a built-in by name (workers rebuild it by name) or a model
 * value (checked; workers load it from its source, if it has one). A source must be loaded first (loadModel).
 */
export function resolveModel(ref: ModelRef): ResolvedModel {
  if (isModelSource(ref)) throw usageError(`model ${sourceText(ref)} must be loaded first: give it to check (not checkSync), or call loadModel`);
  if (isModel(ref)) {
    const model = modelValue(ref, `model ${ref.name ?? '(unnamed)'}`);
    return { model, name: model.name ?? 'model', rebuild: model.source };
  }
  const spec = typeof ref === 'string' ? { name: ref } : ref;
  return { model: modelFor(spec), name: spec.name, rebuild: spec };
}
