import type { UndoStep } from '../method.js';
import { SshConnection } from './connection.js';

export type SshUndoStep = Extract<UndoStep, { method: 'ssh' }>;

/**
 * Runs one journaled undo over SSH, knowing nothing of the run but the step: it logs in with the step's login (its
 * key or password read again from where the test named it), runs the script, and logs out. What `faultline heal`
 * does for a run killed before it could heal its own faults; every script is idempotent, so running one twice, or
 * on a node that already recovered, does no harm. A failure is a one-line error naming the node's login and the
 * script's last line of stderr.
 */
export async function undoSsh(step: SshUndoStep, log: (line: string) => void = () => undefined): Promise<void> {
  const where = `${step.login.user}@${step.login.host}:${step.login.port}`;
  const conn = await SshConnection.open(where, step.login, log);
  try {
    await conn.run(`undo (${summary(step.script)})`, step.script);
  } finally {
    await conn.close();
  }
}

/** A script named by its opening comment (SshMethod's undo scripts say what they undo), else by its first line. */
function summary(script: string): string {
  const first = script.trim().split('\n')[0] ?? '';
  return (first.startsWith('# ') ? first.slice(2) : first).slice(0, 80);
}
