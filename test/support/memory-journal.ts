import type { Journal, UndoStep } from '../../harness/runtimes/external/method.js';

export interface JournalEntry {
  id: string;
  kind: string;
  nodes: readonly string[];
  undo: readonly UndoStep[];
  healed: boolean;
}

/** A fault method's journal kept in memory, for tests that read what a method journaled and what it marked healed. */
export class MemoryJournal implements Journal {
  readonly entries: JournalEntry[] = [];

  applying(kind: string, nodes: readonly string[], undo: readonly UndoStep[]): string {
    const id = `f${this.entries.length + 1}`;
    this.entries.push({ id, kind, nodes: [...nodes], undo: [...undo], healed: false });
    return id;
  }

  healed(id: string): void {
    const e = this.entries.find((x) => x.id === id);
    if (!e) throw new Error(`healed(${id}): no such entry`);
    if (e.healed) throw new Error(`healed(${id}) twice`);
    e.healed = true;
  }

  /** The fault journaled last. */
  last(): JournalEntry {
    return this.entries[this.entries.length - 1];
  }

  /** The faults still in force, by their journal entries. */
  open(): JournalEntry[] {
    return this.entries.filter((e) => !e.healed);
  }
}
