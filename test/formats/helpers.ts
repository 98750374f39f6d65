import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isInputError } from '../../checkers/errors.js';
import { parseHistoryText, readHistoryStream, type Format } from '../../checkers/formats/index.js';
import type { History } from '../../checkers/history/history.js';

/** The repository root (tests run from dist/test/formats). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = resolve(ROOT, 'test/fixtures/formats');
export const ETCD_CORPUS = resolve(ROOT, '../shared/corpus/porcupine-etcd');

/** Parses `text` expecting an InputError `src:<line>: <what>` on one line, `what` matching `re`. */
export function assertErrorAt(text: string, format: Format, line: number, re: RegExp): void {
  assert.throws(
    () => parseHistoryText(text, { format, source: 'h.txt' }),
    (e: unknown) => {
      assert.ok(isInputError(e), `expected an InputError, got ${String(e)}`);
      const msg = (e as Error).message;
      assert.ok(!msg.includes('\n'), `message is not one line: ${JSON.stringify(msg)}`);
      const m = /^h\.txt:(\d+): (.*)$/.exec(msg);
      assert.ok(m, `message does not read 'h.txt:<line>: …': ${msg}`);
      assert.equal(Number(m[1]), line, `wrong line in: ${msg}`);
      assert.match(m[2], re);
      return true;
    },
  );
}

/** Feeds `text` as a stream of Buffers of `size` bytes (splitting UTF-8 sequences, lines and tokens anywhere). */
export async function readInChunks(text: string, size: number, format: Format = 'auto'): Promise<History> {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return readHistoryStream(Readable.from(chunks), { format, source: '<chunks>' });
}

/** The same history with the source name dropped (streams and text are named differently). */
export function unnamed(h: History): History {
  return { ...h, source: undefined };
}
