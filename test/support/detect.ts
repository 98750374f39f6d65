import type { LogResult } from '../../checkers/log/result.js';
import type { RunOutcome } from '../../harness/run.js';

/**
 * What the nemesis did in a run, one entry per fault it began (its value, or the error it met): a miss then says
 * whether the faults landed at all, which the verdict alone cannot.
 */
export function faultsBegun(r: Pick<RunOutcome, 'history'>): string {
  // Each start is recorded twice: as it begins (value null) and once in force (what was done, or the error).
  const began = r.history.filter((o) => o.process === 'nemesis' && o.f.startsWith('start') && (o.value !== null || o.error !== undefined));
  if (began.length === 0) return 'no faults';
  return began
    .map((o) => `${o.f}@${(o.time / 1e9).toFixed(1)}s ${o.error !== undefined ? `error: ${String(o.error)}` : JSON.stringify(o.value)}`)
    .join(', ');
}

/** A log run in one line for a failed claim: the log checker's anomaly counts, the sends acknowledged, the faults. */
export function explainLogRun(r: RunOutcome): string {
  const log = r.check as LogResult;
  return `${JSON.stringify(log.anomalyCounts)}, ${log.counts.sendsOk} sends ok; faults: ${faultsBegun(r)}`;
}

/**
 * A detection claim on real containers: runs of successive seeds, each of at most `perRun` s of test time, until one
 * is invalid (or `caught` says so, for a claim about one guarantee) or `budget` s of test time are spent. A rare
 * window (a kill landing between two COMMIT PREPAREDs) on a loaded machine gets another run rather than a lower bar:
 * the claim is "found within the budget", and the worst case, for the CI's time, is the budget plus each run's
 * setup. How often one run finds it is measured in bench/, over many seeds.
 */
export async function untilCaught(
  run: (seed: number, timeLimit: number) => Promise<RunOutcome>,
  { perRun, budget, describe, caught = (r) => r.valid === false }: { perRun: number; budget: number; describe?: (r: RunOutcome) => string; caught?: (r: RunOutcome) => boolean },
): Promise<RunOutcome> {
  const seen: string[] = [];
  let spent = 0;
  for (let seed = 1; spent < budget; seed++) {
    const timeLimit = Math.min(perRun, budget - spent);
    const r = await run(seed, timeLimit);
    spent += timeLimit;
    if (caught(r)) return r;
    seen.push(`seed ${seed}, ${timeLimit} s: ${String(r.valid)}${describe ? `; ${describe(r)}` : ''}; faults: ${faultsBegun(r)}`);
  }
  throw new Error(`not caught within ${budget} s of test time:\n${seen.join('\n')}`);
}
