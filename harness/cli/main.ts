import { Command, CommanderError } from 'commander';
import { describeError, isUserError } from '../errors.js';

/** Exit codes, Jepsen's: 0 valid, 1 invalid, 2 unknown, 254 bad input or usage, 255 a crash of faultline. */
export const EXIT = { valid: 0, invalid: 1, unknown: 2, badInput: 254, crash: 255 } as const;

// A reader that stops early (`faultline check … | head`) closes the pipe: stop quietly, keep the exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// A crash outside the command's own promise (an error thrown in a timer or an event handler, a promise nobody
// awaited) would end Node with exit code 1, which reads as "anomaly found": every crash of faultline exits 255.
const crash = (e: unknown) => {
  const user = isUserError(e);
  process.stderr.write(`faultline: ${user ? '' : 'internal error: '}${describeError(e)}\n`);
  process.exit(user ? EXIT.badInput : EXIT.crash);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const program = new Command()
  .name('faultline')
  .description('Jepsen-style test harness and linearizability checker')
  .exitOverride()
  // Usage errors are one line, like every other error (help itself goes to stdout, whole).
  .configureOutput({ writeErr: (s) => process.stderr.write(`faultline: ${s.split('\n').filter(Boolean)[0].replace(/^error: /, '')}\n`) })
  .showHelpAfterError(false);

// `faultline node` is what every container of a Docker run starts (and restarts after each kill): it loads only
// what a node needs, not the checker, the reports and the Docker client, which would double its start-up time.
// `faultline coordinator` (pg-2pc's coordinator container) likewise.
if (process.argv[2] === 'node') {
  (await import('./node-command.js')).nodeCommand(program);
} else if (process.argv[2] === 'check') {
  // `faultline check` likewise loads the checkers alone, not the runtimes' clients: half a second less per call.
  (await import('./check-command.js')).checkCommand(program);
} else if (process.argv[2] === 'coordinator') {
  (await import('./coordinator-command.js')).coordinatorCommand(program);
} else if (process.argv[2] === 'heal') {
  // `faultline heal` runs after a killed run, often in a hurry: the journal and the undo steps, nothing else.
  (await import('./heal-command.js')).healCommand(program);
} else {
  const [node, check, run, suite, report, cleanup, images, coordinator, heal, store, serve] = await Promise.all([
    import('./node-command.js'),
    import('./check-command.js'),
    import('./run-command.js'),
    import('./suite-command.js'),
    import('./report-command.js'),
    import('./cleanup-command.js'),
    import('./images-command.js'),
    import('./coordinator-command.js'),
    import('./heal-command.js'),
    import('./store-command.js'),
    import('./serve-command.js'),
  ]);
  check.checkCommand(program);
  run.runCommand(program);
  suite.suiteCommand(program);
  node.nodeCommand(program);
  coordinator.coordinatorCommand(program);
  report.reportCommand(program);
  cleanup.cleanupCommand(program);
  images.imagesCommand(program);
  heal.healCommand(program);
  store.storeCommand(program);
  serve.serveCommand(program);
}

try {
  if (process.argv.length <= 2) program.help();
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version are not errors; every other parse error is a usage error (already printed on one line).
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? 0 : EXIT.badInput;
  } else if (isUserError(e)) {
    process.stderr.write(`faultline: ${describeError(e)}\n`);
    process.exitCode = EXIT.badInput;
  } else {
    process.stderr.write(`faultline: internal error: ${describeError(e)}\n`);
    process.exitCode = EXIT.crash;
  }
}
