import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { faultline, startFaultline } from '../support/cli.js';
import { removeDir, tempDir } from '../support/host-process.js';
import { startRedis, type HostServer } from '../support/host-servers.js';

/**
 * Faults on a cluster we do not own are undone whatever happens to the run: a run stopped by SIGTERM heals on its
 * way out; a run killed with SIGKILL leaves its journal, and `faultline heal <run-dir>` undoes what it left. The fault
 * is real: exec hooks that SIGSTOP and SIGCONT the user's redis-server.
 */

/** The state letter of a process (`T`: stopped by a signal), from /proc. */
function stateOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

/** The one run directory of a store's test, once it exists and its journal shows a fault in force. */
async function pausedRun(store: string, pid: number, deadline: number): Promise<string> {
  for (;;) {
    const testDir = existsSync(store) ? readdirSync(store).find((n) => n !== 'latest' && !n.startsWith('.')) : undefined;
    const runs = testDir ? readdirSync(join(store, testDir)) : [];
    if (runs.length === 1) {
      const dir = join(store, testDir!, runs[0]);
      const journal = join(dir, 'faults.jsonl');
      if (existsSync(journal) && stateOf(pid) === 'T') {
        const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
        if (lines.length > 0 && !lines[lines.length - 1].includes('"healed"')) return dir;
      }
    }
    if (Date.now() > deadline) throw new Error('the run never paused the server');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('external runtime: faults are undone after SIGTERM, and by faultline heal after SIGKILL', function () {
  this.timeout(120_000);
  let store: string;
  let redis: HostServer;
  beforeEach(async () => {
    store = tempDir('heal-store');
    redis = await startRedis();
  });
  afterEach(async () => {
    await redis.stop();
    removeDir(store);
  });

  const run = () => {
    const pid = redis.process.pid;
    const faults = JSON.stringify({ pause: { exec: `kill -STOP ${pid}`, heal: `kill -CONT ${pid}` } });
    // Pauses only, long ones: the run is caught with the server stopped.
    return startFaultline(['run', '--runtime', 'external', '--target', 'redis', '--nodes', redis.address, '--faults', faults, '--nemesis', 'pause', '--nemesis-interval', '20', '--time-limit', '60', '--store', store, '--quiet']);
  };

  it('SIGTERM: the run resumes the paused server before it exits 143', async () => {
    const cli = run();
    await pausedRun(store, redis.process.pid, Date.now() + 60_000);
    process.kill(cli.pid, 'SIGTERM');
    const r = await cli.done;
    assert.equal(r.code, 143, r.stderr);
    assert.notEqual(stateOf(redis.process.pid), 'T', 'the server is still stopped');
  });

  it('SIGKILL: the server stays paused, and faultline heal <run-dir> resumes it from the journal', async () => {
    const cli = run();
    const dir = await pausedRun(store, redis.process.pid, Date.now() + 60_000);
    process.kill(cli.pid, 'SIGKILL');
    await cli.done;
    assert.equal(stateOf(redis.process.pid), 'T', 'nothing should have resumed the server');
    const healed = faultline(['heal', dir]);
    assert.equal(healed.code, 0, healed.stderr);
    assert.match(healed.stdout, /^healed f\d+ pause n1$/m);
    assert.notEqual(stateOf(redis.process.pid), 'T');
    const again = faultline(['heal', dir]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing to heal/);
  });
});
