/**
 * Failure detectors over heartbeats: Hayashibara et al.'s phi accrual detector ("The φ Accrual Failure Detector",
 * SRDS 2004) as Akka and Cassandra implement it, and the naive fixed time-out it improves on. Pure: every time is a
 * value passed in (ms on the observer's clock); nothing here reads a clock.
 */

/** How often a sharded-kv node sends a heartbeat to each peer, in ms. */
export const HEARTBEAT_MS = 100;

/** A failure detector over heartbeats from peers (times in ms on the observer's clock). */
export interface FailureDetector {
  heartbeat(peer: string, now: number): void;
  /** The suspicion level now: phi for the accrual detector, elapsed/timeout for the timeout detector. */
  suspicion(peer: string, now: number): number;
  suspected(peer: string, now: number): boolean;
  /** Forget a peer's history (after it rejoined, say). */
  reset(peer: string): void;
}

export interface PhiOptions {
  /** Suspect when phi exceeds this: phi = 8 means a 10^-8 chance that a heartbeat this late is merely late. */
  threshold: number;
  /** Inter-arrival times kept (a sliding window). */
  windowSize: number;
  /** Floor of the standard deviation, so a perfectly regular rhythm does not make every small delay fatal. */
  minStdDevMs: number;
  /** Added to the mean: a pause (GC, say) that should not raise suspicion at all. */
  acceptablePauseMs: number;
  /** The interval assumed before any was measured (the history is seeded with it, as Akka does). */
  firstIntervalMs: number;
}

/**
 * Akka's defaults (threshold 8, 1000 samples, min-std-deviation 100 ms, acceptable pause 3 s, first estimate 1 s)
 * are for heartbeats every second across a data centre, with JVM pauses. Scaled to heartbeats every 100 ms between
 * processes on one host or in containers:
 * - threshold 8: Akka's and Cassandra's default.
 * - windowSize 100: 10 s of history, long enough to learn the rhythm, short enough to follow a fault that changes it.
 * - minStdDevMs 25 (a quarter of the interval, as Akka's 100 ms is of 1 s): with a regular rhythm phi crosses 8 at
 *   about mean + 5.2 × 25 ≈ 230 ms of silence, i.e. after two missed heartbeats, not one.
 * - acceptablePauseMs 0: there is no stop-the-world pause to forgive; the pause nemesis is a fault to detect.
 * - firstIntervalMs 100: the heartbeat interval itself.
 */
export const DEFAULT_PHI: PhiOptions = Object.freeze({
  threshold: 8,
  windowSize: 100,
  minStdDevMs: 25,
  acceptablePauseMs: 0,
  firstIntervalMs: HEARTBEAT_MS,
});

/** A sliding window of inter-arrival times with running sums (Akka's HeartbeatHistory). */
class Window {
  private readonly xs: Float64Array;
  private start = 0;
  private count = 0;
  private sum = 0;
  private squares = 0;

  constructor(size: number) {
    this.xs = new Float64Array(size);
  }

  add(x: number): void {
    if (this.count === this.xs.length) {
      const old = this.xs[this.start];
      this.sum -= old;
      this.squares -= old * old;
      this.xs[this.start] = x;
      this.start = (this.start + 1) % this.xs.length;
    } else {
      this.xs[(this.start + this.count) % this.xs.length] = x;
      this.count++;
    }
    this.sum += x;
    this.squares += x * x;
  }

  mean(): number {
    return this.sum / this.count;
  }

  /** Population standard deviation; the running sums can leave a tiny negative variance, read as 0. */
  stdDev(): number {
    const m = this.mean();
    return Math.sqrt(Math.max(0, this.squares / this.count - m * m));
  }
}

interface PhiState {
  last: number;
  window: Window;
}

/** |y| beyond this changes nothing that matters (phi is already ≈ 0 or in the thousands) and keeps y³ finite. */
const Y_LIMIT = 1e4;
/** A standard deviation is never taken below this, so (elapsed − mean)/σ is never a division by zero. */
const SIGMA_FLOOR = 1e-6;

/**
 * phi for `elapsed` ms of silence under a normal distribution of inter-arrival times N(mean, σ), with the logistic
 * approximation of the normal CDF that Akka uses, F(y) ≈ 1/(1 + e^(−y(1.5976 + 0.070566 y²))) (Bowling et al.
 * 2009, error < 1.4e-4). Then 1 − F = 1/(1 + e^a) with a = y(1.5976 + 0.070566 y²), and
 * phi = −log10(1 − F) = log10(1 + e^a), computed as a softplus so it is finite for every y (Akka's two-branch form
 * gives Infinity once e^−a underflows, about 20 σ late). Strictly increasing in elapsed (a is, in y) until the clamp.
 */
