// A faultline test in your own mocha suite: run the cache of ./plugin.js under faults and assert the verdict.
// faultline is imported by its package name, as your project would import it.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry, parseDefinition, runTest } from 'faultline';
import plugin from './plugin.js';

describe('lww-cache under faultline', function () {
  this.timeout(120_000);
  const registry = builtinRegistry().use(plugin);
  const store = mkdtempSync(join(tmpdir(), 'lww-cache-'));

  it('serves stale reads: faultline finds a read no linearization explains, and says which', async () => {
    const def = parseDefinition({ target: 'lww-cache', workload: 'cache-ops', seed: 1, timeLimit: 5, nemesis: 'partition', store }, registry.definitions());
    const outcome = await runTest(def, { registry });
    assert.equal(outcome.valid, false, outcome.report);
    assert.equal(outcome.check.checker, 'linearizable');
    assert.equal(outcome.check.model, 'cache-register', 'held to the plugin’s own model');
    const anomaly = outcome.check.partitions.find((p) => p.anomaly)?.anomaly;
    assert.ok(anomaly, 'the evidence names an operation');
    assert.equal(outcome.history[anomaly.op.invokeIndex].f, 'read', 'a stale read');
  });

  it('with the plugin’s own checker: reads that missed a write acknowledged before they began', async () => {
    const def = parseDefinition({ target: 'lww-cache', workload: 'cache-recency', seed: 1, timeLimit: 5, nemesis: 'partition', store }, registry.definitions());
    const outcome = await runTest(def, { registry });
    assert.equal(outcome.valid, false, outcome.report);
    assert.equal(outcome.check.checker, 'stale-reads');
    assert.ok(outcome.check.stale.length > 0 && outcome.check.stale.every((s) => s.read.f === 'read'));
  });

  it('is linearizable with one node: nothing to replicate, nothing stale', async () => {
    const def = parseDefinition({ target: 'lww-cache', workload: 'cache-ops', nodes: 1, seed: 1, timeLimit: 5, nemesis: 'none', store }, registry.definitions());
    const outcome = await runTest(def, { registry });
    assert.equal(outcome.valid, true, outcome.report);
  });
});
