import { historyError } from '../errors.js';
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
 * their invocation, or never. Ill-formed histories are input errors that name the line.
 */
export function complete(history: History): Completed {
  const { ops, lines, source } = history;
  const lineOf = (i: number) => (lines ? lines[i] : i + 1);
  const pending = new Map<number, number>(); // process → slot (in operations) of its open invocation
  const operations: Operation[] = [];
  const stats = { ok: 0, fail: 0, info: 0, pending: 0, nemesis: 0 };
  const dropped = new Set<number>();

  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (!isClientProcess(op.process)) {
      stats.nemesis++;
      continue;
    }
    const p = op.process;
    if (op.type === 'invoke') {
      const open = pending.get(p);
      if (open !== undefined) {
        const prior = operations[open];
        throw historyError(source, lineOf(i), `process ${p} invokes ${op.f} while its ${prior.f} from line ${prior.line} is still pending`);
      }
      pending.set(p, operations.length);
      operations.push(fromInvoke(op, i, operations.length, lineOf(i)));
      continue;
    }
    const open = pending.get(p);
    if (open === undefined) {
      throw historyError(source, lineOf(i), `process ${p} completes ${op.f} (${op.type}) with no pending invocation`);
    }
    const o = operations[open];
    if (o.f !== op.f) {
      throw historyError(source, lineOf(i), `process ${p} completes ${op.f} but invoked ${o.f} at line ${o.line}`);
    }
    pending.delete(p);
    o.completeIndex = op.index;
    o.completeLine = lineOf(i);
    if (op.type === 'ok') {
      stats.ok++;
      o.status = 'ok';
      o.ret = i;
      // Jepsen: an ok completion carries the authoritative value (a read's invocation carries nil).
      if ('value' in op) o.value = op.value;
    } else if (op.type === 'fail') {
      stats.fail++;
      dropped.add(o.id);
    } else {
      stats.info++;
    }
  }
  stats.pending = pending.size;
  const kept = dropped.size === 0 ? operations : operations.filter((o) => !dropped.has(o.id));
  kept.forEach((o, id) => (o.id = id));
  return { operations: kept, stats };
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
