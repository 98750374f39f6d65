import assert from 'node:assert/strict';
import { isInputError } from '../../checkers/errors.js';
import { checkLock, explainLock, presentLock } from '../../checkers/lock/index.js';
import { PRESENT_LIMITS } from '../../checkers/presentation.js';
import { ops } from '../support/dsl.js';

const acq = (p: number, token: number | null, extra = '') => `${p} invoke acquire nil @0\n${p} ok acquire {"token":${token},"lease":"l${p}"${extra}} @0`;
const rd = (p: number, v: number, token: number | null, fenced = true) => `${p} invoke read nil @0\n${p} ok read {"value":${v},"token":${token},"fenced":${fenced}} @0`;
const wr = (p: number, v: number, token: number | null, fenced = true) => `${p} invoke write nil @0\n${p} ok write {"value":${v},"token":${token},"fenced":${fenced}} @0`;
const rel = (p: number, type = 'ok') => `${p} invoke release nil @0\n${p} ${type} release nil @0`;
const fin = (v: number) => `9 invoke final-read nil @0\n9 ok final-read ${v} @0`;

describe('checkers: lock', () => {
  it('serial critical sections keep the resource safe and mutual exclusion', async () => {
    const h = ops([acq(0, 1), rd(0, 0, 1), wr(0, 1, 1), rel(0), acq(1, 2), rd(1, 1, 2), wr(1, 2, 2), rel(1), fin(2)].join('\n'));
    const r = await checkLock(h);
    assert.equal(r.valid, true);
    assert.equal(r.mutualExclusion, true);
    assert.equal(r.fencing, 'all');
    assert.deepEqual(r.overlaps, []);
    assert.equal(r.keys[0].final, 2);
    assert.equal(r.keys[0].mutex, true);
  });

  it('a lease that ran out under a paused holder: two holders, and fencing refused the stale one (safe, mutual exclusion violated)', async () => {
    const h = ops(
      [
        acq(0, 7),
        rd(0, 4, 7),
        // process 0 pauses; its lease expires; process 1 acquires with a higher token and does its read-modify-write.
        acq(1, 8),
        rd(1, 4, 8),
        wr(1, 5, 8),
        '0 invoke write nil @0',
        '0 fail write {"value":5,"token":7,"fenced":true} @0',
        rel(1),
        rel(0, 'fail'),
        fin(5),
      ].join('\n'),
    );
    h[11].error = 'fenced: token 7 < 8, the highest the resource has seen';
    const r = await checkLock(h);
    assert.equal(r.valid, true);
    assert.equal(r.mutualExclusion, false);
    assert.equal(r.overlaps.length, 1);
    const o = r.overlaps[0];
    assert.deepEqual([o.first.process, o.first.token, o.second.process, o.second.token], [0, 7, 1, 8]);
    assert.equal(o.first.end, 'lost');
    assert.equal(r.keys[0].mutex, false);
    assert.equal(r.keys[0].refused, 1);
    const prose = explainLock(r);
    assert.match(prose, /Mutual exclusion was violated, and fencing kept the resource safe/);
    assert.match(prose, /process 0 \(token 7/);
    assert.match(prose, /process 1 \(token 8/);
    const p = presentLock(r, h, PRESENT_LIMITS);
    assert.ok(p.findings.some((f) => /mutual exclusion violated \(fencing kept the resource safe\)/.test(f)));
  });

  it('a holder whose release failed goes on acquiring: the mutex model gets it under a fresh process, not an input error', async () => {
    // Process 0's lease ran out (its release fails, info to the model); it then takes the lock again, serially.
    const h = ops([acq(0, 1), rd(0, 0, 1), acq(1, 2), rd(1, 0, 2), wr(1, 1, 2), rel(1), rel(0, 'fail'), acq(0, 3), rd(0, 1, 3), wr(0, 2, 3), rel(0), fin(2)].join('\n'));
    const r = await checkLock(h);
    assert.equal(r.valid, true);
    assert.equal(r.mutualExclusion, false);
    assert.equal(r.overlaps.length, 1);
    assert.equal(r.keys[0].acquired, 3);
  });

  it('without fencing the same interleaving loses an increment: both writes of 5 are named', async () => {
    const h = ops([acq(0, 7), rd(0, 4, 7, false), acq(1, 8), rd(1, 4, 8, false), wr(1, 5, 8, false), wr(0, 5, 7, false), rel(1), rel(0), fin(5)].join('\n'));
    const r = await checkLock(h);
    assert.equal(r.valid, false);
    assert.equal(r.fencing, 'none');
    assert.equal(r.lostUpdates.length, 1);
    assert.deepEqual(r.lostUpdates[0].writes.map((w) => [w.process, w.token]), [[1, 8], [0, 7]]);
    assert.match(explainLock(r), /lost acknowledged increments/);
  });

  it('a fenced resource that takes a lower token after a higher one is unsafe, even with no increment lost', async () => {
    const h = ops([acq(1, 8), rd(1, 0, 8), wr(1, 1, 8), rel(1), acq(0, 7), rd(0, 1, 7), wr(0, 2, 7), rel(0), fin(2)].join('\n'));
    const r = await checkLock(h);
    assert.equal(r.valid, false);
    assert.equal(r.fencingViolations.length, 2);
    assert.deepEqual([r.fencingViolations[0].accepted.token, r.fencingViolations[0].after.token], [7, 8]);
  });

  it('an acknowledged write above the final value was overwritten by a stale one', async () => {
    const h = ops([acq(0, null), rd(0, 2, null, false), wr(0, 3, null, false), rel(0), fin(1)].join('\n'));
    const r = await checkLock(h);
    assert.equal(r.valid, false);
    assert.equal(r.overwritten.length, 1);
    assert.equal(r.overwritten[0].final, 1);
  });

  it('says how two holders came to be: different servers (a failover), or different keys (per-second keys)', async () => {
    const failover = ops([acq(0, 1, ',"nodes":["n1"]'), acq(1, 2, ',"nodes":["n2"]'), rel(1), rel(0, 'fail'), fin(0)].join('\n'));
    const r1 = await checkLock(failover);
    assert.match(explainLock(r1), /different servers granted it \(n1 and then n2\)/i);
    const perSecond = ops([acq(0, null, ',"redisKey":"lock:0:100"'), acq(1, null, ',"redisKey":"lock:0:101"'), rel(1), rel(0), fin(0)].join('\n'));
    assert.match(explainLock(await checkLock(perSecond)), /they locked different keys \(lock:0:100, lock:0:101\)/i);
  });

  it('a holder that crashed stops holding; a release that found its lock gone, before anyone else acquired, overlaps nothing', async () => {
    const crashed = ops([acq(0, 1), rd(0, 0, 1), '0 invoke write nil @0', '0 info write nil @0', acq(1, 2), rd(1, 0, 2), wr(1, 1, 2), rel(1), fin(1)].join('\n'));
    const r = await checkLock(crashed);
    assert.equal(r.mutualExclusion, true);
    assert.equal(r.valid, true);
    const expired = ops([acq(0, 1), rel(0, 'fail'), acq(1, 2), rel(1), fin(0)].join('\n'));
    const r2 = await checkLock(expired);
    assert.equal(r2.mutualExclusion, true);
    assert.equal(r2.keys[0].mutex, true);
  });

  it('a hold left open when the workload stopped ends at its process\'s last act, not at the end of the history', async () => {
    // Process 0 read under its lock and was given nothing more; process 1 acquired later (0's lease ran out unseen).
    const idle = await checkLock(ops([acq(0, 1), rd(0, 0, 1), acq(1, 2), fin(0)].join('\n')));
    assert.deepEqual(idle.overlaps, [], 'no act of process 0 falls in process 1\'s hold');
    assert.equal(idle.mutualExclusion, true);
    assert.equal(idle.keys[0].mutex, true);
    // Process 0 read after process 1 had acquired: both acted as holders at once.
    const acted = await checkLock(ops([acq(0, 1), acq(1, 2), rd(0, 0, 1), fin(0)].join('\n')));
    assert.equal(acted.overlaps.length, 1);
    assert.equal(acted.overlaps[0].first.end, 'open');
    assert.equal(acted.mutualExclusion, false);
    // A write of process 0 still in flight at the end may yet act: its hold lasts to the end.
    const pending = await checkLock(ops([acq(0, 1), rd(0, 0, 1), '0 invoke write nil @0', acq(1, 2), fin(0)].join('\n')));
    assert.equal(pending.overlaps.length, 1);
    assert.equal(pending.mutualExclusion, false);
  });

  it('without a final read, lost increments cannot be ruled out: unknown', async () => {
    const r = await checkLock(ops([acq(0, 1), rd(0, 0, 1), wr(0, 1, 1), rel(0)].join('\n')));
    assert.equal(r.valid, 'unknown');
    assert.match(r.unknownReason ?? '', /no final read/);
  });

  it('refuses what it does not understand, naming the line', async () => {
    await assert.rejects(checkLock(ops('0 invoke cas [1,2] @0\n0 ok cas [1,2] @0')), (e: unknown) => isInputError(e) && /:1: .*not 'cas'/.test((e as Error).message));
    await assert.rejects(checkLock(ops('0 invoke acquire nil @0\n0 ok acquire "yes" @0')), (e: unknown) => isInputError(e) && /:2: .*acquire's ok value/.test((e as Error).message));
    await assert.rejects(checkLock(ops('0 invoke read nil @0\n0 ok read {"value":"1","token":1,"fenced":true} @0')), (e: unknown) => isInputError(e) && /read's ok value/.test((e as Error).message));
  });
});
