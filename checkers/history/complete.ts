import { Calls } from './calls.js';
import type { History } from './history.js';
import type { Op, Operation } from './op.js';
import { isClientProcess } from './op.js';

export interface Completed {
  /** Client operations that may have happened (ok and info), in invocation order. */
  operations: Operation[];
  stats: { ok: number; fail: number; info: number; pending: number; nemesis: number };
}

/**
 * Pairs every invocation with its completion (Knossos `history/complete`). `fail` ops are dropped (they did not
 * happen); `info` ops and invocations still pending at the end become ops that may take effect at any point after
 * their invocation, or never. Ill-formed histories are input errors that name the line (see Calls).
 */
export function complete(history: History): Completed {
  const calls = new Calls(history);
  const { ops, completion } = calls;
  const operations: Operation[] = [];
  const stats = { ok: 0, fail: 0, info: 0, pending: 0, nemesis: 0 };

  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (!isClientProcess(op.process)) {
      stats.nemesis++;
      continue;
    }
    if (op.type !== 'invoke') continue;
    const j = completion[i];
    if (j < 0) {
      stats.pending++;
      operations.push(fromInvoke(op, i, operations.length, calls.lineOf(i)));
      continue;
    }
    const end = ops[j];
    if (end.type === 'fail') {
      stats.fail++;
      continue;
    }
    const o = fromInvoke(op, i, operations.length, calls.lineOf(i));
    o.completeIndex = end.index;
    o.completeLine = calls.lineOf(j);
    if (end.type === 'ok') {
      stats.ok++;
      o.status = 'ok';
      o.ret = j;
      // Jepsen: an ok completion carries the authoritative value (a read's invocation carries nil).
      if ('value' in end) o.value = end.value;
    } else {
      stats.info++;
    }
    operations.push(o);
  }
  return { operations, stats };
}

function fromInvoke(op: Op, position: number, id: number, line: number): Operation {
  // Every field is set in one fixed order (key and completeLine included) so all operations share one hidden class.
  return {
    id,
    process: op.process as number,
    f: op.f,
    key: op.key,
    value: op.value ?? null,
    status: 'info',
    call: position,
    ret: Infinity,
    invokeIndex: op.index,
    completeIndex: -1,
    line,
    completeLine: undefined,
  };
}
