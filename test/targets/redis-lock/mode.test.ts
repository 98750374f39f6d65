import assert from 'node:assert/strict';
import { UsageError } from '../../../harness/errors.js';
import { redisLock } from '../../../targets/redis-lock/docker.js';
import { checkLayout } from '../../../targets/redis-lock/layout.js';
import { lockMode } from '../../../targets/redis-lock/mode.js';

describe('redis-lock: modes, options and layout', () => {
  it('takes and checks tokens in the correct lock only, unless the fencing option says otherwise', () => {
    assert.deepEqual(lockMode(undefined, {}), { key: 'token', release: 'compare', tokens: true, fenced: true });
    assert.deepEqual(lockMode('per-second-key', {}), { key: 'per-second', release: 'del', tokens: false, fenced: false });
    assert.deepEqual(lockMode('no-token', {}), { key: 'token', release: 'del', tokens: true, fenced: false });
    assert.deepEqual(lockMode('no-fencing', {}), { key: 'token', release: 'compare', tokens: true, fenced: false });
    assert.deepEqual(lockMode('per-second-key', { fencing: true }), { key: 'per-second', release: 'del', tokens: true, fenced: true });
    // Unfenced, tokens still taken for the evidence when the lock takes them.
    assert.deepEqual(lockMode(undefined, { fencing: false }), { key: 'token', release: 'compare', tokens: true, fenced: false });
  });

  it('names one Redis node and pg by default, three Redis nodes and pg when replicated', () => {
    assert.deepEqual(redisLock.nodeIds(1, {}), ['n1', 'pg']);
    assert.deepEqual(redisLock.nodeIds(1, { replicated: true }), ['n1', 'n2', 'n3', 'pg']);
    assert.deepEqual(redisLock.nodeIds(5, { replicated: true }), ['n1', 'n2', 'n3', 'n4', 'n5', 'pg']);
  });

  it('refuses a layout without pg, or with the wrong number of Redis nodes, in one line', () => {
    const refused = (nodes: string[], options: Record<string, unknown>, re: RegExp) =>
      assert.throws(() => checkLayout(nodes, options), (e: Error) => e instanceof UsageError && re.test(e.message));
    refused(['n1'], {}, /^redis-lock: no node named pg/);
    refused(['n1', 'n2', 'pg'], {}, /^redis-lock: one Redis server unless replicated \(got 2/);
    refused(['n1', 'n2', 'pg'], { replicated: true }, /^redis-lock: replicated needs 3 Redis nodes or more/);
    checkLayout(['n1', 'pg'], {});
  });

  it('says which services each node serves on an external cluster: Redis (and Sentinel when replicated) on its nodes, PostgreSQL on pg', () => {
    const servedBy = redisLock.external!.servedBy!;
    assert.deepEqual(servedBy('pg', {}), ['postgres']);
    assert.deepEqual(servedBy('n1', {}), ['redis']);
    assert.deepEqual(servedBy('n2', { replicated: true }), ['redis', 'sentinel']);
  });
});
