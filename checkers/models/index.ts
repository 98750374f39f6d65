import { unknownModel } from '../errors.js';
import { casRegister } from './cas-register.js';
import { counter } from './counter.js';
import { fifoQueue } from './fifo-queue.js';
import { kv } from './kv.js';
import type { Model, ModelFactory, ModelSpec } from './model.js';
import { multiRegister } from './multi-register.js';
import { mutex } from './mutex.js';
import { register } from './register.js';
import { set } from './set.js';
import { unorderedQueue } from './unordered-queue.js';

export type { Model, ModelOp, ModelSpec, Step } from './model.js';

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

export function modelFor(spec: ModelSpec | string): Model<any> {
  const s = typeof spec === 'string' ? { name: spec } : spec;
  const factory = Object.prototype.hasOwnProperty.call(MODELS, s.name) ? MODELS[s.name] : undefined;
  if (!factory) throw unknownModel(s.name, MODEL_NAMES);
  return factory(s.options ?? {});
}
