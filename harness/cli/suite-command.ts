import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { Command } from 'commander';
import { writeCiOutputs } from '../../reports/ci-outputs.js';
import type { SuiteTestResult } from '../../reports/suite-result.js';
import { writeStoreIndex } from '../../reports/write.js';
import { usageError } from '../errors.js';
import { registryWith } from '../plugins.js';
import { onInterrupt } from '../runtimes/teardown.js';
import { loadSuite } from '../suite/file.js';
import { suiteTests } from '../suite/matrix.js';
import { runSuite, suiteExitCode, type SuiteOutcome } from '../suite/run-suite.js';

/**
 * `faultline suite <suite.yaml>`, Jepsen's `test-all`: every test of a matrix, one store entry each, a closing
 * table, and the worst verdict as the exit code (130 interrupted, 255 a crash, 254 a test that could not start,
 * 1 an anomaly, 2 unknown, 0 all valid). A bad suite file is refused before anything runs: 254, one line.
 */
export function suiteCommand(program: Command): void {
  program
    .command('suite')
    .description('run a matrix of tests (targets × workloads × nemeses × seeds × runtimes) and report each verdict')
    .argument('<suite>', 'the suite file (YAML)')
    .option('--store <dir>', "where every test's run is stored (overrides the suite's store)")
    .option('--junit <file>', 'write JUnit XML, one testcase per test')
    .option('--parallel <n>', 'simulated tests run side by side, at most this many (default: the cores)')
    .option('--quiet', 'no progress lines')
    .action(async (path: string, flags: { store?: string; junit?: string; parallel?: string; quiet?: boolean }) => {
      const parallel = flags.parallel === undefined ? availableParallelism() : Number(flags.parallel);
      if (!Number.isInteger(parallel) || parallel < 1 || parallel > 256) throw usageError(`--parallel: expected an integer from 1 to 256, got ${flags.parallel}`);
      const suite = await loadSuite(path);
      const plugins = [...new Set([...(suite.shared.plugins ?? []), ...suite.include.flatMap((e) => e.plugins ?? [])])];
      const registry = await registryWith(plugins);
      const tests = suiteTests(suite, registry.definitions());
      if (flags.store !== undefined) for (const t of tests) t.store = flags.store;
      // Refused before anything runs, like the suite file.

      const err = process.stderr;
      const sims = tests.filter((t) => t.runtime === 'sim').length;
      err.write(
        `faultline: suite ${suite.name}: ${tests.length} tests (${sims} simulated, up to ${Math.min(parallel, Math.max(sims, 1))} side by side; ${tests.length - sims} on real clusters, one at a time)\n`,
      );
      let finished = 0;
      const stop = new AbortController();
      let reported!: () => void;
      const done = new Promise<void>((resolve) => (reported = resolve));
      // Ctrl-C: stop scheduling, record what ran, write the reports; the runtime tears down a live cluster, then exits 130.
      const off = onInterrupt(async () => {
        if (!stop.signal.aborted) err.write('faultline: interrupted: no more tests start; recording what ran\n');
        stop.abort();
        await done;
      });
      try {
        const outcome = await runSuite(tests, {
          registry,
          parallel,
          signal: stop.signal,
          onDone: (r) => {
            finished++;
            if (!flags.quiet) err.write(`  [${finished}/${tests.length}] ${r.status.padEnd(11)} ${r.name} (${(r.durationMs / 1000).toFixed(1)} s)\n`);
          },
        });
        // The runs side by side each refreshed the index as they ended; once more now, so it lists every one.
        for (const store of new Set(outcome.results.map((r) => r.definition.store))) await writeStoreIndex(store);
        process.stdout.write(suiteTable(suite.name, outcome));
        await writeCiOutputs(outcome.results, { ...(flags.junit !== undefined && { junit: flags.junit }), suiteName: suite.name ?? basename(path) });
        process.exitCode = suiteExitCode(outcome);
      } finally {
        reported();
        off();
      }
    });
}

const SHOWN: Record<SuiteTestResult['status'], string> = { valid: 'valid', invalid: 'INVALID', unknown: 'unknown', crashed: 'CRASHED', error: 'ERROR', interrupted: 'interrupted' };

/** The closing table: one row per test, its verdict, the one-line summary, where its report is. */
export function suiteTable(name: string, outcome: SuiteOutcome): string {
  const counts = new Map<string, number>();
  for (const r of outcome.results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const tally = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
  const rows = outcome.results.map((r) => [SHOWN[r.status], r.name, cut(r.summary, 100), r.report ?? r.runDir ?? '']);
  const header = ['verdict', 'test', 'summary', 'report'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => cells.map((s, c) => (c === cells.length - 1 ? s : s.padEnd(widths[c]))).join('  ').trimEnd();
  const notRun = outcome.notRun > 0 ? `; ${outcome.notRun} not run` : '';
  const n = outcome.results.length;
  return [`\nsuite ${name}: ${n} test${n === 1 ? '' : 's'}, ${tally || 'none run'}${notRun}${outcome.interrupted ? ' (interrupted)' : ''}`, line(header), ...rows.map(line), ''].join('\n');
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
