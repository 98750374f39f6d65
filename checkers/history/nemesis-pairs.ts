import type { Op } from './op.js';
import { isClientProcess } from './op.js';

/** A nemesis action: the op that began it and the op that completed it (absent if the history ends first). */
export interface NemesisPair<T = Op> {
  begin: T;
  complete?: T;
}

/**
 * jepsen.history's pairing of the ops of non-client processes (its pair-index): Jepsen's nemesis writes each action
 * twice, both `info`, as it begins (`{:f :start-partition, :value nil}`) and once it is done (the same f, with what
 * was done), and it does one action at a time. So on each such process, an op with nothing in flight begins an
 * action and the next op completes it, whatever its f. This holds for histories that record both halves (Jepsen's
 * and faultline's since the nemesis records the pair); one that records each action once (older faultline
 * histories, hand-written ones) would be paired wrongly, which is why fault intervals (nemesisIntervals) fold
 * repeated starts and stops by name rather than relying on this.
 */
export function nemesisPairs<T extends Pick<Op, 'process'> = Op>(history: Iterable<T>): NemesisPair<T>[] {
  const pairs: NemesisPair<T>[] = [];
  const running = new Map<string, NemesisPair<T>>();
  for (const op of history) {
    if (isClientProcess(op.process)) continue;
    const p = String(op.process);
    const open = running.get(p);
    if (open === undefined) {
      const pair: NemesisPair<T> = { begin: op };
      pairs.push(pair);
      running.set(p, pair);
    } else {
      open.complete = op;
      running.delete(p);
    }
  }
  return pairs;
}
