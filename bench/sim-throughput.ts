/**
 * Simulated client operations per second: `faultline run` on the embedded simulation (kv-single, and raft-kv's five
 * nodes whose every write is a replicated log entry; register workload, 60 s of virtual time), timed from start to the end of the final reads (the check is timed apart).
 * Every op is recorded to history.jsonl as it happens, as in a real run. Goal: ≥ 50,000 ops/s on this machine.
 *
 *   node dist/bench/sim-throughput.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../harness/builtins.js';
import { parseDefinition } from '../harness/config/index.js';
import { runTest } from '../harness/run.js';

const store = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
try {
  const runs = [[5, []], [20, []], [50, []], [20, ['partition', 'kill', 'pause']]] as const;
  for (const [target, concurrency, faults] of ['kv-single', 'raft-kv'].flatMap((t) => runs.map(([c, f]) => [t, c, f] as const))) {
    const def = parseDefinition({ target, workload: 'register', seed: 1, store, concurrency, timeLimit: 60, nemesis: { faults: [...faults], interval: 5 } }, builtinRegistry().definitions());
    const start = performance.now();
    let simulated = 0;
    const outcome = await runTest(def, {
      progress: (p) => {
        if (p.phase === 'check' && simulated === 0) simulated = performance.now() - start;
      },
    });
    const checked = performance.now() - start - simulated;
    const ops = outcome.stats.ops.invoke;
    console.log(
      `${target.padEnd(9)} concurrency ${String(concurrency).padStart(2)}, nemesis ${faults.join(',') || 'none'}: ${ops} ops in ${(simulated / 1000).toFixed(2)} s = ` +
        `${Math.round(ops / (simulated / 1000))} simulated ops/s (check ${(checked / 1000).toFixed(2)} s, verdict ${String(outcome.valid)})`,
    );
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
