import { statSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { Command } from 'commander';
import { usageError } from '../errors.js';
import { parseAge, planPrune, removeRuns, type PruneRule } from '../store/prune.js';
import { DEFAULTS } from '../config/definition.js';

interface PruneFlags {
  keep?: string;
  olderThan?: string;
  store: string;
  dryRun?: boolean;
}

/**
 * `faultline store prune --keep N | --older-than 30d [--store dir] [--dry-run]`: removes old runs, per test, and
 * writes the store's index again. One line per run removed and a total, so a CI log says what went; the run
 * `latest` points at stays whatever the rule says.
 */
export function storeCommand(program: Command): void {
  const store = program
    .command('store')
    .description('look after the run store: prune')
    .argument('[command]')
    // Without a subcommand (or with one it does not know), one line naming those it has, as every usage error is.
    .action((name?: string) => {
      throw usageError(name === undefined ? 'store: give a command: prune' : `store: unknown command '${name}' (known: prune)`);
    });
  store
    .command('prune')
    .description('remove old runs, per test: keep the N newest, or remove those older than an age (latest always stays)')
    .option('--keep <n>', 'keep the n newest runs of each test')
    .option('--older-than <age>', 'remove runs that started longer ago than this: 30d, 12h, 90m, 45s, 2w')
    .option('--store <dir>', 'the store', DEFAULTS.store)
    .option('--dry-run', 'say what would be removed, remove nothing')
    .action(async (flags: PruneFlags) => {
      const rule = pruneRule(flags);
      if (!statSync(flags.store, { throwIfNoEntry: false })?.isDirectory()) throw usageError(`store prune: ${flags.store}: no such store directory`);
      const planned = await planPrune(flags.store, rule);
      const name = (dir: string) => relative(flags.store, dir).split(sep).join('/');
      if (flags.dryRun) {
        for (const run of planned) process.stdout.write(`would remove ${name(run.dir)}\n`);
        process.stdout.write(`would remove ${planned.length} run${planned.length === 1 ? '' : 's'} (dry run: nothing removed)\n`);
        return;
      }
      const removed = await removeRuns(planned, flags.store);
      for (const run of removed) process.stdout.write(`removed ${name(run.dir)}\n`);
      // Loaded here: only pruning for real needs the index's renderer.
      const { writeStoreIndex } = await import('../../reports/write.js');
      const index = await writeStoreIndex(flags.store);
      process.stdout.write(`removed ${removed.length} run${removed.length === 1 ? '' : 's'}; index written to ${index}\n`);
    });
}

/** Exactly one of --keep and --older-than, each well formed. */
function pruneRule(flags: PruneFlags): PruneRule {
  if ((flags.keep === undefined) === (flags.olderThan === undefined)) throw usageError('store prune: give one of --keep <n> or --older-than <age>');
  if (flags.keep !== undefined) {
    if (!/^\d{1,9}$/.test(flags.keep)) throw usageError(`store prune: --keep ${flags.keep}: not a whole number of runs`);
    return { keep: Number(flags.keep) };
  }
  const ms = parseAge(flags.olderThan!);
  if (ms === undefined) throw usageError(`store prune: --older-than ${flags.olderThan}: not an age (a whole number and a unit: 30d, 12h, 90m, 45s, 2w)`);
  return { olderThanMs: ms, now: new Date() };
}
