import { brokenRule, historyError } from '../errors.js';
import { show } from '../values/show.js';
import { ClientDiscipline } from './client-discipline.js';
import type { History } from './history.js';
import type { Op } from './op.js';
import { isClientProcess } from './op.js';

/**
 * Jepsen's independent histories (`jepsen.independent`): a multi-key test records every client op's value as a
 * `[key value]` tuple (a cas is `[k [old new]]`, a read `[k v]`). Splitting gives each op `key` and `value` from
 * its tuple, so the checker partitions by key (P-compositionality) as for any keyed history. Like Jepsen's
 * `history-keys`/`subhistory`, a completion whose value is nil (a crash, a failed read) belongs to its invocation's
 * key. Ops of other processes (the nemesis) are kept as they are. Ops are copied: the input is not changed.
 */
export class IndependentSplit {
  /**
   * The split ops, admitted as they go (each named by its line): a completion finds its invocation's key here, and
   * one on another key than its invocation's is the discipline's `key-mismatch`, worded as every checker words it.
   */
  private readonly discipline = new ClientDiscipline();

  constructor(private readonly source: string | undefined) {}

  /** The op with its tuple split; `line` names it in errors. */
  split(op: Op, line: number): Op {
    if (!isClientProcess(op.process)) return op;
    const v = op.value;
    const invoked = op.type === 'invoke' ? undefined : this.discipline.invocation(op.process);
    let out: Op;
    if ((v === null || v === undefined) && invoked) {
      out = { ...op, key: invoked.key, value: null };
    } else {
      const [key, value] = this.tuple(op, line, op.type === 'invoke' ? 'invokes' : 'completes');
      out = { ...op, key, value };
    }
    const c = this.discipline.admit(out, line);
    if (typeof c !== 'number') throw brokenRule(this.source, c, { line, callLine: (at) => at, infoLine: (r) => r.at });
    return out;
  }

  private tuple(op: Op, line: number, verb: string): [unknown, unknown] {
    const v = op.value;
    if (Array.isArray(v) && v.length === 2) return [v[0], v[1]];
    throw historyError(
      this.source,
      line,
      `process ${op.process as number} ${verb} ${op.f} with ${show(v ?? null).slice(0, 60)}: --independent needs every client value to be a [key value] tuple (jepsen.independent)`,
    );
  }
}

/** The history with every client op's `[key value]` tuple split (see IndependentSplit). */
export function splitIndependent(history: History): History {
  const s = new IndependentSplit(history.source);
  const { ops, lines } = history;
  return { ...history, ops: ops.map((op, i) => s.split(op, lines ? lines[i] : i + 1)) };
}
