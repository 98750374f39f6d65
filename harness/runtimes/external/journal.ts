import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { usageError } from '../../errors.js';
import type { Journal, UndoStep } from './method.js';

/** The fault journal's file in a run's directory. */
export const JOURNAL_FILE = 'faults.jsonl';

/** A fault as the journal records it before it is applied: what it is, and how to undo it without this process. */
export interface JournalEntry {
  id: string;
  /** When it was about to be applied (ISO time). */
  at: string;
  kind: string;
  nodes: string[];
  undo: UndoStep[];
}

/** What a journal says is still in force: unhealed faults, the last applied first (undo in reverse order). */
export interface PendingFaults {
  pending: JournalEntry[];
  /** The text of a last line cut short by a process that died while writing it (that fault was never applied). */
  torn?: string;
}

// A secret is only ever a reference: a literal string where one belongs is refused, so a journal cannot carry one.
const secretRef = z.union([z.strictObject({ env: z.string() }), z.strictObject({ file: z.string() })]);
const undoStep = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('exec'), command: z.string() }),
  z.strictObject({
    method: z.literal('ssh'),
    script: z.string(),
    login: z.strictObject({
      host: z.string(),
      port: z.number(),
      user: z.string(),
      key: secretRef.optional(),
      passphrase: secretRef.optional(),
      password: secretRef.optional(),
      sudo: z.boolean().optional(),
      knownHosts: z.string().optional(),
    }),
  }),
  z.strictObject({
    method: z.literal('docker'),
    container: z.string(),
    action: z.enum(['start', 'unpause', 'net-script']),
    script: z.string().optional(),
    netToolsImage: z.string().optional(),
  }),
]);
const applied = z.strictObject({ id: z.string(), at: z.string(), kind: z.string(), nodes: z.array(z.string()), undo: z.array(undoStep) });
const healed = z.strictObject({ id: z.string(), healed: z.literal(true) });

interface Parsed {
  entries: JournalEntry[];
  healed: Set<string>;
  /** Where the torn last line starts (bytes), when there is one. */
  tornAt?: number;
  torn?: string;
}

/**
 * Reads a journal whole. Each record is one line written by one write(2) of a small buffer and fsynced, so the only
 * damage a dying process can leave is a last line cut short, with no newline after it; anything else that is not a
 * record means the file is not what faultline wrote, and healing from it would be guessing.
 */
function parse(path: string, text: Buffer): Parsed {
  const out: Parsed = { entries: [], healed: new Set() };
  const ids = new Set<string>();
  let start = 0;
  for (let n = 1; start < text.length; n++) {
    const nl = text.indexOf(0x0a, start);
    const end = nl === -1 ? text.length : nl;
    const line = text.subarray(start, end).toString('utf8');
    const where = `${path} line ${n}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      if (nl === -1) return { ...out, tornAt: start, torn: line };
      throw usageError(`${where}: not a fault journal record (${describeLine(line)})`);
    }
    const a = applied.safeParse(record);
    if (a.success) {
      if (ids.has(a.data.id)) throw usageError(`${where}: fault ${a.data.id} is recorded twice`);
      ids.add(a.data.id);
      out.entries.push(a.data);
    } else {
      const h = healed.safeParse(record);
      if (!h.success) throw usageError(`${where}: not a fault journal record (${describeLine(line)})`);
      if (!ids.has(h.data.id)) throw usageError(`${where}: fault ${h.data.id} is healed but was never applied`);
      out.healed.add(h.data.id);
    }
    start = end + 1;
  }
  return out;
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function describeLine(line: string): string {
  const t = line.trim();
  return t === '' ? 'an empty line' : t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

function readJournal(runDir: string): { path: string; parsed: Parsed } {
  const path = join(runDir, JOURNAL_FILE);
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usageError(`${runDir}: no fault journal (${JOURNAL_FILE}) there: not a run directory, or its run made no faults on a cluster it does not own`);
    throw usageError(`${path}: cannot read the fault journal (${code ?? 'unreadable'})`);
  }
  return { path, parsed: parse(path, text) };
}

/** The faults a run's journal says are still in force, the last applied first. */
export function pendingFaults(runDir: string): PendingFaults {
  const { parsed } = readJournal(runDir);
  const pending = parsed.entries.filter((e) => !parsed.healed.has(e.id)).reverse();
  return parsed.torn === undefined ? { pending } : { pending, torn: parsed.torn };
}

export interface FaultJournalOptions {
  /** When a record is written (ISO time in `at`); for tests. */
  now?: () => Date;
  /** Flushes the file to the disk; for tests to watch. */
  fsync?: (fd: number) => void;
}

/**
 * `<runDir>/faults.jsonl`: every fault made on a cluster we do not own, written and fsynced before it is applied,
 * with the steps that undo it; then, once undone, a line saying so. What a run killed with SIGKILL (or a machine
 * that lost power) left in force is what `faultline heal <run-dir>` finds here unhealed.
 */
export class FaultJournal implements Journal, Disposable {
  readonly path: string;
  private fd: number | undefined;
  private next: number;
  private readonly now: () => Date;
  private readonly fsync: (fd: number) => void;

  private constructor(path: string, fd: number, applied: number, o: FaultJournalOptions) {
    this.path = path;
    this.fd = fd;
    this.next = applied + 1;
    this.now = o.now ?? (() => new Date());
    this.fsync = o.fsync ?? fsyncSync;
  }

  /**
   * Opens a run's journal for appending, creating it. A torn last line is cut off: its fault was never applied (the
   * record is flushed before the fault is made), and a record appended after it would make it a broken middle line.
   * Returns the torn text so the caller can say what it dropped.
   */
  static open(runDir: string, o: FaultJournalOptions = {}): { journal: FaultJournal; torn?: string } {
    const path = join(runDir, JOURNAL_FILE);
    const created = !existsSync(path);
    const fd = openSync(path, 'a+');
    try {
      // A new file's name is in the directory, which is flushed on its own: else a power cut can lose the file whole.
      if (created) syncDirectory(runDir);
      const parsed = parse(path, readFileSync(fd));
      if (parsed.tornAt !== undefined) {
        ftruncateSync(fd, parsed.tornAt);
        fsyncSync(fd);
      }
      const journal = new FaultJournal(path, fd, parsed.entries.length, o);
      return parsed.torn === undefined ? { journal } : { journal, torn: parsed.torn };
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  applying(kind: string, nodes: readonly string[], undo: readonly UndoStep[]): string {
    const id = `f${this.next++}`;
    this.append({ id, at: this.now().toISOString(), kind, nodes: [...nodes], undo: [...undo] });
    return id;
  }

  healed(id: string): void {
    this.append({ id, healed: true });
  }

  private append(record: object): void {
    if (this.fd === undefined) throw new Error(`${this.path}: the fault journal is closed`);
    // One write of the whole line (the file is opened for appending, so it lands at the end), then to the disk:
    // once this returns, a kill -9 or a power cut cannot lose the record of a fault about to be made.
    writeSync(this.fd, JSON.stringify(record) + '\n');
    this.fsync(this.fd);
  }

  /** Closing twice is harmless. */
  close(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
