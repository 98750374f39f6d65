import assert from 'node:assert/strict';
import type { ClientOp } from '../../../harness/runtime.js';
import { HOLD_MS, lock } from '../../../workloads/lock.js';
import { processGenerator } from '../../../workloads/workload.js';

describe('workloads: lock', () => {
  it('each process acquires, reads, waits, writes and releases; a failed acquire is tried again; a refusal goes on to the release', () => {
    const g = processGenerator(lock.generator(1));
    const step = (p: number, outcome: 'ok' | 'fail' | 'info'): ClientOp & { delayMs?: number } => {
      const { op, delayMs } = g.next(p);
      g.update?.(p, op, { type: outcome });
      return { ...op, ...(delayMs !== undefined && { delayMs }) };
    };
    assert.deepEqual(step(0, 'fail'), { f: 'acquire', key: 0, value: null });
    assert.equal(step(0, 'ok').f, 'acquire');
    assert.deepEqual(g.critical?.(), [0], 'a holder about to read is in its critical section');
    assert.equal(step(0, 'ok').f, 'read');
    assert.deepEqual(g.critical?.(), [0]);
    assert.deepEqual(step(0, 'ok'), { f: 'write', key: 0, value: null, delayMs: HOLD_MS });
    assert.deepEqual(g.critical?.(), []);
    assert.equal(step(0, 'ok').f, 'release');
    assert.equal(step(0, 'ok').f, 'acquire');
    // A fenced read refused: no write, straight to the release.
    assert.equal(step(1, 'ok').f, 'acquire');
    assert.equal(step(1, 'fail').f, 'read');
    assert.equal(step(1, 'ok').f, 'release');
    // An info retires the process; its successor starts by acquiring.
    assert.equal(step(2, 'ok').f, 'acquire');
    assert.equal(step(2, 'info').f, 'read');
    assert.deepEqual(g.critical?.(), [0], 'process 2 retired holding: only process 0, which acquired again, is a holder');
    assert.equal(step(3, 'ok').f, 'acquire');
    assert.deepEqual(lock.finalOps(), [{ f: 'final-read', key: 0, value: null }]);
  });
});
