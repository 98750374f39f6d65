import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { describeError } from '../../../errors.js';
import type { SshConnection } from './connection.js';
import { shellQuote } from './process-scripts.js';

/** A log file may be large and the link slow: copying one gets longer than a fault's command. */
const COPY_TIMEOUT_MS = 300_000;

/**
 * Copies the files the globs match on one node into `dir/<node>/<their path>` (Jepsen's `db/LogFiles`), with `cat`
 * over the node's connection rather than SFTP: `cat` runs through sudo like every other command, so root-only logs
 * come too. The globs are expanded by the node's shell. A glob that matches nothing, or a file that cannot be read,
 * is noted in run.log and skipped: the logs are evidence, and missing evidence must not hide the run's result.
 */
export async function collectNodeLogs(conn: SshConnection, globs: readonly string[], dir: string, log: (line: string) => void): Promise<string[]> {
  const listing = await conn.run(`list log files (${globs.join(' ')})`, globs.map(listScript).join('\n'));
  const files = [...new Set(listing.stdout.split('\n').filter((l) => l.startsWith('/')))];
  const found = new Set(listing.stdout.split('\n').filter((l) => l.startsWith('glob ')).map((l) => l.slice(5)));
  for (const g of globs) if (!found.has(g)) log(`ssh: ${conn.node}: no file matches ${g}; nothing copied for it`);
  const copied: string[] = [];
  for (const file of files) {
    // Inside the node's own directory whatever the path says (`..` cannot climb out of it).
    const to = join(dir, conn.node, normalize(file).replace(/^(\.\.\/|\/)+/, ''));
    try {
      await mkdir(dirname(to), { recursive: true });
      await conn.run(`copy ${file}`, `cat -- ${shellQuote(file)}`, { stdout: createWriteStream(to), timeoutMs: COPY_TIMEOUT_MS });
      copied.push(to);
    } catch (e) {
      log(`ssh: ${conn.node}: could not copy ${file}: ${describeError(e)}`);
    }
  }
  return copied;
}

/** Prints every regular file a glob matches (absolute paths), and `glob <g>` when it matched any. */
function listScript(glob: string): string {
  return `m=; for f in ${glob}; do if [ -f "$f" ]; then case "$f" in /*) printf '%s\\n' "$f";; *) printf '%s\\n' "$PWD/$f";; esac; m=1; fi; done; [ -z "$m" ] || printf 'glob %s\\n' ${shellQuote(glob)}`;
}
