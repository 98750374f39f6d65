import { statSync } from 'node:fs';
import { Command } from 'commander';
import { usageError } from '../errors.js';

/**
 * `faultline heal <run-dir>`: undoes the faults a run made on a cluster it does not own and left in force (it was
 * killed with SIGKILL, or its machine went down), read from the run's fault journal. One line per fault undone;
 * exit 0 when nothing is left in force, 1 when some fault could not be undone (it stays in the journal: fix what
 * stopped it, and heal again), 254 when the directory holds no journal faultline can read.
 */
export function healCommand(program: Command): void {
  program
    .command('heal')
    .description("undo the faults a killed run left on a cluster it does not own (read from the run's fault journal)")
    .argument('<run-dir>', "the run's directory in the store, holding faults.jsonl")
    .action(async (dir: string) => {
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw usageError(`${dir}: no such directory`);
      // Loaded here, not with the CLI: only this command needs them.
      const [{ pendingFaults }, { undoPending, describeEntry }, { RunLog }] = await Promise.all([
        import('../runtimes/external/journal.js'),
        import('../runtimes/external/undo.js'),
        import('../store/run-log.js'),
      ]);
      // The journal is read before anything is written, so a directory that is not a run's gains no run.log.
      pendingFaults(dir);
      const log = new RunLog(dir);
      try {
        log.info('faultline heal: undoing the faults this run left in force');
        const report = await undoPending(dir, (line) => log.info(line));
        if (report.torn !== undefined) process.stdout.write(`dropped the journal's torn last line (the run died writing it; that fault was never made)\n`);
        for (const e of report.healed) process.stdout.write(`healed ${describeEntry(e)}\n`);
        for (const { entry, errors } of report.failed) process.stdout.write(`NOT healed ${describeEntry(entry)}: ${errors.join('; ')}\n`);
        if (report.failed.length) {
          const summary = `${report.failed.length} of ${report.failed.length + report.healed.length} faults not healed (${report.failed.map((f) => f.entry.id).join(', ')}); they stay in the journal: fix what stopped them and heal again (details in ${log.path})`;
          log.error(`faultline heal: ${summary}`);
          process.stderr.write(`faultline: ${summary}\n`);
          process.exitCode = 1;
        } else if (report.healed.length === 0) {
          log.info('faultline heal: nothing to heal');
          process.stdout.write('nothing to heal\n');
        } else {
          log.info(`faultline heal: healed ${report.healed.length} fault(s)`);
        }
      } finally {
        log.close();
      }
    });
}
