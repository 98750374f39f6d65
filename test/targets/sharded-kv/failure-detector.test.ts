import assert from 'node:assert/strict';
import { DEFAULT_PHI, HEARTBEAT_MS, phi, phiAccrual, scoreDetector, timeoutDetector, type FailureDetector } from '../../../targets/sharded-kv/failure-detector.js';

/** Heartbeats from `peer` at `start`, `start + interval`, … up to `end` inclusive. */
function rhythm(d: FailureDetector, peer: string, start: number, end: number, interval = HEARTBEAT_MS): void {
  for (let t = start; t <= end; t += interval) d.heartbeat(peer, t);
}

/** The first elapsed ms (1 ms steps) at which the peer is suspected, after its heartbeat at `last`. */
function crossing(d: FailureDetector, peer: string, last: number, limit = 10_000): number {
  for (let e = 0; e <= limit; e++) if (d.suspected(peer, last + e)) return e;
  return Infinity;
}

describe('sharded-kv failure detectors: phi accrual', () => {
  it('a peer never heard from has phi 0 and is not suspected', () => {
    const d = phiAccrual();
    assert.equal(d.suspicion('p', 1e9), 0);
    assert.equal(d.suspected('p', 1e9), false);
  });

  it('phi rises with silence, monotonically, and stays finite however long the silence', () => {
    const d = phiAccrual();
    rhythm(d, 'p', 0, 2000);
    let prev = -1;
    for (let e = 0; e <= 5000; e++) {
      const s = d.suspicion('p', 2000 + e);
      assert.ok(s >= prev, `phi fell at ${e} ms: ${prev} → ${s}`);
      prev = s;
    }
    assert.ok(d.suspicion('p', 2300) > d.suspicion('p', 2200));
    for (const e of [1e6, 1e12, Number.MAX_VALUE]) {
      const s = d.suspicion('p', 2000 + e);
      assert.ok(Number.isFinite(s) && s > 1000, `phi ${s} at ${e}`);
    }
    // The bare formula too: no NaN or Infinity for a zero deviation or absurd inputs.
    for (const [e, m, sd] of [[500, 100, 0], [0, 100, 0], [100, 100, 0], [Infinity, 100, 25], [-Infinity, 100, 25]])
      assert.ok(Number.isFinite(phi(e, m, sd)), `phi(${e}, ${m}, ${sd})`);
    assert.ok(phi(0, 100, 25) < 1e-4 && phi(100, 100, 25) > 0.3 && phi(100, 100, 25) < 0.31, 'phi at the mean is log10(2)');
  });

  it('at a regular 100 ms rhythm, crosses threshold 8 after two missed heartbeats, not before', () => {
    const d = phiAccrual();
    rhythm(d, 'p', 0, 10_000);
    const e = crossing(d, 'p', 10_000);
    // mean 100 + 5.2 σ (σ floored at 25 ms) ≈ 230 ms.
    assert.ok(e > 2 * HEARTBEAT_MS && e < 3 * HEARTBEAT_MS, `suspected after ${e} ms of silence`);
    assert.equal(d.suspected('p', 10_000 + 2 * HEARTBEAT_MS), false);
    assert.equal(DEFAULT_PHI.threshold, 8);
  });

  it('from the first heartbeat, uses the first-interval estimate (about the same crossing)', () => {
    const d = phiAccrual();
    d.heartbeat('p', 0);
    const e = crossing(d, 'p', 0);
    assert.ok(e > 150 && e < 3 * HEARTBEAT_MS, `suspected after ${e} ms`);
  });

  it('a jittery rhythm makes the accrual detector more patient (the point of accrual)', () => {
    const steady = phiAccrual();
    const jittery = phiAccrual();
    rhythm(steady, 'p', 0, 10_000);
    for (let t = 0, k = 0; t <= 10_000; t += k++ % 2 === 0 ? 40 : 160) jittery.heartbeat('p', t);
    assert.ok(crossing(jittery, 'p', 10_000) > crossing(steady, 'p', 10_000) + 100);
  });

  it('the first heartbeat after a suspicion does not enter the window (the gap was the failure, not the rhythm)', () => {
    const d = phiAccrual();
    rhythm(d, 'p', 0, 5000);
    rhythm(d, 'p', 7000, 7000); // 2 s of silence, suspected long before
    assert.ok(crossing(d, 'p', 7000) < 3 * HEARTBEAT_MS);
    // A threshold it never reaches would have taken the 2 s gap in, and grown patient.
    const lax = phiAccrual({ threshold: 1e9 });
    rhythm(lax, 'p', 0, 5000);
    lax.heartbeat('p', 7000);
    assert.ok(lax.suspicion('p', 7000 + 300) < d.suspicion('p', 7000 + 300));
  });

  it('reset forgets the peer; a heartbeat from the past is ignored; peers are independent', () => {
    const d = phiAccrual();
    rhythm(d, 'p', 0, 1000);
    rhythm(d, 'q', 0, 1000);
    d.heartbeat('p', 500);
    assert.ok(d.suspected('p', 1400));
    d.reset('p');
    assert.equal(d.suspicion('p', 1400), 0);
    assert.equal(d.suspected('p', 1400), false);
    assert.ok(d.suspected('q', 1400));
  });

  it('acceptablePauseMs shifts the crossing by the pause', () => {
    const d = phiAccrual({ acceptablePauseMs: 500 });
    rhythm(d, 'p', 0, 5000);
    const e = crossing(d, 'p', 5000);
    assert.ok(e > 700 && e < 800, `suspected after ${e} ms`);
  });
});

