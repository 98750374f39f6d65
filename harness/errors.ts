import { isInputError, type InputError } from '../checkers/errors.js';

/**
 * A mistake the user made in asking faultline to run something: an unknown name, a test that does not fit
 * together, a bad option, a config file or plugin that cannot be used, an unreachable Docker. The CLI prints the
 * message as one line and exits 254; anything that is neither this nor the checkers' InputError (a history the
 * checkers cannot read) is a bug in faultline, and exits 255.
 */
export class UsageError extends Error {
  readonly exitCode = 254;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function usageError(what: string): UsageError {
  return new UsageError(what);
}

/** The user's to fix, either way: the harness's usage errors and the checkers' input errors exit 254 alike. */
export function isUserError(e: unknown): e is UsageError | InputError {
  return e instanceof UsageError || isInputError(e);
}

/** An error as one line, for a message that embeds what went wrong (Docker's, PostgreSQL's, a module's). */
export { describeError } from '../checkers/errors.js';
