import type { Journal, UndoStep } from './method.js';

/**
 * The journal a cluster's methods are built with before the run has a directory: faults come only after the run
 * attaches it (the nemesis starts after the run is stored), so a fault before then is a harness bug, refused.
 * Lines methods log before then (an SSH banner, a hook's output at connect) are kept and written once attached.
 */
export class RunJournal implements Journal {
  private inner: (Journal & { close(): void }) | undefined;
  private sink: ((line: string) => void) | undefined;
  private readonly early: string[] = [];

  attach(journal: Journal & { close(): void }, log: (line: string) => void): void {
    this.inner = journal;
    this.sink = log;
    for (const line of this.early.splice(0)) log(line);
  }

  applying(kind: string, nodes: readonly string[], undo: readonly UndoStep[]): string {
    if (!this.inner) throw new Error(`a ${kind} fault before the run's journal exists`);
    return this.inner.applying(kind, nodes, undo);
  }

  healed(id: string): void {
    this.inner?.healed(id);
  }

  close(): void {
    this.inner?.close();
  }

  log(line: string): void {
    if (this.sink) this.sink(line);
    else this.early.push(line);
  }
}
