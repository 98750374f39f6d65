import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The run's human-readable log, next to its history. */
export const RUN_LOG_FILE = 'run.log';

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

/**
 * `<runDir>/run.log`: what the harness did and when (`2026-11-22T18:20:16.123Z INFO  partition n1 n2 | n3`).
 * Written synchronously like the history, so the lines before a crash of the harness are there to explain it.
 * Every physical line carries the timestamp and level, so a multi-line message still greps as one entry.
 */
export class RunLog implements Disposable {
  readonly path: string;
  private fd: number | undefined;

  /** `now` is for tests; a run logs wall-clock time (the history has the test's own clock). */
  constructor(runDir: string, private readonly now: () => Date = () => new Date()) {
    this.path = join(runDir, RUN_LOG_FILE);
    this.fd = openSync(this.path, 'a');
  }

  info(line: string): void {
    this.write('INFO', line);
  }

  warn(line: string): void {
    this.write('WARN', line);
  }

  error(line: string): void {
    this.write('ERROR', line);
  }

  write(level: LogLevel, text: string): void {
    if (this.fd === undefined) throw new Error(`${this.path}: the run log is closed`);
    const prefix = `${this.now().toISOString()} ${level.padEnd(5)} `;
    const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
    writeSync(this.fd, lines.map((l) => prefix + l + '\n').join(''));
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
