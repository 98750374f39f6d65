import assert from 'node:assert/strict';
import { CACHE_KEYS, cache } from '../../../workloads/cache.js';
import { sampleOps } from '../../support/workload-sample.js';

describe('workloads: cache', () => {
  it('reads and writes of k0…k3, about 3:1, every written value new (from 1), the same stream for a seed', () => {
    const drawn = sampleOps(cache, 7, 4000);
    assert.ok(drawn.every((op) => (CACHE_KEYS as readonly string[]).includes(op.key as string)));
    assert.ok(drawn.every((op) => (op.f === 'read' && op.value === null) || (op.f === 'write' && Number.isSafeInteger(op.value))));
    const writes = drawn.filter((op) => op.f === 'write').map((op) => op.value as number);
    assert.deepEqual(writes, writes.map((_, i) => i + 1), 'a counter from 1: unique across every process');
    const ratio = (drawn.length - writes.length) / writes.length;
    assert.ok(ratio > 2.6 && ratio < 3.4, `reads:writes ${ratio.toFixed(2)}`);
    for (const k of CACHE_KEYS) assert.ok(drawn.filter((op) => op.key === k).length > 800, `${k} drawn often`);
    assert.deepEqual(sampleOps(cache, 7, 4000), drawn, 'same seed, same ops (a fresh stream starts its counter over)');
    assert.notDeepEqual(sampleOps(cache, 8, 50), drawn.slice(0, 50), 'another seed, other ops');
  });

  it('ends with one settle per key, judged by the cache checker', () => {
    assert.deepEqual(cache.finalOps(), [
      { f: 'settle', key: 'k0', value: null },
      { f: 'settle', key: 'k1', value: null },
      { f: 'settle', key: 'k2', value: null },
      { f: 'settle', key: 'k3', value: null },
    ]);
    assert.equal(cache.checker, 'cache');
    assert.equal(cache.model, undefined);
    assert.deepEqual(Object.keys(cache.operations), ['read', 'write', 'settle']);
  });
});
