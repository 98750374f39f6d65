import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SuiteTestResult } from '../../reports/suite-result.js';
import type { TestDefinition } from '../config/index.js';
import type { Registry } from '../registry.js';
import { runTest } from '../run-with-reports.js';
import { failureOf, recordOf, STATUS_EXIT, type RunRecord } from './outcome.js';

export interface SuiteRunOptions {
  registry: Registry;
  /** Simulated tests run side by side, this many at once (default: the cores). Docker and external: one at a time. */
  parallel?: number;
  /** Aborted (Ctrl-C): nothing more starts; the tests running are recorded as interrupted at once. */
  signal?: AbortSignal;
  onStart?: (def: TestDefinition) => void;
  onDone?: (result: SuiteTestResult) => void;
}

export interface SuiteOutcome {
  /** The tests that ran or were running, in the suite's order. */
  results: SuiteTestResult[];
  /** How many never started (the suite was interrupted). */
  notRun: number;
  interrupted: boolean;
}

/**
 * Runs a suite's tests: the simulated ones first, side by side in worker threads (a simulation is a CPU-bound
 * loop; threads use the cores), then the ones on real clusters strictly one after another (two Docker clusters at
 * once would slow each other's faults and timeouts). Each run is `faultline run`'s: a store entry, its report,
 * the store's index refreshed.
 */
export async function runSuite(tests: readonly TestDefinition[], options: SuiteRunOptions): Promise<SuiteOutcome> {
  const { signal } = options;
  const results: (SuiteTestResult | undefined)[] = new Array(tests.length);
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal?.aborted) resolve('aborted');
    signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });

  const one = async (i: number, inThread: boolean) => {
    const def = tests[i];
    options.onStart?.(def);
    const started = Date.now();
    let worker: Worker | undefined;
    const run: Promise<RunRecord> = inThread
      ? new Promise((resolve) => {
          worker = new Worker(new URL('./sim-worker.js', import.meta.url), { workerData: { def } });
          worker.once('message', (r: RunRecord) => resolve(r));
          worker.once('error', (e) => resolve(failureOf(def, e)));
          worker.once('exit', (code) => resolve({ status: 'crashed', exitCode: STATUS_EXIT.crashed, summary: `the run's thread exited with code ${code}` }));
        })
      : runTest(def, { registry: options.registry }).then((o) => recordOf(def, o, options.registry), (e: unknown) => failureOf(def, e));
    const r = await Promise.race([run, aborted]);
    // Interrupted: a simulation's thread is stopped; a real cluster is torn down by the runtime's own signal handler.
    if (r === 'aborted') void worker?.terminate();
    const record: RunRecord = r === 'aborted' ? { status: 'interrupted', exitCode: STATUS_EXIT.interrupted, summary: 'interrupted before it finished' } : r;
    const result: SuiteTestResult = { name: def.name, definition: def, ...record, durationMs: Date.now() - started };
    results[i] = result;
    options.onDone?.(result);
  };

  const indices = tests.map((_, i) => i);
  const sims = indices.filter((i) => tests[i].runtime === 'sim');
  const reals = indices.filter((i) => tests[i].runtime !== 'sim');
  const lanes = Math.max(1, Math.min(options.parallel ?? availableParallelism(), sims.length));
  const lane = async (queue: number[], inThread: boolean) => {
    while (!signal?.aborted && queue.length > 0) await one(queue.shift()!, inThread);
  };
  await Promise.all(Array.from({ length: lanes }, () => lane(sims, true)));
  await lane(reals, false);

  const ran = results.filter((r): r is SuiteTestResult => r !== undefined);
  return { results: ran, notRun: tests.length - ran.length, interrupted: signal?.aborted ?? false };
}

/** The suite's exit code, the worst verdict: 130 interrupted > 255 a crash > 254 a test that could not start > 1 an anomaly > 2 unknown > 0. */
export function suiteExitCode(outcome: Pick<SuiteOutcome, 'results' | 'interrupted'>): number {
  if (outcome.interrupted) return STATUS_EXIT.interrupted;
  const order: SuiteTestResult['status'][] = ['crashed', 'error', 'invalid', 'unknown'];
  for (const s of order) if (outcome.results.some((r) => r.status === s)) return STATUS_EXIT[s];
  return 0;
}