export function phi(elapsed: number, mean: number, stdDev: number): number {
  const sigma = Math.max(stdDev, SIGMA_FLOOR);
  const y = Math.min(Y_LIMIT, Math.max(-Y_LIMIT, (elapsed - mean) / sigma));
  if (Number.isNaN(y)) return 0;
  const a = y * (1.5976 + 0.070566 * y * y);
  const softplus = a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a));
  return softplus / Math.LN10;
}

/**
 * Hayashibara et al.'s phi accrual failure detector as Akka (PhiAccrualFailureDetector) and Cassandra implement it:
 * a sliding window of inter-arrival times; phi = −log10(1 − CDF(elapsed)) under a normal distribution with mean
 * (window mean + acceptablePause) and max(window σ, minStdDev). As in Akka, the window starts with two intervals
 * firstInterval ± firstInterval/4, and the first heartbeat after the peer was suspected is not added to it (that
 * long gap is the failure, not the rhythm). A peer never heard from has phi 0 and is not suspected. A heartbeat
 * older than the last one (a clock step back) is ignored.
 */
export function phiAccrual(options: Partial<PhiOptions> = {}): FailureDetector {
  const o: PhiOptions = { ...DEFAULT_PHI, ...options };
  if (!(o.windowSize >= 1) || !Number.isInteger(o.windowSize)) throw new RangeError(`phiAccrual: windowSize must be a positive integer, got ${o.windowSize}`);
  const peers = new Map<string, PhiState>();
  const level = (s: PhiState, now: number) =>
    phi(Math.max(0, now - s.last), s.window.mean() + o.acceptablePauseMs, Math.max(s.window.stdDev(), o.minStdDevMs));
  return {
    heartbeat(peer, now) {
      const s = peers.get(peer);
      if (s === undefined) {
        const window = new Window(o.windowSize);
        const spread = o.firstIntervalMs / 4;
        window.add(o.firstIntervalMs - spread);
        window.add(o.firstIntervalMs + spread);
        peers.set(peer, { last: now, window });
        return;
      }
      if (now < s.last) return;
      if (level(s, now) <= o.threshold) s.window.add(now - s.last);
      s.last = now;
    },
    suspicion(peer, now) {
      const s = peers.get(peer);
      return s === undefined ? 0 : level(s, now);
    },
    suspected(peer, now) {
      const s = peers.get(peer);
      return s !== undefined && level(s, now) > o.threshold;
    },
    reset(peer) {
      peers.delete(peer);
    },
  };
}

/**
 * Suspects a peer not heard from for longer than timeoutMs (the naive detector: one fixed bound on silence, blind
 * to how regular the peer's rhythm is). Suspicion is elapsed/timeout; suspected when it exceeds 1. A peer never
 * heard from is not suspected.
 */
export function timeoutDetector(timeoutMs: number): FailureDetector {
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutDetector: timeoutMs must be positive, got ${timeoutMs}`);
  const last = new Map<string, number>();
  const level = (peer: string, now: number) => {
    const t = last.get(peer);
    return t === undefined ? 0 : Math.max(0, now - t) / timeoutMs;
  };
  return {
    heartbeat(peer, now) {
      const t = last.get(peer);
      if (t === undefined || now > t) last.set(peer, now);
    },
    suspicion: level,
    suspected: (peer, now) => level(peer, now) > 1,
    reset(peer) {
      last.delete(peer);
    },
  };
}

/** A closed interval of time in ms; `end` may be Infinity (a crash never undone). */
export interface Interval {
  start: number;
  end: number;
}

export interface DetectorScore {
  /** Suspicion intervals the detector produced. */
  suspicions: number;
  /** Those overlapping no fault interval: the peer was suspected while nothing was wrong with it. */
  falseSuspicions: number;
  faults: number;
  /** Faults during which the peer was suspected at some moment. */
  detected: number;
  /** Mean over detected faults of (first moment suspected within the fault − fault start); null if none detected. */
  meanDetectionDelayMs: number | null;
}

const overlaps = (a: Interval, b: Interval) => a.start <= b.end && b.start <= a.end;

/**
 * Scores a detector's suspicions of one peer against the faults that made it unreachable, slow or dead. A
 * suspicion already under way when a fault starts detects it with delay 0 (the peer was suspected throughout).
 */
export function scoreDetector(suspicions: readonly Interval[], faults: readonly Interval[]): DetectorScore {
  const falseSuspicions = suspicions.filter((s) => !faults.some((f) => overlaps(s, f))).length;
  let detected = 0;
  let delays = 0;
  for (const f of faults) {
    let first = Infinity;
    for (const s of suspicions) if (overlaps(s, f)) first = Math.min(first, Math.max(s.start, f.start));
    if (first !== Infinity) {
      detected++;
      delays += first - f.start;
    }
  }
  return { suspicions: suspicions.length, falseSuspicions, faults: faults.length, detected, meanDetectionDelayMs: detected === 0 ? null : delays / detected };
}
