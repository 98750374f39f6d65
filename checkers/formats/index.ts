import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { describeError, historyError, isInputError, usageError } from '../errors.js';
import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import { LineChunkDecoder } from './decode.js';
import { detectIn, HEAD_LIMIT } from './detect.js';
import { ednSink, kvSink } from './edn.js';
import { etcdSink } from './etcd.js';
import { jsonlSink } from './jsonl.js';
import type { ConcreteFormat, Sink } from './sink.js';
import { HistoryBuilder, OpStream } from './sink.js';

/**
 * Reading histories: JSON lines (faultline's own), Jepsen/Knossos EDN, and Porcupine's etcd and kv logs.
 * Formats and auto-detection are described in docs/history.md.
 */

export type { ConcreteFormat } from './sink.js';
export type Format = 'auto' | ConcreteFormat;
export const FORMATS: readonly Format[] = ['auto', 'jsonl', 'edn', 'porcupine-etcd', 'porcupine-kv'];

export interface ReadOptions {
  format?: Format;
}

/** The model a format's histories are meant for, when it implies one. */
export function defaultModelFor(format: Format | string | undefined): string | undefined {
  if (format === 'porcupine-etcd') return 'cas-register';
  if (format === 'porcupine-kv') return 'kv';
  return undefined;
}

/**
 * The format of a history from its beginning (the first non-blank text that is not a `;` comment): JSON object
 * lines → jsonl; `jepsen.util - ` log lines → porcupine-etcd; EDN → porcupine-kv when the first map is on one line,
 * has :key and f get/put/append, else edn. Empty input → jsonl. Throws an InputError when it is none of these.
 */
export function detectFormat(head: string, source?: string): ConcreteFormat {
  return detectIn(head, true, source)!;
}

/**
 * The format of a history file from its first 64 KiB, without reading the rest; undefined when that cannot tell
 * (or the file cannot be read: the reader then says why).
 */
export async function sniffFormat(path: string): Promise<ConcreteFormat | undefined> {
  try {
    const f = await open(path, 'r');
    try {
      const b = Buffer.alloc(HEAD_LIMIT);
      const { bytesRead } = await f.read(b, 0, HEAD_LIMIT, 0);
      let head = b.subarray(0, bytesRead).toString('utf8');
      // A cut multi-byte character at the end is not the format's business.
      if (bytesRead === HEAD_LIMIT) head = head.slice(0, head.lastIndexOf('\n') + 1);
      return detectIn(head, bytesRead < HEAD_LIMIT, path);
    } finally {
      await f.close();
    }
  } catch {
    return undefined;
  }
}

/** Reads a history file chunk by chunk (memory: the ops, not the text). A missing file is an InputError. */
export async function readHistoryFile(path: string, opts: ReadOptions = {}): Promise<History> {
  return readFileInto(new HistoryReader(opts.format, path, new HistoryBuilder(path)), path);
}

/**
 * Reads a history file and hands each op to `consume` as it is read, keeping none (for one-pass checkers). Returns
 * the history without its ops: the source, the format, and how many ops there were in `count`.
 */
export async function streamHistoryFile(
  path: string,
  opts: ReadOptions,
  consume: (op: Op, position: number, line: number) => void,
): Promise<History & { count: number }> {
  const stream = new OpStream(path, consume);
  const h = await readFileInto(new HistoryReader(opts.format, path, stream), path);
  return { ...h, count: stream.position };
}

async function readFileInto(reader: HistoryReader, path: string): Promise<History> {
  const decoder = new LineChunkDecoder(() => historyError(path, undefined, 'is not UTF-8 text'));
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    const push = (text: string) => reader.push(text);
    for await (const chunk of stream) decoder.write(chunk as Buffer, push);
    reader.push(decoder.end());
  } catch (e) {
    if (isInputError(e)) throw e;
    throw historyError(path, undefined, fileProblem(e));
  } finally {
    stream.destroy();
  }
  reader.end();
  return reader.history();
}

/** Reads a history from a stream (stdin); `source` names it in errors. */
export async function readHistoryStream(
  stream: NodeJS.ReadableStream,
  opts: ReadOptions & { source: string },
): Promise<History> {
  const reader = new HistoryReader(opts.format, opts.source);
  const decoder = new LineChunkDecoder(() => historyError(opts.source, undefined, 'is not UTF-8 text'));
  const push = (text: string) => reader.push(text);
  try {
    for await (const chunk of stream) {
      if (typeof chunk === 'string') reader.push(chunk);
      else decoder.write(chunk as Buffer, push);
    }
    reader.push(decoder.end());
  } catch (e) {
    if (isInputError(e)) throw e;
    throw historyError(opts.source, undefined, `cannot read: ${describeError(e)}`);
  }
  reader.end();
  return reader.history();
}

/** Parses a whole history held in a string. */
export function parseHistoryText(text: string, opts: ReadOptions & { source?: string } = {}): History {
  const reader = new HistoryReader(opts.format, opts.source);
  reader.push(text);
  reader.end();
  return reader.history();
}

function fileProblem(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a history file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot read: ${describeError(e)}`;
}

function sinkFor(format: ConcreteFormat, out: HistoryBuilder): Sink {
  switch (format) {
    case 'jsonl':
      return jsonlSink(out);
    case 'edn':
      return ednSink(out);
    case 'porcupine-etcd':
      return etcdSink(out);
    case 'porcupine-kv':
      return kvSink(out);
  }
}

/** Chunks in, a History out; with format 'auto' it holds back the first chunks until it can tell the format. */
class HistoryReader implements Sink {
  private readonly out: HistoryBuilder;
  private format: ConcreteFormat | undefined;
  private inner: Sink | undefined;
  private head = '';
  private started = false;

  constructor(
    format: Format | undefined,
    private readonly source: string | undefined,
    out?: HistoryBuilder,
  ) {
    this.out = out ?? new HistoryBuilder(source);
    const f = format ?? 'auto';
    if (!FORMATS.includes(f)) throw usageError(`unknown history format '${String(f)}' (known: ${FORMATS.join(', ')})`);
    if (f !== 'auto') this.use(f);
  }

  push(chunk: string): void {
    if (chunk.length === 0) return;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.inner) {
      this.inner.push(chunk);
      return;
    }
    this.head += chunk;
    // Detection looks at whole lines: wait for a line end (or enough text, or the end of the input).
    if (!chunk.includes('\n') && this.head.length < HEAD_LIMIT) return;
    const f = detectIn(this.head, false, this.source);
    if (f !== undefined) this.flushHead(f);
  }

  end(): void {
    if (!this.inner) this.flushHead(detectIn(this.head, true, this.source)!);
    this.inner!.end();
  }

  history(): History {
    return this.out.history(this.format!);
  }

  private use(f: ConcreteFormat): void {
    this.format = f;
    this.inner = sinkFor(f, this.out);
  }

  private flushHead(f: ConcreteFormat): void {
    this.use(f);
    const head = this.head;
    this.head = '';
    if (head.length > 0) this.inner!.push(head);
  }
}
