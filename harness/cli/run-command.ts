import { Command } from 'commander';
import { explainResult, type CheckerResult } from '../../checkers/registry.js';
import { collectFlag, formatFaultList, loadDefinition, mergeDefinition, pluginPaths, RUN_FLAGS, type CliFlags } from '../config/index.js';
import { registryWith } from '../plugins.js';
import { runTest, type RunProgress } from '../run.js';
import type { RunStats } from '../store/index.js';

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
  cmd.action(async (flags: CliFlags & { config?: string; quiet?: boolean }) => {
    const file = flags.config !== undefined ? await loadDefinition(flags.config) : undefined;
    // The plugins come first: the names the definition uses may be theirs.
    const registry = await registryWith(pluginPaths(file, flags));
    const def = mergeDefinition(file, flags, registry.definitions());
    const err = process.stderr;
    err.write(`faultline: ${def.name} on ${def.runtime}, seed ${def.seed}, ${def.timeLimit} s, nemesis ${formatFaultList(def.nemesis.faults)}\n`);
    const live = !flags.quiet && err.isTTY;
    const outcome = await runTest(def, { registry, progress: flags.quiet ? undefined : (p) => showProgress(p, live) });
    if (live) err.write('\n');
    const out = process.stdout;
    const verdict = outcome.valid === true ? 'valid' : outcome.valid === false ? 'INVALID: anomaly found' : `unknown (${outcome.check.unknownReason ?? 'budget'})`;
    const o = outcome.stats.ops;
    out.write(`${verdict}\n`);
    out.write(`ops: ${o.invoke} invoked, ${o.ok} ok, ${o.fail} fail, ${o.info} info; store: ${outcome.runDir}\n`);
    out.write(`availability: ${describeAvailability(outcome.stats.availability)}\n`);
    const counts = describeCounts(outcome.check);
    if (counts !== undefined) out.write(`${counts}\n`);
    out.write(`report: ${outcome.report}\n`);
    if (outcome.valid !== true) out.write(`\n${explainResult(outcome.check)}\n\n`);
    out.write(`replay: ${outcome.replay}\n`);
    process.exitCode = outcome.valid === true ? 0 : outcome.valid === false ? 1 : 2;
  });
}

/** The checker's own counts in one line, for a checker that has them (set); the prose below names the elements. */
export function describeCounts(r: CheckerResult): string | undefined {
  if (r.checker !== 'set') return undefined;
  const c = r.counts;
  const read = r.finalRead ? `final read ${c.read} elements` : 'no final read';
  return `set: ${c.attempted} attempted, ${c.acknowledged} acknowledged, ${c.failed} failed, ${c.info} unknown; ${read}: ${c.lost} lost, ${c.unexpected} unexpected, ${c.failedButPresent} failed but present, ${c.recovered} recovered`;
}

/** `99.8% ok outside faults (1,234 ops), 61.2% during (456 ops)`. */
export function describeAvailability(a: RunStats['availability']): string {
  const part = (x: RunStats['availability']['quiet']) => (x.fraction === null ? 'no ops' : `${(100 * x.fraction).toFixed(1)}% ok (${x.ops} ops)`);
  return `outside faults ${part(a.quiet)}, during faults ${part(a.faulty)}`;
}

function showProgress(p: RunProgress, live: boolean): void {
  const line = `  ${(p.at / 1000).toFixed(0).padStart(3)} s  ${String(p.ops).padStart(7)} ops  fault: ${p.fault.padEnd(9)} ${p.phase}`;
  process.stderr.write(live ? `\r${line}` : `${line}\n`);
}