describe('sharded-kv failure detectors: fixed time-out', () => {
  it('suspects after timeoutMs of silence; suspicion is elapsed/timeout', () => {
    const d = timeoutDetector(300);
    assert.equal(d.suspected('p', 1e9), false);
    d.heartbeat('p', 1000);
    d.heartbeat('p', 900); // from the past: ignored
    assert.equal(d.suspicion('p', 1150), 0.5);
    assert.equal(d.suspected('p', 1300), false);
    assert.equal(d.suspected('p', 1301), true);
    assert.equal(d.suspicion('p', 500), 0, 'a time before the last heartbeat is no silence');
    d.reset('p');
    assert.equal(d.suspected('p', 5000), false);
    assert.throws(() => timeoutDetector(0), RangeError);
  });
});

describe('sharded-kv failure detectors: scoring', () => {
  it('no suspicions, no faults', () => {
    assert.deepEqual(scoreDetector([], []), { suspicions: 0, falseSuspicions: 0, faults: 0, detected: 0, meanDetectionDelayMs: null });
  });

  it('a suspicion outside every fault is false; a fault never suspected is undetected', () => {
    assert.deepEqual(scoreDetector([{ start: 100, end: 200 }], [{ start: 500, end: 900 }]), {
      suspicions: 1,
      falseSuspicions: 1,
      faults: 1,
      detected: 0,
      meanDetectionDelayMs: null,
    });
  });

  it('detection delay is from the fault start to the first suspicion in it, averaged over detected faults', () => {
    const s = scoreDetector(
      [
        { start: 1250, end: 1400 },
        { start: 1600, end: 1700 }, // a second suspicion in the same fault: not false, not a second detection
        { start: 3000, end: 3100 }, // false
        { start: 5300, end: Infinity }, // the crash
      ],
      [
        { start: 1000, end: 2000 },
        { start: 4000, end: 4500 }, // missed
        { start: 5000, end: Infinity },
      ],
    );
    assert.deepEqual(s, { suspicions: 4, falseSuspicions: 1, faults: 3, detected: 2, meanDetectionDelayMs: (250 + 300) / 2 });
  });

  it('a suspicion already under way when the fault starts detects it at once', () => {
    const s = scoreDetector([{ start: 900, end: 1100 }], [{ start: 1000, end: 2000 }]);
    assert.equal(s.falseSuspicions, 0);
    assert.equal(s.meanDetectionDelayMs, 0);
  });
});
