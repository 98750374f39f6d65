import { BUILTIN_CHECKERS, BUILTIN_MODELS } from '../checkers/registry.js';
import { Registry, type Plugin } from './registry.js';

/** faultline's checkers and models, registered as a plugin's are. */
export const builtinCheckers: Plugin = { name: 'faultline', checkers: BUILTIN_CHECKERS, models: BUILTIN_MODELS };

/**
 * A registry of faultline's checkers and models alone, for `faultline check`: a history is checked without loading
 * the targets' clients (Docker's, Redis's, PostgreSQL's), which would cost a third of a second of start-up per call.
 * A plugin's targets and workloads are still registered, and checked as declarations.
 */
export function checkingRegistry(): Registry {
  return new Registry([builtinCheckers]);
}
