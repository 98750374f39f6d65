import assert from 'node:assert/strict';
import { runTest } from '../../harness/api.js';
import { builtinCheckers } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import { Registry } from '../../harness/registry.js';
import { builtinTargets } from '../../targets/index.js';
import { builtinWorkloads } from '../../workloads/index.js';
import { removeDir, tempDir } from '../support/host-process.js';
import { startRedis, type HostServer } from '../support/host-servers.js';
import { startSentinelDeployment, type SentinelDeployment } from '../support/sentinel-deployment.js';
import type { LogResult } from '../../checkers/log/result.js';

/**
 * redis-stream with `--runtime external`: on a redis-server, and on a Sentinel deployment, that the test started on
 * loopback as the user's own (the primary not first), in process, judged by the log checker. What an earlier run left
 * in the streams is gone before the next begins.
 */
const registry = new Registry([builtinCheckers, builtinTargets, builtinWorkloads]);
const summarize = (log: LogResult) => `${JSON.stringify(log.anomalyCounts)}; ${JSON.stringify(log.counts)}`;

describe('external runtime: redis-stream on servers the user started', function () {
  this.timeout(180_000);
  let store: string;
  beforeEach(() => {
    store = tempDir('redis-stream-store');
  });
  afterEach(() => removeDir(store));

  async function run(fields: Record<string, unknown>): Promise<LogResult> {
    const def = parseDefinition({ runtime: 'external', store, target: 'redis-stream', workload: 'log', timeLimit: 4, nemesis: 'client-partition', ...fields }, registry.definitions());
    const r = await runTest(def, { registry });
    const log = r.check as LogResult;
    assert.equal(log.checker, 'log');
    assert.equal(r.valid, true, summarize(log));
    assert.ok(log.counts.sendsOk > 20, summarize(log));
    // The drain holds this run's entries alone, each once: the values sent in this run (they start from 1 in every
    // run, so an entry an earlier run left would be a value at two offsets, or one never sent here).
    const sent = new Set(r.history.filter((o) => o.f === 'send' && o.type === 'invoke').map((o) => o.value));
    const drained = (r.history.find((o) => o.f === 'drain' && o.type === 'ok')!.value as [number, string, unknown][]).map(([, , v]) => v);
    assert.equal(new Set(drained).size, drained.length, 'no value drained twice');
    assert.ok(drained.every((v) => sent.has(v)), 'every drained value was sent in this run');
    return log;
  }

  describe('one redis-server', () => {
    let redis: HostServer | undefined;
    before(async () => {
      redis = await startRedis();
    });
    after(async () => {
      await redis?.stop();
    });

    it('runs valid twice in a row, each drain holding that run\'s entries alone', async () => {
      const nodes = [{ name: 'n1', host: redis!.host, port: redis!.port }];
      await run({ nodes, seed: 1 });
      await run({ nodes, seed: 2 });
    });
  });

  describe('a Sentinel deployment', () => {
    let d: SentinelDeployment | undefined;
    before(async () => {
      d = await startSentinelDeployment();
    });
    after(async () => {
      await d?.stop();
    });

    it('finds the primary through the sentinels (not the first node) and runs valid, with wait 2', async () => {
      const log = await run({ nodes: d!.nodes(), options: { replicated: true, wait: 2 }, seed: 3 });
      assert.ok(log.counts.sendsOk > 20, summarize(log));
    });
  });
});
