import type { SshSettings } from '../../../config/cluster-spec.js';

/**
 * The server process's faults as shell text, run on its node over SSH (Jepsen's `control.util/grepkill!` and
 * `start-daemon!`): by command-line pattern with pkill, or by systemd unit with systemctl. Each is idempotent, so
 * that `faultline heal` can run an undo whatever state a killed run left the node in.
 */
export type ServerProcess = NonNullable<SshSettings['process']>;

/** A word for sh, quoted: it reaches the command as it is, whatever it holds. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** pkill's status 1 is "nothing matched": reported (a node already down), not a failure. */
const NOTHING_MATCHED = 'no process matched';

/** Sends a signal (KILL, STOP, CONT) to the server: every process of its unit, or every process its pattern matches. */
export function signalScript(p: ServerProcess, signal: 'KILL' | 'STOP' | 'CONT'): string {
  if (p.pattern !== undefined) {
    return `pkill -${signal} -f -- ${shellQuote(p.pattern)}; s=$?; [ $s -ne 1 ] || echo '${NOTHING_MATCHED}'; [ $s -le 1 ]`;
  }
  return `systemctl kill -s ${signal} -- ${shellQuote(unitOf(p))}`;
}

/** Whether a signal script's output says it found nothing to signal. */
export function matchedNothing(stdout: string): boolean {
  return stdout.includes(NOTHING_MATCHED);
}

/**
 * Starts the server unless it runs: `systemctl start` (itself a no-op on a running unit), or the test's start
 * command, detached from the SSH session: in a subshell (whose command line is the script's `sh -s`, not the
 * pattern's), ignoring the hang-up of the session's end, its output to /dev/null so that the command returns at
 * once. A unit restarts with `start` when one is given.
 */
export function startScript(p: ServerProcess): string {
  if (p.start === undefined) return `systemctl start -- ${shellQuote(unitOf(p))}`;
  const detached = `( trap '' HUP; ${p.start}\n) </dev/null >/dev/null 2>&1 &`;
  return p.pattern === undefined ? detached : `if ! pgrep -f -- ${shellQuote(p.pattern)} >/dev/null; then\n${detached}\nfi`;
}

/** Whether a process spec can kill and start the server again, and pause it. */
export function canKill(p: ServerProcess | undefined): p is ServerProcess {
  return p !== undefined && (p.unit !== undefined || (p.pattern !== undefined && p.start !== undefined));
}

export function canPause(p: ServerProcess | undefined): p is ServerProcess {
  return p !== undefined && (p.unit !== undefined || p.pattern !== undefined);
}

function unitOf(p: ServerProcess): string {
  if (p.unit === undefined) throw new Error('ssh: the server process has neither a pattern nor a unit');
  return p.unit;
}
