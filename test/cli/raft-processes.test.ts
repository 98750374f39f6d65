import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Op } from '../../checkers/history/op.js';
import { checkSync } from '../../checkers/linearizability/index.js';
import { connectClient } from '../../harness/hosting/client.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');

/** A free loopback port (the OS picks it; closed again before the node binds it). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('raft-kv as three OS processes over TCP (faultline node)', function () {
  this.timeout(60_000);
  const children = new Map<string, ChildProcess>();
  after(() => children.forEach((c) => c.kill('SIGKILL')));

  it('serves writes and reads, survives a kill -9 of the leader, and the recorded history is linearizable', async () => {
    const ids = ['n1', 'n2', 'n3'];
    const addr = new Map<string, string>();
    for (const id of ids) addr.set(id, `127.0.0.1:${await freePort()}`);
    for (const id of ids) {
      const peers = ids.filter((p) => p !== id).map((p) => `${p}=${addr.get(p)}`).join(',');
      const dir = mkdtempSync(join(tmpdir(), `faultline-raft-${id}-`));
      const child = spawn(process.execPath, [bin, 'node', 'raft-kv', '--id', id, '--listen', addr.get(id)!, '--peers', peers, '--data-dir', dir], { stdio: 'ignore' });
      children.set(id, child);
    }
    const client = connectClient('c1', Object.fromEntries(addr));
    const history: Op[] = [];
    const t0 = performance.now();
    const record = (o: Omit<Op, 'index' | 'time'>) => history.push({ ...o, index: history.length, time: Math.round((performance.now() - t0) * 1e6) } as Op);
    let proc = 0;
    let seq = 0;
    let leader = 'n1';

    /** One op, Jepsen-style: follow 'not leader' hints; a time-out is info and retires the process. */
    const perform = async (op: { f: string; key: string; value: unknown }) => {
      record({ process: proc, type: 'invoke', ...op });
      const s = ++seq;
      for (let attempt = 0; attempt < 20; attempt++) {
        const reply = await client.request(leader, { op, clientId: 'c1', seq: s }, 1500);
        if (!reply) {
          record({ process: proc, type: 'info', ...op });
          proc++;
          leader = ids[(ids.indexOf(leader) + 1) % ids.length];
          return undefined;
        }
        if (reply.type === 'fail' && reply.error === 'not leader') {
          const hint = reply.leader as string | undefined;
          leader = hint && children.get(hint)?.exitCode === null && children.get(hint)?.signalCode === null ? hint : ids[(ids.indexOf(leader) + 1) % ids.length];
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        record({ process: proc, type: reply.type as 'ok' | 'fail', f: op.f, key: op.key, value: reply.value ?? op.value });
        return reply;
      }
      record({ process: proc, type: 'info', ...op });
      proc++;
      return undefined;
    };

    // Until a leader has been elected, writes are redirected or time out.
    let acked: number | undefined;
    for (let v = 1; v <= 5; v++) if ((await perform({ f: 'write', key: 'x', value: v }))?.type === 'ok') acked = v;
    assert.ok(acked !== undefined, 'some write was acknowledged');
    const first = await perform({ f: 'read', key: 'x', value: null });
    assert.equal(first?.value, acked);

    // Kill the leader without warning; the others elect a new one and still hold every acknowledged write.
    const old = leader;
    children.get(old)!.kill('SIGKILL');
    await new Promise((r) => children.get(old)!.once('exit', r));
    leader = ids.find((i) => i !== old)!;
    let read: Awaited<ReturnType<typeof perform>>;
    for (let i = 0; i < 10 && read?.type !== 'ok'; i++) read = await perform({ f: 'read', key: 'x', value: null });
    assert.equal(read?.type, 'ok');
    assert.notEqual(leader, old, 'a new leader answers');
    for (let v = 6; v <= 8; v++) if ((await perform({ f: 'write', key: 'x', value: v }))?.type === 'ok') acked = v;
    const last = await perform({ f: 'read', key: 'x', value: null });
    assert.equal(last?.value, acked);
    client.close();

    const result = checkSync(history, 'cas-register');
    assert.equal(result.valid, true, JSON.stringify(result.anomalies[0]));
    assert.ok(history.filter((o) => o.type === 'ok').length >= 6);
  });
});
