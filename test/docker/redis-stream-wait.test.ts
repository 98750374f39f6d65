import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogResult } from '../../checkers/log/result.js';
import { runTest } from '../../harness/api.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import { explainLogRun, untilCaught } from '../support/detect.js';
import { runResources } from '../support/docker.js';

const store = mkdtempSync(join(tmpdir(), 'faultline-docker-redis-stream-wait-'));
const registry = builtinRegistry();


describe('docker: redis-stream with WAIT (Jepsen: WAIT does not make Redis with Sentinel safe)', function () {
  this.timeout(300_000);

  it('five nodes, wait 1: a primary that keeps one replica under partition:primary-minority acknowledges entries the failover loses', async () => {
    // The primary and one replica are cut off from the other three. That replica acknowledges every XADD's WAIT 1,
    // so sends go on being acknowledged; the other three sentinels (a majority of five) promote one of their own
    // replicas, which never had those entries, and after the heal the old primary and its replica follow it.
    const found = await untilCaught(
      async (seed, timeLimit) => {
        const def = parseDefinition(
          { runtime: 'docker', store, seed, timeLimit, target: 'redis-stream', nodes: 5, options: { replicated: true, wait: 1 }, nemesis: { faults: ['partition:primary-minority'], interval: 6 } },
          registry.definitions(),
        );
        const r = await runTest(def, { registry });
        assert.deepEqual(await runResources(process.pid), { containers: [], networks: [] }, 'the run removed its containers and network');
        return r;
      },
      { perRun: 10, budget: 45, describe: explainLogRun, caught: (x) => (x.check as LogResult).anomalyCounts.missing > 0 },
    );
    const log = found.check as LogResult;
    assert.equal(found.valid, false);
    // Each missing entry was acknowledged (ok, at the offset the checker names) after its WAIT counted a replica.
    for (const m of log.missing.slice(0, 50)) {
      const ack = found.history[m.send.completeIndex];
      assert.deepEqual([ack.type, ack.offset, ack.partition], ['ok', m.offset, m.partition]);
    }
    // The cut left the primary exactly one replica: the grudge's side with the primary has two nodes.
    const cut = found.history.find((op) => op.process === 'nemesis' && op.f === 'start-partition' && op.value !== null)!;
    const grudge = cut.value as Record<string, string[]>;
    const sides = Object.values(grudge).map((dropped) => 5 - dropped.length);
    assert.ok(sides.includes(2) && sides.includes(3), `a 2/3 split: ${JSON.stringify(grudge)}`);
    assert.ok(log.missing.every((x) => x.send.time > cut.time - 1e9), explainLogRun(found));
    // The report lists them, with the offset the acknowledgement named.
    const html = readFileSync(found.report!, 'utf8');
    assert.ok(html.includes(String(log.missing[0].offset)), `report.html names ${String(log.missing[0].offset)}`);
    console.log(`      (${explainLogRun(found)})`);
  });
});
