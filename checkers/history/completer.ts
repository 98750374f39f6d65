import { brokenRule } from '../errors.js';
import { ClientDiscipline } from './client-discipline.js';
import type { Op, Operation } from './op.js';
import { isClientProcess } from './op.js';

/** Counts of what a history held. */
export interface CompletedStats {
  ok: number;
  fail: number;
  info: number;
  pending: number;
  nemesis: number;
}

export interface Completed {
  /** Client operations that may have happened (ok and info), in invocation order. */
  operations: Operation[];
  stats: CompletedStats;
}

/**
 * Pairs invocations with completions one op at a time (Knossos `history/complete`), so a history can be completed
 * while it is read, without holding its ops: only the operations that may have happened are kept. `fail` ops are
 * dropped (they did not happen); `info` ops and invocations still pending at the end become ops that may take
 * effect at any point after their invocation, or never. An ill-formed history is an input error naming the line
 * (ClientDiscipline's rules, as for Calls).
 */
export class Completer {
  /** Every invocation so far, in order; null once it failed. */
  private readonly calls: (Operation | null)[] = [];
  /** An invocation is named by its call's place in `calls`, so a completion finds its call in one lookup. */
  private readonly discipline = new ClientDiscipline();
  private readonly stats: CompletedStats = { ok: 0, fail: 0, info: 0, pending: 0, nemesis: 0 };
  private invocations = 0;

  constructor(private readonly source: string | undefined) {}

  /** The op at `position` in the history, read from source line `line`. */
  push(op: Op, position: number, line: number): void {
    if (!isClientProcess(op.process)) {
      this.stats.nemesis++;
      return;
    }
    const c = this.discipline.admit(op, op.type === 'invoke' ? this.calls.length : position);
    if (typeof c !== 'number') {
      // The calls a Violation names are never null: a running call has not failed, and one that retired its process got info.
      const lineOf = (at: number) => this.calls[at]!.line!;
      throw brokenRule(this.source, c, { line, callLine: lineOf, infoLine: (r) => this.calls[r.call]!.completeLine! });
    }
    if (c < 0) {
      this.calls.push(fromInvoke(op, position, line));
      this.invocations++;
      return;
    }
    const o = this.calls[c]!;
    this.invocations--;
    if (op.type === 'fail') {
      this.stats.fail++;
      this.calls[c] = null;
      return;
    }
    o.completeIndex = op.index;
    o.completeLine = line;
    if (op.type === 'ok') {
      this.stats.ok++;
      o.status = 'ok';
      o.ret = position;
      // Jepsen: an ok completion carries the authoritative value (a read's invocation carries nil).
      if ('value' in op) o.value = op.value;
    } else {
      this.stats.info++;
    }
  }

  /** The operations, with dense ids in invocation order. */
  finish(): Completed {
    const operations: Operation[] = [];
    for (const o of this.calls) {
      if (o === null) continue;
      o.id = operations.length;
      operations.push(o);
    }
    return { operations, stats: { ...this.stats, pending: this.invocations } };
  }
}

function fromInvoke(op: Op, position: number, line: number): Operation {
  // Every field is set in one fixed order (key and completeLine included) so all operations share one hidden class.
  return {
    id: -1,
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
