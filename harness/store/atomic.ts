import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file whole or not at all: the text goes to a temporary file in the same directory, is fsynced, and is
 * renamed over the old one. A reader (a report, `listRuns`, a browser) sees the old file or the new, never half
 * of one, and a crash mid-write leaves the old file (or none) rather than a broken one.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const file = await open(tmp, 'wx');
    try {
      await file.writeFile(text, 'utf8');
      // Without this, a machine crash right after the rename can leave an empty file on some file systems.
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
