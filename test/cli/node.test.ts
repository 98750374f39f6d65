import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectClient } from '../../harness/hosting/client.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');

/** Starts `faultline node` and resolves with the process and the address it printed. */
function startNode(args: string[]): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [bin, 'node', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ child, address: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`faultline node exited ${code}`)));
  });
}

describe('cli: faultline node', () => {
  it('runs kv-single as an OS process over TCP, and what it acknowledged survives kill -9', async function () {
    this.timeout(30_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'faultline-node-'));
    let { child, address } = await startNode(['kv-single', '--id', 'n1', '--listen', '127.0.0.1:0', '--data-dir', dataDir]);
    try {
      const client = connectClient('c1', { n1: address });
      const w = await client.request('n1', { op: { f: 'write', key: 'x', value: 3 } }, 2000);
      assert.equal(w?.type, 'ok');
      client.close();
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      ({ child, address } = await startNode(['kv-single', '--id', 'n1', '--listen', '127.0.0.1:0', '--data-dir', dataDir]));
      const again = connectClient('c2', { n1: address });
      const r = await again.request('n1', { op: { f: 'read', key: 'x', value: null } }, 2000);
      assert.deepEqual([r?.type, r?.value], ['ok', 3]);
      again.close();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('an unknown target or bad address is one line and exit 254', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-node-'));
    for (const args of [['nope', '--id', 'n1', '--listen', '127.0.0.1:0', '--data-dir', dir], ['kv-single', '--id', 'n1', '--listen', 'nowhere', '--data-dir', dir]]) {
      const r = spawnSync(process.execPath, [bin, 'node', ...args], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(r.status, 254, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
