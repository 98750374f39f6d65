import type { Sink } from './sink.js';

/**
 * Splits chunked text into lines (LF or CRLF; a final line without a newline counts) and hands each to `onLine`
 * with its 1-based number. Only the unfinished last line of a chunk is kept between chunks.
 */
export class LineSplitter implements Sink {
  private carry = '';
  private lineNo = 0;

  /** `joined`: the line began in an earlier chunk (it was carried over). */
  constructor(private readonly onLine: (line: string, lineNo: number, joined: boolean) => void) {}

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) {
        if (start < chunk.length) this.carry = this.carry === '' ? chunk.slice(start) : this.carry + chunk.slice(start);
        return;
      }
      let line = chunk.slice(start, nl);
      const joined = this.carry !== '';
      if (joined) {
        line = this.carry + line;
        this.carry = '';
      }
      start = nl + 1;
      this.emit(line, joined);
    }
  }

  end(): void {
    if (this.carry !== '') {
      const line = this.carry;
      this.carry = '';
      this.emit(line, true);
    }
  }

  private emit(line: string, joined: boolean): void {
    this.lineNo++;
    this.onLine(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line, this.lineNo, joined);
  }
}

/** True for a line with nothing but whitespace. */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 12 && c !== 11 && c !== 0xfeff) return false;
  }
  return true;
}
