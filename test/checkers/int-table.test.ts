import assert from 'node:assert/strict';
import { IntTable } from '../../checkers/int-table.js';

/** Every entry, as forEach gives them. */
const entries = (t: IntTable) => {
  const out: [number, number][] = [];
  t.forEach((v, k) => out.push([k, v]));
  return out;
};

describe('IntTable (integer → int32: a typed array for small keys, a Map past them)', () => {
  it('gives `absent` for a key never set, and what was set otherwise, wherever the key is kept', () => {
    const t = new IntTable(-1, 4);
    const keys = [0, 3, 4, 1_000_000, -1, 2 ** 31, 2 ** 40, 1.5, -0.5];
    for (const k of keys) assert.equal(t.get(k), -1, `key ${k}`);
    keys.forEach((k, v) => t.set(k, v));
    keys.forEach((k, v) => assert.equal(t.get(k), v, `key ${k}`));
    // 1.5 is not key 1, nor 2^32 key 0 (`| 0` would wrap it).
    assert.equal(t.get(1), -1);
    assert.equal(t.get(2 ** 32), -1);
  });

  it('grows its typed array up to `limit`, and keeps what it held', () => {
    const t = new IntTable(-2, 2, 100);
    t.set(1, 7);
    t.set(50, 8);
    t.set(99, 9);
    t.set(100, 10);
    assert.deepEqual([t.get(1), t.get(50), t.get(99), t.get(100), t.get(0), t.get(51)], [7, 8, 9, 10, -2, -2]);
  });

  it('forEach: the entries not absent, typed array first in key order, then the Map in the order set', () => {
    const t = new IntTable(-1, 8);
    t.set(-5, 1);
    t.set(6, 2);
    t.set(1000, 3);
    t.set(2, 4);
    t.set(2, -1); // back to absent: not listed
    t.set(1, 5);
    t.set(-5, -1); // a Map key set to absent is deleted
    assert.deepEqual(entries(t), [[1, 5], [6, 2], [1000, 3]]);
    assert.deepEqual(entries(new IntTable(0, 0)), []);
  });
});
