import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHistoryFile } from '../../../checkers/formats/index.js';
import { complete } from '../../../checkers/history/complete.js';
import { tempDirs } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/crash-child.js', import.meta.url));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the child; `onOutput` may kill it. */
function run(args: string[], onOutput?: (stdout: string, kill: () => void) => void): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      onOutput?.(stdout, () => child.kill('SIGKILL'));
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Every line of the file is whole (ends in a newline) and the ops read back with dense indices. */
async function assertIntact(runDir: string): Promise<number> {
  const path = join(runDir, 'history.jsonl');
  const text = readFileSync(path, 'utf8');
  assert.ok(text.length > 0, 'the history is empty');
  assert.ok(text.endsWith('\n'), 'the last line was cut short');
  const h = await readHistoryFile(path);
  assert.equal(h.format, 'jsonl');
  assert.deepEqual(
    h.ops.map((o) => o.index),
    h.ops.map((_, i) => i),
  );
  assert.equal(text.split('\n').length - 1, h.ops.length);
  // The checker's own pairing accepts it: no process discipline was broken up to the kill.
  complete(h);
  return h.ops.length;
}

describe('harness/store: a SIGKILLed harness loses no recorded op', () => {
  const tmp = tempDirs();

  it('keeps every op recorded before the process killed itself, each line whole', async () => {
    for (const n of [1, 250, 1001]) {
      const dir = tmp();
      const exit = await run([dir, 'self', String(n)]);
      assert.equal(exit.signal, 'SIGKILL', exit.stderr);
      assert.equal(await assertIntact(dir), n);
    }
  });

  it('keeps at least every op reported recorded when killed from outside mid-run', async () => {
    const dir = tmp();
    let reported = 0;
    const exit = await run([dir, 'loop'], (stdout, kill) => {
      const counts = stdout.trim().split('\n').map(Number);
      reported = counts[counts.length - 1];
      if (reported >= 3000) kill();
    });
    assert.equal(exit.signal, 'SIGKILL', exit.stderr);
    assert.ok(reported >= 3000);
    assert.ok((await assertIntact(dir)) >= reported);
  });
});
