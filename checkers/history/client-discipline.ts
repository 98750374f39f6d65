import { IntTable } from '../int-table.js';
import { sameValue } from '../values/key.js';
import type { Op } from './op.js';
import { isClientProcess } from './op.js';

/**
 * The rules a client op can break, named as jepsen.history names the first two (`::double-invoke`, `::not-running`):
 * - `double-invoke`: an invocation while its process has one in flight (a process runs one op at a time);
 * - `not-running`: a completion with no invocation in flight on its process;
 * - `f-mismatch`, `key-mismatch`: a completion of another function, or on another key, than the one invoked
 *   (checkers split histories by key: a completion under another key would pair with nothing there);
 * - `retired`: any op of a process after its `info` (the client may still be running it, so Jepsen gives the
 *   client a fresh process id and never reuses the old one);
 * - `unknown-type`: a client op whose type is not invoke, ok, fail or info. The readers refuse one, but ops built
 *   in memory reach the checkers unread, and an op not understood must not be taken for a completion.
 */
export type Rule = 'double-invoke' | 'not-running' | 'f-mismatch' | 'key-mismatch' | 'retired' | 'unknown-type';

/** The call in flight on a process: its invocation and the name its caller gave it. */
export interface Running {
  at: number;
  invoke: Op;
}

/** The `info` that retired a process: its own name, and the name of the call it completed. */
export interface Retirement {
  at: number;
  call: number;
}

/**
 * A broken rule, as data: which rule, the op that broke it and its name (`at`), and what it clashed with. Callers
 * word it (the recorder as a harness bug, the checkers as an input error naming lines).
 */
export type Violation =
  | { rule: 'double-invoke' | 'f-mismatch' | 'key-mismatch'; op: Op; at: number; running: Running }
  | { rule: 'not-running' | 'unknown-type'; op: Op; at: number }
  | { rule: 'retired'; op: Op; at: number; retiredBy: Retirement };

/** What `state` holds for a process with nothing in flight, and for one that got `info`. */
const IDLE = -1;
const RETIRED = -2;

/** Process ids below this are kept in a typed array (grown as they come); past it, in a Map. */
const DENSE_LIMIT = 1 << 20;

/**
 * Jepsen's client discipline, one op at a time, and the pairing that follows from it: the one table of processes
 * (what each has in flight, which are retired) that the recorder, the checkers, the stats and the report all use.
 * A caller names each op by an integer `at` (0 ≤ at < 2^31) of its choosing (its position, its index, its line): an
 * invocation's `at` names its call, and is what its completion gives back. Ops of non-client processes (the
 * nemesis) follow no rule.
 *
 * Each call in flight has a slot (its `at` and its invocation, for the f and key its completion must match), freed
 * when it completes and reused: slots are bounded by the concurrency, and an op costs array reads and writes, no
 * Map operation (a million ops are paired in a few tens of milliseconds). Memory: one int32 per process seen, one
 * entry per retired process (for the message when it issues again), and the slots.
 */
export class ClientDiscipline {
  /** Process → the slot of its call in flight, IDLE or RETIRED. */
  private readonly state = new IntTable(IDLE, 64, DENSE_LIMIT);
  /** Slot → the `at` of its call, and its invocation (undefined while the slot is free). */
  private readonly slotAt: number[] = [];
  private readonly slotInvoke: (Op | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly retired = new Map<number, Retirement>();

  /**
   * Admits `op` if it may come next and records its effect: an invocation opens call `at` and gives -1; a completion
   * closes its process's call and gives that call's `at`; a nemesis op gives -1. A broken rule gives a Violation
   * and changes nothing, so a caller that goes on pairs the offending op with nothing.
   */
  admit(op: Op, at: number): number | Violation {
    const p = op.process;
    if (!isClientProcess(p)) return -1;
    const type = op.type;
    if (type !== 'invoke' && type !== 'ok' && type !== 'fail' && type !== 'info') return { rule: 'unknown-type', op, at };
    const s = this.state.get(p);
    if (s === RETIRED) return { rule: 'retired', op, at, retiredBy: this.retired.get(p)! };
    if (type === 'invoke') {
      if (s >= 0) return { rule: 'double-invoke', op, at, running: this.running(s) };
      const free = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.slotAt.length;
      this.slotAt[free] = at;
      this.slotInvoke[free] = op;
      this.state.set(p, free);
      return -1;
    }
    if (s < 0) return { rule: 'not-running', op, at };
    const invoke = this.slotInvoke[s]!;
    if (invoke.f !== op.f) return { rule: 'f-mismatch', op, at, running: this.running(s) };
    if (op.key !== undefined && invoke.key !== undefined && !sameValue(op.key, invoke.key)) {
      return { rule: 'key-mismatch', op, at, running: this.running(s) };
    }
    const c = this.slotAt[s];
    this.slotInvoke[s] = undefined;
    this.freeSlots.push(s);
    if (type === 'info') {
      this.state.set(p, RETIRED);
      this.retired.set(p, { at, call: c });
    } else {
      this.state.set(p, IDLE);
    }
    return c;
  }

  /** The invocation in flight on a client process, if any (what its completion will be paired with). */
  invocation(process: number): Op | undefined {
    const s = this.state.get(process);
    return s >= 0 ? this.slotInvoke[s] : undefined;
  }

  /** Client processes with a call in flight (each counts as `info` if the history ends now), in ascending order. */
  runningProcesses(): number[] {
    const out: number[] = [];
    this.state.forEach((s, p) => {
      if (s >= 0) out.push(p);
    });
    return out.sort((a, b) => a - b);
  }

  private running(s: number): Running {
    return { at: this.slotAt[s], invoke: this.slotInvoke[s]! };
  }
}
