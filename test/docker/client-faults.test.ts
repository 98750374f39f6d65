import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nemesisPairs } from '../../checkers/history/nemesis-pairs.js';
import { runTest } from '../../harness/api.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import { runResources } from '../support/docker.js';

const store = mkdtempSync(join(tmpdir(), 'faultline-docker-client-faults-'));

describe('docker runtime: client faults through the TCP fault proxy', function () {
  this.timeout(300_000);

  it('redis under client-partition and client-latency is valid; the faults are recorded, and a partition costs ops', async () => {
    // A 2 s cycle: client-partition in force from 1 s to 2 s and 5 s to 6 s, client-latency from 3 s to 4 s.
    const def = parseDefinition(
      { runtime: 'docker', target: 'redis', store, seed: 3, timeLimit: 6, nemesis: { faults: ['client-partition', 'client-latency'], interval: 2 } },
      builtinRegistry().definitions(),
    );
    const r = await runTest(def);
    assert.deepEqual(await runResources(process.pid), { containers: [], networks: [] }, 'the run removed its containers and network');
    assert.equal(r.valid, true, r.report);

    const faults = r.history.filter((o) => o.process === 'nemesis');
    const fs = faults.map((o) => o.f);
    for (const f of ['start-client-partition', 'stop-client-partition', 'start-client-latency', 'stop-client-latency']) assert.ok(fs.includes(f), `${f} in ${fs.join(',')}`);
    for (const o of faults) assert.equal(o.error, undefined, `${o.f} was inflicted: ${String(o.error)}`);
    // Each fault is a Jepsen pair: begun with no value before the proxy was asked, completed once in force; the
    // report's band and the availability during faults start at the begin.
    const pairs = nemesisPairs(r.history);
    for (const { begin, complete } of pairs) {
      assert.equal(complete?.f, begin.f);
      assert.equal(begin.value, null);
      assert.ok(complete.time >= begin.time);
    }
    const first = pairs.find((p) => p.begin.f === 'start-client-partition')!;
    assert.equal(r.stats.nemesis.find((i) => i.fault === 'client-partition')!.start, first.begin.time);

    // The ops in flight while the first partition was in force (from its completion, once the proxy cut, to the stop's
    // begin): some did not succeed (time-outs, resets), whenever they completed. Two narrower readings each missed once
    // in CI: the ops that completed inside the 1 s window (a dropped op times out after 1 s, at or after the window's
    // end), and the ops invoked inside it (every process may still be waiting on an op it sent before the cut).
    const inForce = first.complete!;
    const stop = faults.find((o) => o.f === 'stop-client-partition' && o.index > inForce.index)!;
    const outcome = (invoke: (typeof r.history)[number]) => r.history.find((o) => o.index > invoke.index && o.process === invoke.process && o.type !== 'invoke');
    const during = r.history
      .filter((o) => o.process !== 'nemesis' && o.type === 'invoke' && o.index < stop.index)
      .map(outcome)
      .filter((o) => o === undefined || o.index > inForce.index);
    assert.ok(during.length > 0, 'some op was in flight under the partition');
    assert.ok(
      during.some((o) => o === undefined || o.type === 'fail' || o.type === 'info'),
      `some op in flight under ${JSON.stringify(inForce.value)} failed or timed out: ${during.map((o) => o?.type ?? 'none').join(',')}`,
    );
    assert.ok(r.stats.ops.ok > 50, `the clients got work done: ${r.stats.ops.ok} ok`);
  });
});
