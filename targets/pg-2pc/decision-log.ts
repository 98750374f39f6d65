import fs from 'node:fs';
import path from 'node:path';

/** The log's file name in the coordinator's data directory. */
export const DECISION_LOG = 'decisions.jsonl';

/** One line of the log: transfer `commit` is decided committed, at these participants. */
export interface DecisionRecord {
  commit: number;
  participants: string[];
}

/**
 * The coordinator's decision log: an append-only file of JSON lines, one per commit decision. `commit` returns only
 * once its line is on disk (write, then fsync), and the coordinator sends no COMMIT PREPARED before that: so after a
 * crash, every transaction that may have committed anywhere has its line. Aborts are not logged (presumed abort: a
 * prepared transaction without a line is rolled back).
 *
 * A crash can leave a torn last line (its fsync never returned, so nothing was committed on its account); opening
 * the log cuts it off, so that the next line starts clean.
 */
export class DecisionLog {
  readonly file: string;
  private readonly fd: number;
  private readonly committed = new Set<number>();

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, DECISION_LOG);
    let text: string | undefined;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const created = text === undefined;
    text ??= '';
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of whole.split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as Partial<DecisionRecord>;
      if (typeof r.commit === 'number') this.committed.add(r.commit);
    }
    if (whole.length !== text.length) fs.truncateSync(this.file, Buffer.byteLength(whole));
    this.fd = fs.openSync(this.file, 'a');
    // A new file's name must be on disk too, or a crash could lose the whole log with its first line.
    if (created) syncDir(dir);
  }

  /** Whether transfer `id` was decided committed (by this process or an earlier one). */
  has(id: number): boolean {
    return this.committed.has(id);
  }

  get size(): number {
    return this.committed.size;
  }

  /** Records the commit decision durably: returns once the line is fsynced. */
  commit(id: number, participants: readonly string[]): void {
    fs.writeSync(this.fd, JSON.stringify({ commit: id, participants: [...participants] } satisfies DecisionRecord) + '\n');
    fs.fsyncSync(this.fd);
    this.committed.add(id);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
