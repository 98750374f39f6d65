import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTest } from '../../harness/api.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import type { RunOutcome } from '../../harness/run.js';
import { faultsBegun, untilCaught } from '../support/detect.js';
import { runResources } from '../support/docker.js';

const store = mkdtempSync(join(tmpdir(), 'faultline-docker-paxos-'));

/** One run of paxos-kv's nodes as `faultline node paxos-kv` processes in containers; it leaves nothing behind. */
async function run(fields: Record<string, unknown>): Promise<RunOutcome> {
  const def = parseDefinition({ runtime: 'docker', store, target: 'paxos-kv', ...fields }, builtinRegistry().definitions());
  const r = await runTest(def);
  assert.deepEqual(await runResources(process.pid), { containers: [], networks: [] }, 'the run removed its containers and network');
  return r;
}

describe('docker: paxos-kv (multi-decree Paxos nodes in containers)', function () {
  this.timeout(300_000);

  it('the correct protocol is linearizable under iptables partitions, SIGKILLs and SIGSTOPs', async () => {
    const r = await run({ seed: 1, nemesis: { faults: 'partition,kill,pause', interval: 3 }, timeLimit: 10 });
    assert.equal(r.valid, true, r.report);
    assert.match(faultsBegun(r), /start-partition/);
    assert.match(faultsBegun(r), /start-kill/);
    assert.ok(r.stats.ops.ok > 100, `the clients got work done: ${r.stats.ops.ok} ok`);
  });

  it('local-read: a leader cut off by partition:primary answers stale reads (seeds until found, 30 s)', async () => {
    const found = await untilCaught((seed, timeLimit) => run({ seed, bug: 'local-read', nemesis: { faults: 'partition:primary', interval: 4 }, timeLimit }), { perRun: 10, budget: 30 });
    assert.equal(found.valid, false);
    assert.ok(found.check.checker === 'linearizable' && found.check.partitions.some((p) => p.anomaly !== undefined), 'the verdict carries its evidence');
  });
});
