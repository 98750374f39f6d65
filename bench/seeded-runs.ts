import { builtinRegistry } from '../harness/builtins.js';
import { parseDefinition } from '../harness/config/index.js';
import { runTest, type RunOutcome } from '../harness/run.js';

/** What runs of successive seeds of one case came to: verdicts, wall times, and when each anomaly showed. */
export interface SeedTally {
  valid: number;
  invalid: number;
  wallMs: number[];
  /** Per invalid run, the test time (s) at which its first non-linearizable op completed. */
  foundAt: number[];
  outcomes: RunOutcome[];
}

/** Runs `faultline run` for seeds 1…`seeds` of one test definition (its fields, without the seed) and tallies them. */
export async function tallySeeds(fields: Record<string, unknown>, seeds: number): Promise<SeedTally> {
  const tally: SeedTally = { valid: 0, invalid: 0, wallMs: [], foundAt: [], outcomes: [] };
  for (let seed = 1; seed <= seeds; seed++) {
    const def = parseDefinition({ ...fields, seed }, builtinRegistry().definitions());
    const t = performance.now();
    const r = await runTest(def);
    tally.wallMs.push(performance.now() - t);
    if (r.valid === true) tally.valid++;
    if (r.valid === false) tally.invalid++;
    const first = (r.check.checker === 'linearizable' ? r.check.partitions : [])
      .flatMap((p) => (p.anomaly ? [p.anomaly.op.completeIndex] : []))
      .map((i) => r.history[i].time / 1e9);
    if (first.length) tally.foundAt.push(Math.min(...first));
    tally.outcomes.push(r);
  }
  return tally;
}

export const median = (xs: readonly number[]): number => (xs.length ? [...xs].sort((a, b) => a - b)[xs.length >> 1] : NaN);
