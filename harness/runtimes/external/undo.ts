import { describeError } from '../../errors.js';
import { FaultJournal, pendingFaults, type JournalEntry } from './journal.js';
import type { Journal, UndoStep } from './method.js';
import { runShell } from './shell.js';

/** What undoing a journal's pending faults did. */
export interface UndoReport {
  healed: JournalEntry[];
  failed: { entry: JournalEntry; errors: string[] }[];
  /** The text of a torn last line that was dropped (a fault the run died recording, and so never made). */
  torn?: string;
}

type StepOf<M extends UndoStep['method']> = Extract<UndoStep, { method: M }>;
type Undoers = { [M in UndoStep['method']]: (step: StepOf<M>, label: string, log: (line: string) => void) => Promise<void> };

/**
 * How each method's steps are undone. SSH and Docker load their libraries only when a journal has their steps:
 * healing a cluster driven by hooks needs neither.
 */
const UNDOERS: Undoers = {
  exec: (step, label, log) => runShell(step.command, { label, log }),
  ssh: async (step, _label, log) => (await import('./ssh/undo.js')).undoSsh(step, log),
  docker: async (step, label, log) => log(`${label}: ${await (await import('./container/undo.js')).undoDocker(step)}`),
};

function undoStep(step: UndoStep, label: string, log: (line: string) => void): Promise<void> {
  // Each arm narrows `step` to its method's shape.
  switch (step.method) {
    case 'exec':
      return UNDOERS.exec(step, label, log);
    case 'ssh':
      return UNDOERS.ssh(step, label, log);
    case 'docker':
      return UNDOERS.docker(step, label, log);
  }
}

/** A fault in one line: `f3 partition n1 n2`. */
export function describeEntry(e: JournalEntry): string {
  return [e.id, e.kind, ...e.nodes].join(' ');
}

/**
 * Undoes every fault a run's journal says is in force, the last applied first, and records each one undone. A
 * step that fails does not stop the others (a node that cannot be reached must not leave the rest cut off); its
 * fault stays pending, to be tried again, and every failure is reported at the end. `journal`: the run's own, when
 * it is still open (at the end of a run); absent, the file is opened for this.
 *
 * Throws a usage error when the directory has no journal or one that faultline did not write.
 */
export async function undoPending(runDir: string, log: (line: string) => void, o: { journal?: Journal } = {}): Promise<UndoReport> {
  const { pending } = pendingFaults(runDir);
  const report: UndoReport = { healed: [], failed: [] };
  let journal = o.journal;
  let opened: FaultJournal | undefined;
  if (!journal) {
    const j = FaultJournal.open(runDir);
    opened = j.journal;
    journal = j.journal;
    if (j.torn !== undefined) {
      report.torn = j.torn;
      log(`fault journal: dropped a torn last line (the run died writing it; that fault was never made): ${j.torn}`);
    }
  }
  try {
    for (const entry of pending) {
      log(`healing ${describeEntry(entry)} (made ${entry.at})`);
      const errors: string[] = [];
      for (const [i, step] of entry.undo.entries()) {
        try {
          await undoStep(step, `heal ${entry.id} ${entry.kind}${entry.undo.length > 1 ? ` step ${i + 1}` : ''}`, log);
        } catch (e) {
          errors.push(describeError(e));
        }
      }
      if (errors.length) {
        report.failed.push({ entry, errors });
        log(`could not heal ${describeEntry(entry)}: ${errors.join('; ')}`);
      } else {
        journal.healed(entry.id);
        report.healed.push(entry);
        log(`healed ${describeEntry(entry)}`);
      }
    }
  } finally {
    opened?.close();
  }
  return report;
}
