import { Command } from 'commander';
import { usageError } from '../../checkers/errors.js';
import { MODEL_NAMES } from '../../checkers/models/index.js';
import { CHECKER_NAMES } from '../../checkers/registry.js';
import { writeReport, writeStoreIndex } from '../../reports/write.js';

/**
 * `faultline report <run-dir>… [--model m | --checker c] [--store dir]`: writes each run's report.html from its
 * stored history (re-checking it when results.json is missing or a model or checker is given), and with --store
 * the store's index.html.
 */
export function reportCommand(program: Command): void {
  program
    .command('report')
    .description('write report.html for stored runs, and with --store the store index (index.html)')
    .argument('[run-dirs...]', 'run directories (holding history.jsonl, and results.json unless --model is given)')
    .option('-m, --model <name>', `check the history with this model: ${MODEL_NAMES.join(', ')}`)
    .option('-c, --checker <name>', `check the history with this checker: ${CHECKER_NAMES.join(', ')} (the linearizable one needs --model)`)
    .option('--store <dir>', 'also write <dir>/index.html listing every run in the store')
    .action(async (dirs: string[], flags: { model?: string; checker?: string; store?: string }) => {
      if (dirs.length === 0 && flags.store === undefined) throw usageError('report: give run directories, or --store <dir> for the store index');
      for (const dir of dirs) process.stdout.write(`${await writeReport(dir, { model: flags.model, checker: flags.checker })}\n`);
      if (flags.store !== undefined) process.stdout.write(`${await writeStoreIndex(flags.store)}\n`);
    });
}
