/**
 * How many acknowledged entries redis-stream loses, per run, in the three layouts issue 20 names: one server with its
 * append-only file under kill (none expected), and Sentinel's primary and replicas under partition:primary without
 * WAIT and with `wait: 1`. For each run: the acknowledged sends, those missing from the final drain (how many of
 * them some poll had read before, on the primary that lost them), the contract's lost-writes (never read by anyone),
 * inconsistent offsets and assign-mode skips, and the wall time.
 *
 * Until issue 20's `log` workload and checker are in, the runs use the tests' stand-in for them
 * (test/support/stream-log.ts), the same ops the contract gives.
 *
 *   node dist/bench/detect-log-docker.js [seeds] [filter]     # e.g. 5 wait
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinCheckers } from '../harness/builtins.js';
import { parseDefinition } from '../harness/config/index.js';
import { Registry } from '../harness/registry.js';
import { runTest } from '../harness/run.js';
import { builtinTargets } from '../targets/index.js';
import { builtinWorkloads } from '../workloads/index.js';
import { streamLogPlugin, type TestLogResult } from '../test/support/stream-log.js';

const cases: { name: string; fields: Record<string, unknown> }[] = [
  { name: 'single, kill', fields: { nemesis: { faults: ['kill'], interval: 4 } } },
  { name: 'replicated, no WAIT, partition:primary', fields: { options: { replicated: true }, nemesis: { faults: ['partition:primary'], interval: 6 } } },
  { name: 'replicated, wait 1, partition:primary', fields: { options: { replicated: true, wait: 1 }, nemesis: { faults: ['partition:primary'], interval: 6 } } },
];

const seeds = Number(process.argv[2] ?? 5);
const filter = process.argv[3];
const registry = new Registry([builtinCheckers, builtinTargets, builtinWorkloads, streamLogPlugin]);
const store = mkdtempSync(join(tmpdir(), 'faultline-bench-log-docker-'));
try {
  for (const c of cases) {
    if (filter && !c.name.includes(filter)) continue;
    console.log(c.name);
    let losing = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const def = parseDefinition({ runtime: 'docker', store, seed, target: 'redis-stream', workload: 'test-log', timeLimit: 10, ...c.fields }, registry.definitions());
      const t = performance.now();
      let r;
      try {
        r = await runTest(def, { registry });
      } catch (e) {
        // A cluster that did not start (a loaded machine) is no measurement: said, and the next seed runs.
        console.log(`  seed ${seed}: no run: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        continue;
      }
      const l = r.check as unknown as TestLogResult;
      const infoSends = r.history.filter((op) => op.f === 'send' && op.type === 'info').length;
      if (l.missing.length > 0) losing++;
      console.log(
        `  seed ${seed}: ${l.ackedSends} acked (${infoSends} info), ${l.missing.length} missing from the drain (${l.missing.filter((m) => m.polled).length} polled before), ` +
          `${l.lost.length} contract lost-writes, ${l.inconsistent.length} inconsistent offsets, ${l.skips.length} skips; ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
    }
    console.log(`  lost acknowledged entries in ${losing} of ${seeds} runs`);
  }
} finally {
  rmSync(store, { recursive: true, force: true });
}
