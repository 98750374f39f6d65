/**
 * Errors that are the user's to fix (bad input, bad usage). The CLI prints `message` as one line and exits 254;
 * anything else is a bug in faultline. Factories attach the context (file, line) so messages are uniform.
 */
export class InputError extends Error {
  readonly exitCode = 254;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}

/** `file:line: what is wrong` — the form every history error takes. */
export function historyError(source: string | undefined, line: number | undefined, what: string): InputError {
  const where = [source ?? '<history>', line !== undefined ? String(line) : undefined].filter(Boolean).join(':');
  return new InputError(`${where}: ${what}`);
}

export function unknownModel(name: string, known: readonly string[]): InputError {
  return new InputError(`unknown model '${name}' (known: ${known.join(', ')})`);
}

export function usageError(what: string): InputError {
  return new InputError(what);
}

/** Errors thrown while reading a file carry the file name once they reach the top. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0];
  return String(e).split('\n')[0];
}
