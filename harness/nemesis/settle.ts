import { describeError } from '../errors.js';
import type { FaultDone } from '../runtime.js';

/**
 * Sequencing of fault calls that may or may not be asynchronous. The simulation's faults return nothing and must
 * stay synchronous (a seed replays the same history only if nothing waits for a microtask); a real runtime's return
 * promises. These helpers run the next step at once for the one and after the promise for the other.
 */

/** Runs `next` after `r` (at once when `r` is not a promise); a rejection of `r` propagates and skips `next`. */
export function andThen(r: FaultDone, next: () => FaultDone): FaultDone {
  return r instanceof Promise ? r.then(next) : next();
}

/** Calls `fn` once `r` settles: with the error's first line if it rejected. Never rejects. */
export function settle(r: FaultDone, fn: (error?: string) => void): FaultDone {
  if (!(r instanceof Promise)) {
    fn();
    return;
  }
  return r.then(
    () => fn(),
    (e: unknown) => fn(describeError(e)),
  );
}

/** Every result together: a promise when any is one (rejecting with the first failure, after all settle). */
export function allDone(rs: readonly FaultDone[]): FaultDone {
  const ps = rs.filter((r): r is Promise<void> => r instanceof Promise);
  if (ps.length === 0) return;
  return Promise.allSettled(ps).then((out) => {
    const failed = out.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  });
}
