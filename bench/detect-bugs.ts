/**
 * How reliably and how fast the harness finds each target's bugs: `faultline run` on the simulation for 20 seeds
 * per (target, bug), 30 s of test time with partitions and kills, printing how many runs were valid, invalid and
 * unknown, and the median wall time of a run (simulation and check together).
 *
 *   node dist/bench/detect-bugs.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDefinition } from '../harness/config/index.js';
import { runTest } from '../harness/run.js';

const store = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
const cases: [string, string | undefined][] = [
  ['kv-single', undefined],
  ['primary-backup', undefined],
  ['primary-backup', 'async-replication'],
  ['primary-backup', 'lost-failover'],
];
try {
  for (const [target, bug] of cases) {
    const counts = { valid: 0, invalid: 0, unknown: 0 };
    const times: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const def = parseDefinition({ target, workload: 'register', seed, store, timeLimit: 30, nemesis: { faults: ['partition', 'kill'], interval: 5 }, ...(bug ? { bug } : {}) });
      const t = performance.now();
      const r = await runTest(def);
      times.push(performance.now() - t);
      counts[r.valid === true ? 'valid' : r.valid === false ? 'invalid' : 'unknown']++;
    }
    times.sort((a, b) => a - b);
    console.log(`${target}${bug ? ` --bug ${bug}` : ''}: ${counts.valid} valid, ${counts.invalid} invalid, ${counts.unknown} unknown of 20; median run ${(times[10] / 1000).toFixed(2)} s, max ${(times[19] / 1000).toFixed(2)} s`);
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
