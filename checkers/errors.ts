import type { Retirement, Violation } from './history/client-discipline.js';
import { show } from './values/show.js';

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

/** Where the ops a client-rule Violation names are, in source lines. */
export interface RuleLines {
  /** The offending op's line. */
  line: number;
  /** The line of the invocation of the call its caller named `at`. */
  callLine(at: number): number;
  /** The line of the info that retired the process. */
  infoLine(retiredBy: Retirement): number;
}

/** A history that breaks Jepsen's client discipline (ClientDiscipline): an input error naming the lines. */
export function brokenRule(source: string | undefined, v: Violation, where: RuleLines): InputError {
  const { op } = v;
  const fail = (what: string) => historyError(source, where.line, `process ${op.process as number} ${what}`);
  switch (v.rule) {
    case 'retired': {
      const what = op.type === 'invoke' ? `invokes ${op.f}` : `completes ${op.f} (${op.type})`;
      return fail(`${what} after its info at line ${where.infoLine(v.retiredBy)}: a process that got info never issues again (a fresh process id takes its place)`);
    }
    case 'double-invoke':
      return fail(`invokes ${op.f} while its ${v.running.invoke.f} from line ${where.callLine(v.running.at)} is still pending`);
    case 'not-running':
      return fail(`completes ${op.f} (${op.type}) with no pending invocation`);
    case 'f-mismatch':
      return fail(`completes ${op.f} but invoked ${v.running.invoke.f} at line ${where.callLine(v.running.at)}`);
    case 'key-mismatch':
      return fail(`completes ${op.f} on key ${show(op.key)}, but invoked it on key ${show(v.running.invoke.key)} (line ${where.callLine(v.running.at)})`);
    case 'unknown-type':
      return historyError(source, where.line, `type must be invoke, ok, fail or info, not ${show(op.type)}`);
  }
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
