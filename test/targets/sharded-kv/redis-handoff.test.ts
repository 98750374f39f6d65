import assert from 'node:assert/strict';
import type { RingConfig } from '../../../targets/sharded-kv/configuration.js';
import { planMoves, type Held } from '../../../targets/sharded-kv/redis-handoff.js';
import { historyKey, redisKey, refusalOf } from '../../../targets/sharded-kv/redis-scripts.js';
import { consistentHashing, moduloPlacement, type Placement } from '../../../targets/sharded-kv/ring.js';

const ring = consistentHashing(128);
const FOUR = ['n1', 'n2', 'n3', 'n4'];
const owner = (p: Placement, members: readonly string[], key: unknown) => p.owners(members, key, 1)[0];
/** Keys 0…199 as each old member holds them under `p` (version = the key, value its JSON text). */
function holdings(p: Placement, members: readonly string[], keys = 200): Map<string, Map<string, Held>> {
  const out = new Map(members.map((m) => [m, new Map<string, Held>()]));
  for (let k = 0; k < keys; k++) out.get(owner(p, members, k))!.set(redisKey(k), { value: JSON.stringify(k), version: k });
  return out;
}

describe('sharded-kv over Redis: keys, refusals and the hand-off plan', () => {
  it('a Redis key gives back the history key it was made from', () => {
    for (const k of [0, 17, 'k3', 'a b', { x: 1 }]) assert.deepEqual(historyKey(redisKey(k)), k);
    assert.equal(redisKey('k3'), 'faultline:k:"k3"');
  });

  it("reads a shard's refusal from its error reply, and nothing else as one", () => {
    assert.deepEqual(refusalOf('EPOCH 7'), { kind: 'epoch', epoch: 7 });
    assert.deepEqual(refusalOf('n2: BEHIND 3'), { kind: 'behind', epoch: 3 });
    assert.equal(refusalOf('LOADING Redis is loading the dataset in memory'), undefined);
  });

  it('a join moves exactly the keys whose owner changed, each to its new owner, at the version its old owner had', () => {
    const c: RingConfig = { epoch: 2, members: [...FOUR, 'n5'], from: FOUR };
    const moves = planMoves(c, holdings(ring, FOUR), ring, ring, true);
    const expected = [...Array(200).keys()].filter((k) => owner(ring, FOUR, k) !== owner(ring, c.members, k));
    assert.ok(expected.length > 10, 'the joiner takes some keys');
    assert.deepEqual(moves.map((m) => historyKey(m.key)).sort((a, b) => Number(a) - Number(b)), expected);
    for (const m of moves) {
      assert.equal(m.owner, 'n5');
      assert.deepEqual(m.held, { value: JSON.stringify(historyKey(m.key)), version: historyKey(m.key) });
    }
  });

  it("ignores a member's leftover copy of a key it did not own, whatever its version", () => {
    const c: RingConfig = { epoch: 3, members: ['n1', 'n2', 'n3'], from: FOUR };
    const answers = holdings(ring, FOUR);
    const moved = [...Array(200).keys()].find((k) => owner(ring, FOUR, k) === 'n4')!;
    // n1 holds a stale copy of a key n4 owns, at a higher version than n4's.
    answers.get('n1')!.set(redisKey(moved), { value: '"stale"', version: 10_000 });
    const move = planMoves(c, answers, ring, ring, true).find((m) => m.key === redisKey(moved));
    assert.deepEqual(move?.held, { value: JSON.stringify(moved), version: moved });
  });

  it('the no-handoff bug sends joiners nothing; a leave still moves the leaver’s keys', () => {
    const join: RingConfig = { epoch: 2, members: [...FOUR, 'n5'], from: FOUR };
    assert.deepEqual(planMoves(join, holdings(ring, FOUR), ring, ring, false), []);
    const leave: RingConfig = { epoch: 2, members: ['n1', 'n2', 'n3'], from: FOUR };
    assert.ok(planMoves(leave, holdings(ring, FOUR), ring, ring, false).length > 0);
  });

  it('the seed-ring bug: keys placed by modulo, moved by the ring, so most keys a join moves are left where they were', () => {
    const c: RingConfig = { epoch: 2, members: [...FOUR, 'n5'], from: FOUR };
    const moves = planMoves(c, holdings(moduloPlacement, FOUR), ring, moduloPlacement, true);
    const movedByModulo = [...Array(200).keys()].filter((k) => owner(moduloPlacement, FOUR, k) !== owner(moduloPlacement, c.members, k)).length;
    assert.ok(moves.length < movedByModulo / 2, `${moves.length} moved of ${movedByModulo}`);
  });
});
