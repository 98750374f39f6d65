import fs from 'node:fs';
import path from 'node:path';
import type { DurableStorage } from '../node.js';

/**
 * DurableStorage in a directory, one file per key, for nodes that are real OS processes. `put` returns only once
 * the value is on disk: it writes a temporary file, fsyncs it, renames it over the key's file and fsyncs the
 * directory, so after a kill -9 (or a power cut, on a file system that honours fsync) each key holds its last
 * completed put, never part of one. Values must be JSON (what Raft persists is); `get` returns a fresh copy.
 *
 * One process per directory: two writers on the same directory are not coordinated.
 */
export class FileStorage implements DurableStorage {
  readonly dir: string;
  /** key → its JSON text (undefined: known absent), filled on first read and by every put. */
  private readonly cache = new Map<string, string | undefined>();
  private seq = 0;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    fs.mkdirSync(this.dir, { recursive: true });
    // Temporary files of puts a crash interrupted: never renamed, so never part of the state.
    for (const name of fs.readdirSync(this.dir)) if (name.includes('.tmp-')) fs.rmSync(path.join(this.dir, name), { force: true });
  }

  get<T = unknown>(key: string): T | undefined {
    let text: string | undefined;
    if (this.cache.has(key)) text = this.cache.get(key);
    else {
      try {
        text = fs.readFileSync(this.file(key), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        text = undefined;
      }
      this.cache.set(key, text);
    }
    if (text === undefined) return undefined;
    let record: { v?: T };
    try {
      record = JSON.parse(text) as { v?: T };
    } catch {
      throw new Error(`storage ${this.file(key)} is corrupt (not JSON)`);
    }
    return record.v;
  }

  put(key: string, value: unknown): void {
    const file = this.file(key);
    const text = JSON.stringify({ v: value });
    const tmp = `${file}.tmp-${process.pid}-${this.seq++}`;
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    syncDir(this.dir);
    this.cache.set(key, text);
  }

  /** The file holding `key`: plain names for simple keys, hex for the rest (safe on case-insensitive systems too). */
  private file(key: string): string {
    const name = /^[a-z0-9_-]{1,100}$/.test(key) ? key : `~${Buffer.from(key, 'utf8').toString('hex')}`;
    if (name.length > 200) throw new Error(`storage key too long (${key.length} characters)`);
    return path.join(this.dir, `${name}.json`);
  }
}

function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch {
    return; // platforms where a directory cannot be opened (Windows): rename is as durable as it gets there
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    // Some file systems refuse fsync on a directory; the rename itself has happened.
    if (!['EINVAL', 'EPERM', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    fs.closeSync(fd);
  }
}
