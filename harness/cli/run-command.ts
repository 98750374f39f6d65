import { join } from 'node:path';
import { Command } from 'commander';
import type { Checker, CheckerResult } from '../../checkers/registry.js';
import { writeCiOutputs } from '../../reports/ci-outputs.js';
import { DEFAULT_REPORTERS } from '../../reports/reporters.js';
import { collectFlag, definitionWarnings, formatFaultList, loadDefinition, mergeDefinition, pluginPaths, RUN_FLAGS, type CliFlags, type TestDefinition } from '../config/index.js';
import { describeError } from '../errors.js';
import { stoppedRunOf } from '../stopped-record.js';
import { registryWith } from '../plugins.js';
import { runTest, type RunOutcome, type RunProgress } from '../run.js';
import type { RunRecord } from '../suite/outcome.js';
import type { RunStats } from '../store/index.js';
import { failedTestResult, testResultOf } from './test-result.js';

/**
 * `faultline run`: a whole test — cluster, clients, nemesis, history, checker, results — with Jepsen's exit codes:
 * 0 valid, 1 invalid, 2 unknown, 254 bad arguments or config (255, a crash, is main.ts's).
 */
export function runCommand(program: Command): void {
  const cmd = program
    .command('run')
    .description('run a test: start the target, drive the workload under faults, record and check the history')
    .option('--config <file>', 'a YAML or JSON test definition (flags override it)');
  for (const f of RUN_FLAGS) {
    if (f.repeatable) cmd.option(`${f.flag} ${f.arg}`, f.description, collectFlag);
    else cmd.option(`${f.flag} ${f.arg}`, f.description);
  }
  cmd.option('--quiet', 'no progress lines');
  cmd.option('--junit <path>', 'also write the result as JUnit XML (an anomaly is a failure; unknown or a crash, an error)');
  cmd.option('--json', 'print the result as one JSON object on stdout (progress and the rest on stderr)');
  cmd.action(async (flags: CliFlags & { config?: string; quiet?: boolean; junit?: string; json?: boolean }) => {
    const file = flags.config !== undefined ? await loadDefinition(flags.config) : undefined;
    // The plugins come first: the names the definition uses may be theirs.
    const registry = await registryWith(pluginPaths(file, flags));
    const def = mergeDefinition(file, flags, registry.definitions());
    const err = process.stderr;
    err.write(`faultline: ${def.name} on ${def.runtime}, seed ${def.seed}, ${def.timeLimit} s, nemesis ${formatFaultList(def.nemesis.faults)}\n`);
    for (const w of definitionWarnings(def)) err.write(`faultline: warning: ${w}\n`);
    const live = !flags.quiet && err.isTTY;
    const ci = { ...(flags.junit !== undefined && { junit: flags.junit }), suiteName: def.name };
    const started = performance.now();
    const outcome = await runTest(def, { registry, reporters: DEFAULT_REPORTERS, progress: flags.quiet ? undefined : (p) => showProgress(p, live) }).catch(async (e: unknown) => {
      // The CI page shows a run that could not finish too (JUnit error, summary row); the exit code stays main.ts's.
      // Not writing them must not hide why the run failed.
      await writeCiOutputs([failedTestResult(def, e, performance.now() - started, stoppedRunOf(e)?.runDir)], ci).catch((w: unknown) => err.write(`faultline: CI outputs not written: ${describeError(w)}\n`));
      throw e;
    });
    if (live) err.write('\n');
    const checker = registry.checkerOf(outcome.check) as Checker<CheckerResult> | undefined;
    const result = testResultOf(def, outcome, checker, performance.now() - started);
    await writeCiOutputs([result], ci);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(runJson(def, outcome, result))}\n`);
      process.exitCode = result.exitCode;
      return;
    }
    const out = process.stdout;
    const verdict = outcome.valid === true ? 'valid' : outcome.valid === false ? 'INVALID: anomaly found' : `unknown (${outcome.check.unknownReason ?? 'budget'})`;
    const o = outcome.stats.ops;
    out.write(`${verdict}\n`);
    out.write(`ops: ${o.invoke} invoked, ${o.ok} ok, ${o.fail} fail, ${o.info} info; store: ${outcome.runDir}\n`);
    out.write(`availability: ${describeAvailability(outcome.stats.availability)}\n`);
    const counts = describeCounts(checker, outcome.check);
    if (counts !== undefined) out.write(`${counts}\n`);
    out.write(`report: ${outcome.report}\n`);
    if (outcome.valid !== true && checker) out.write(`\n${checker.explain(outcome.check)}\n\n`);
    out.write(`replay: ${outcome.replay}\n`);
    process.exitCode = result.exitCode;
  });
}

/**
 * `faultline run --json`: the one object a CI step reads — the verdict, where the run is stored, its figures, and
 * the command that replays it. The whole definition and checker output are in the run's results.json.
 */
export function runJson(def: TestDefinition, outcome: RunOutcome, record: RunRecord) {
  const s = outcome.stats;
  return {
    test: def.name,
    status: record.status,
    valid: outcome.valid,
    exitCode: record.exitCode,
    summary: record.summary,
    target: def.target,
    workload: def.workload,
    runtime: def.runtime,
    ...(def.bug !== undefined && { bug: def.bug }),
    nemesis: formatFaultList(def.nemesis.faults),
    seed: def.seed,
    checker: outcome.check.checker,
    runDir: outcome.runDir,
    report: outcome.report ?? null,
    results: join(outcome.runDir, 'results.json'),
    stats: { ops: s.ops, durationMs: s.durationMs, throughput: s.throughput, latency: s.latency, availability: s.availability, faults: s.nemesis.length },
    replay: outcome.replay,
  };
}

/** The checker's own counts in one line ("set: 40 attempted, 38 acknowledged, …"), for a checker that has them. */
export function describeCounts(checker: Checker<CheckerResult> | undefined, r: CheckerResult): string | undefined {
  const columns = checker?.summarize?.(r);
  if (!columns || columns.length === 0) return undefined;
  return `${r.checker}: ${columns.map(([k, v]) => `${v} ${k}`).join(', ')}`;
}

/** `99.8% ok outside faults (1,234 ops), 61.2% during (456 ops)`. */
export function describeAvailability(a: RunStats['availability']): string {
  const part = (x: RunStats['availability']['quiet']) => (x.fraction === null ? 'no ops' : `${(100 * x.fraction).toFixed(1)}% served (${x.ops} ops)`);
  return `outside faults ${part(a.quiet)}, during faults ${part(a.faulty)}`;
}

function showProgress(p: RunProgress, live: boolean): void {
  const line = `  ${(p.at / 1000).toFixed(0).padStart(3)} s  ${String(p.ops).padStart(7)} ops  fault: ${p.fault.padEnd(9)} ${p.phase}`;
  process.stderr.write(live ? `\r${line}` : `${line}\n`);
}
