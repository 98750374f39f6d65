import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Key, Op, OpType, Process } from '../../checkers/history/op.js';
import { checkShape, HistoryRuleError, ProcessRules } from './rules.js';

/** The file every run's history goes to, inside its run directory. */
export const HISTORY_FILE = 'history.jsonl';

/** An op as the harness hands it over: the recorder assigns `index`, and `time` when the caller has none. */
export interface OpInput {
  /** Nanoseconds since the test started; the recorder's clock when absent. */
  time?: number;
  process: Process;
  type: OpType;
  f: string;
  /** Absent or null: the op has no key. */
  key?: Key | null;
  value?: unknown;
  error?: unknown;
  [extra: string]: unknown;
}

export interface RecorderOptions {
  /**
   * Nanoseconds since the test started. The simulation passes its virtual clock so that a seed reproduces the same
   * history, times included; the default is a monotonic clock started when the recorder opens.
   */
  clock?: () => number;
  /** fsync the history when it is closed (default true): the write itself already survives a crash of the harness. */
  fsyncOnClose?: boolean;
}

/** Fields the recorder lays out itself, in this order, ahead of any extra field. */
const FIXED = new Set(['index', 'time', 'process', 'type', 'f', 'key', 'value', 'error']);

/**
 * The only writer of a run's history.jsonl (ARCHITECTURE.md). Each `record` writes its line with one `write(2)` on a
 * file opened for append before it returns: the line is then in the kernel's page cache, so a SIGKILL (or any crash)
 * of the harness loses no op it recorded; only a crash of the machine could, which `fsyncOnClose` narrows. Nothing is
 * buffered in memory, so a run of any length costs the same memory.
 *
 * Every op is checked against Jepsen's client discipline (ProcessRules) before it is written: a violation is a bug
 * in the harness, and recording it would hand the checkers a history that proves nothing.
 */
export class HistoryRecorder implements Disposable, AsyncDisposable {
  readonly path: string;
  private fd: number | undefined;
  private next = 0;
  private lastTime = -Infinity;
  private failure: unknown;
  private readonly rules = new ProcessRules();
  private readonly clock: () => number;
  private readonly fsyncOnClose: boolean;

  private constructor(path: string, fd: number, opts: RecorderOptions) {
    this.path = path;
    this.fd = fd;
    this.clock = opts.clock ?? monotonicClock();
    this.fsyncOnClose = opts.fsyncOnClose ?? true;
  }

  /**
   * Creates `<runDir>/history.jsonl` and opens it for append. The file must not exist yet: a second writer, or a
   * recorder reopened on an old run, would restart the indices and interleave two histories.
   */
  static open(runDir: string, opts: RecorderOptions = {}): HistoryRecorder {
    const path = join(runDir, HISTORY_FILE);
    let fd: number;
    try {
      fd = openSync(path, 'ax');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new Error(`${path} already exists: a run directory has one history and one recorder; start a new run directory`);
      }
      throw e;
    }
    return new HistoryRecorder(path, fd, opts);
  }

  /** How many ops have been recorded (the next op's index). */
  get count(): number {
    return this.next;
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  /**
   * Assigns the next index (dense, from 0), checks the op, appends it as one JSON line and returns it. Throws a
   * HistoryRuleError, writing nothing, when the op breaks the history's rules.
   */
  record(input: OpInput): Op {
    const fd = this.writable();
    const op = this.build(input);
    checkShape(op);
    const what = `op ${op.index} (process ${op.process} ${op.type} ${op.f})`;
    // Latencies and nemesis intervals are computed from times, so a history out of time order would misreport them.
    if (op.time < this.lastTime) {
      throw new HistoryRuleError(
        `${what}: time ${op.time} is before the previous op's ${this.lastTime}; record events in the order they happen, with a monotonic clock`,
      );
    }
    let line: string;
    try {
      line = JSON.stringify(op) + '\n';
    } catch (e) {
      throw new HistoryRuleError(`${what} cannot be written as JSON: ${(e as Error).message}`);
    }
    this.rules.admit(op);
    try {
      writeFully(fd, line);
    } catch (e) {
      // The rules already counted this op, and part of the line may be on disk: nothing after it can be trusted.
      this.failure = e;
      this.closeQuietly();
      throw e;
    }
    this.next++;
    this.lastTime = op.time;
    return op;
  }

  /** Client processes with an op in flight: each counts as `info` if the run ends now. */
  pendingProcesses(): number[] {
    return this.rules.pendingProcesses();
  }

  /** Forces what was written to the disk (a checkpoint; not needed to survive a crash of the harness). */
  sync(): void {
    fsyncSync(this.writable());
  }

  /** Closes the history (fsync first unless `fsyncOnClose: false`). Closing twice is harmless. */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      if (this.fsyncOnClose) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  private writable(): number {
    if (this.failure !== undefined) {
      const why = this.failure instanceof Error ? this.failure.message : String(this.failure);
      throw new Error(`${this.path}: the recorder stopped after a failed write: ${why}`);
    }
    if (this.fd === undefined) throw new Error(`${this.path}: the recorder is closed`);
    return this.fd;
  }

  /** The op as it will read back (docs/history.md): fields in a fixed order, value null when absent, no null key. */
  private build(input: OpInput): Op {
    const op = {
      index: this.next,
      time: input.time ?? this.clock(),
      process: input.process,
      type: input.type,
      f: input.f,
    } as Op;
    if (input.key !== undefined && input.key !== null) op.key = input.key;
    op.value = input.value === undefined ? null : input.value;
    if (input.error !== undefined) op.error = input.error;
    for (const k of Object.keys(input)) {
      if (!FIXED.has(k) && input[k] !== undefined) op[k] = input[k];
    }
    return op;
  }

  private closeQuietly(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Already failing; the write error is the one worth reporting.
      }
    }
  }
}

/** writeSync may write less than asked (rarely, for regular files); a line must never be left half written. */
function writeFully(fd: number, line: string): void {
  const buf = Buffer.from(line, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function monotonicClock(): () => number {
  const origin = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - origin);
}
