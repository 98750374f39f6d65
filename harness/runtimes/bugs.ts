import { usageError } from '../errors.js';

/** Rejects a bug the target does not have, before anything starts (a usage error, naming the bugs it has). */
export function checkBug(target: string, bugs: readonly string[], bug: string | undefined): void {
  if (bug !== undefined && !bugs.includes(bug)) {
    throw usageError(`target ${target} has no bug '${bug}' (${bugs.length ? `known: ${bugs.join(', ')}` : 'it has none'})`);
  }
}
