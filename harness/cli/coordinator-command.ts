import { Command } from 'commander';
import { usageError } from '../errors.js';
import { behaviourWith } from '../../targets/bugs.js';
import { startCoordinator } from '../../targets/pg-2pc/coordinator.js';
import { BUGS, CORRECT } from '../../targets/pg-2pc/protocol.js';
import { parsePeers } from '../hosting/address.js';

interface CoordinatorFlags {
  id: string;
  listen: string;
  participants: string;
  dataDir: string;
  bug?: string;
}

/** The targets whose coordinator this command runs. */
const COORDINATED = ['pg-2pc'];

/**
 * `faultline coordinator pg-2pc`: the two-phase-commit coordinator of the pg-2pc target as an OS process. It
 * listens for the harness's clients, recovers what an earlier run of it left prepared at the participants (each a
 * PostgreSQL server), then serves transfers and reads. Its decision log lives in the data directory. Prints
 * `listening on host:port`, and runs until killed.
 */
export function coordinatorCommand(program: Command): void {
  program
    .command('coordinator')
    .description('run the two-phase-commit coordinator of a target as a process over TCP')
    .argument('<target>', `target: ${COORDINATED.join(', ')}`)
    .requiredOption('--id <id>', 'this node’s id, e.g. c1')
    .requiredOption('--listen <host:port>', 'address to accept clients on (port 0: any)')
    .requiredOption('--participants <list>', 'the participants in order, e.g. p1=10.0.0.3:5432,p2=10.0.0.4:5432')
    .requiredOption('--data-dir <dir>', 'where the decision log is kept (it must survive a crash)')
    .option('--bug <name>', `run with a named bug (${Object.keys(BUGS).join(', ')})`)
    .action(async (name: string, flags: CoordinatorFlags) => {
      if (!COORDINATED.includes(name)) throw usageError(`unknown target '${name}' (known: ${COORDINATED.join(', ')})`);
      if (flags.bug !== undefined && !Object.hasOwn(BUGS, flags.bug)) throw usageError(`target ${name} has no bug '${flags.bug}' (known: ${Object.keys(BUGS).join(', ')})`);
      const participants = parsePeers(flags.participants);
      if (Object.keys(participants).length === 0) throw usageError('--participants: at least one participant is needed');
      const running = await startCoordinator({
        id: flags.id,
        listen: flags.listen,
        participants,
        dataDir: flags.dataDir,
        behaviour: behaviourWith(CORRECT, BUGS, flags.bug),
      });
      process.stdout.write(`listening on ${running.address}\n`);
      const stop = () => void running.close().finally(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
