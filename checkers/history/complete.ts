import { Completer } from './completer.js';
import type { Completed } from './completer.js';
import type { History } from './history.js';

export type { Completed, CompletedStats } from './completer.js';
export { Completer } from './completer.js';

/**
 * Pairs every invocation with its completion (Knossos `history/complete`), see Completer. Source lines are the
 * history's own when it was read from a file, else positions + 1.
 */
export function complete(history: History): Completed {
  const c = new Completer(history.source);
  const { ops, lines } = history;
  for (let i = 0; i < ops.length; i++) c.push(ops[i], i, lines ? lines[i] : i + 1);
  return c.finish();
}
