import { Command } from 'commander';
import { usageError } from '../errors.js';
import { readRunResults, writeReport, writeStoreIndex, type ReportOptions } from '../../reports/write.js';
import { builtinRegistry } from '../builtins.js';
import { collectFlag } from '../config/index.js';
import { registryWith } from '../plugins.js';
import type { Registry } from '../registry.js';
import { modelFlag } from './model-flag.js';

interface ReportFlags {
  model?: string;
  checker?: string;
  store?: string;
  plugin?: string[];
}

/**
 * `faultline report <run-dir>… [--model m | --checker c] [--store dir]`: writes each run's report.html from its
 * stored history (re-checking it when results.json holds no result or a model or checker is given), and with --store
 * the store's index.html. Which checker judges, and presents, is looked up here in the registry.
 */
export function reportCommand(program: Command): void {
  program
    .command('report')
    .description('write report.html for stored runs, and with --store the store index (index.html)')
    .argument('[run-dirs...]', 'run directories (holding history.jsonl, and results.json unless --model is given)')
    .option('-m, --model <name>', `check the history with this model: ${builtinRegistry().modelNames().join(', ')}, a plugin's, or a module's path#export`)
    .option('-c, --checker <name>', `check the history with this checker: ${builtinRegistry().checkerNames().join(', ')} (the linearizable one needs --model)`)
    .option('--plugin <path>', "load a plugin module's checkers, models and workloads (repeatable)", collectFlag)
    .option('--store <dir>', 'also write <dir>/index.html listing every run in the store')
    .action(async (dirs: string[], flags: ReportFlags) => {
      if (dirs.length === 0 && flags.store === undefined) throw usageError('report: give run directories, or --store <dir> for the store index');
      const registry = await registryWith(flags.plugin ?? []);
      for (const dir of dirs) process.stdout.write(`${await writeReport(dir, await reportOptions(dir, flags, registry))}\n`);
      if (flags.store !== undefined) process.stdout.write(`${await writeStoreIndex(flags.store)}\n`);
    });
}

/**
 * The checker for one run's report: the one asked for (with `--model`, the linearizable one), re-checking the
 * history; else the stored result's own; else, for a stored run whose result is missing, its workload's.
 */
async function reportOptions(dir: string, flags: ReportFlags, registry: Registry): Promise<ReportOptions> {
  if (flags.checker !== undefined || flags.model !== undefined) {
    const checker = registry.checker(flags.checker ?? 'linearizable');
    if (checker.needsModel && flags.model === undefined) throw usageError(`--checker ${checker.name} needs --model (known: ${registry.modelNames().join(', ')})`);
    return { checker, recheck: { model: flags.model === undefined ? undefined : await modelFlag(registry, flags.model) } };
  }
  const results = await readRunResults(dir);
  const stored = results?.checker;
  if (stored && typeof stored === 'object' && typeof stored.checker === 'string') {
    const checker = registry.checkerOf(stored);
    return { results, ...(checker && { checker }) };
  }
  const named = results?.test?.workload;
  const workload = typeof named === 'string' && registry.workloadNames().includes(named) ? registry.workload(named) : undefined;
  if (workload === undefined) {
    throw usageError(
      `${dir}: no results.json to take the checker from; give a model with --model (known: ${registry.modelNames().join(', ')}) or --checker (known: ${registry.checkerNames().join(', ')})`,
    );
  }
  return { results, checker: registry.checker(workload.checker), recheck: { model: workload.model === undefined ? undefined : registry.model(workload.model) } };
}
