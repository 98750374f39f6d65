import { Command, CommanderError } from 'commander';
import { describeError, isInputError } from '../../checkers/errors.js';
import { checkCommand } from './check-command.js';
import { imagesCommand } from './images-command.js';
import { nodeCommand } from './node-command.js';
import { reportCommand } from './report-command.js';
import { runCommand } from './run-command.js';

/** Exit codes, Jepsen's: 0 valid, 1 invalid, 2 unknown, 254 bad input or usage, 255 a crash of faultline. */
export const EXIT = { valid: 0, invalid: 1, unknown: 2, badInput: 254, crash: 255 } as const;

// A reader that stops early (`faultline check … | head`) closes the pipe: stop quietly, keep the exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const program = new Command()
  .name('faultline')
  .description('Jepsen-style test harness and linearizability checker')
  .exitOverride()
  // Usage errors are one line, like every other error (help itself goes to stdout, whole).
  .configureOutput({ writeErr: (s) => process.stderr.write(`faultline: ${s.split('\n').filter(Boolean)[0].replace(/^error: /, '')}\n`) })
  .showHelpAfterError(false);

checkCommand(program);
runCommand(program);
nodeCommand(program);
reportCommand(program);
imagesCommand(program);

try {
  if (process.argv.length <= 2) program.help();
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version are not errors; every other parse error is a usage error (already printed on one line).
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? 0 : EXIT.badInput;
  } else if (isInputError(e)) {
    process.stderr.write(`faultline: ${describeError(e)}\n`);
    process.exitCode = EXIT.badInput;
  } else {
    process.stderr.write(`faultline: internal error: ${describeError(e)}\n`);
    process.exitCode = EXIT.crash;
  }
}
