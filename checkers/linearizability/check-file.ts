import { streamHistoryFile, type Format } from '../formats/index.js';
import { Completer } from '../history/complete.js';
import { IndependentSplit } from '../history/independent.js';
import type { ModelRef } from '../models/model.js';
import { checkCompleted } from './check.js';
import type { CheckOptions, CheckResult } from './result.js';

/**
 * Checks a history file in one pass: each op is split (with `independent`) and paired as it is read, and only the
 * operations that may have happened are kept, never the ops themselves (a million-op file is a few hundred MB of
 * objects less). `clientOps` counts the client invocations, so a caller can refuse a history with none.
 */
export async function checkHistoryFile(
  path: string,
  format: Format | undefined,
  model: ModelRef,
  opts: CheckOptions & { independent?: boolean } = {},
): Promise<{ result: CheckResult; format: string; clientOps: number }> {
  const completer = new Completer(path);
  const split = opts.independent ? new IndependentSplit(path) : undefined;
  const h = await streamHistoryFile(path, { format }, (op, position, line) => completer.push(split ? split.split(op, line) : op, position, line));
  const completed = completer.finish();
  const { ok, fail, info, pending } = completed.stats;
  // `ms` is the check's own time, as for a history in memory: reading and pairing are not in it.
  const result = await checkCompleted({ ...completed, source: path }, model, opts);
  return { result, format: h.format!, clientOps: ok + fail + info + pending };
}
