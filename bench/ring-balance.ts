/**
 * Issue 18's pure pieces, measured: how evenly the sharded store's placements spread keys and how many they move
 * on a membership change, and how often the failure detectors suspect a peer that is only slow, against how fast
 * they notice one that crashed. Everything is simulated (no clock is read but to time owners()); seeded.
 *
 *   node dist/bench/ring-balance.js [seeds]      # seeds for the detector simulation, default 5
 */
import { Rng } from '../harness/rng.js';
import { LATENCY, LOSS } from '../harness/nemesis/effects.js';
import { HEARTBEAT_MS, phiAccrual, scoreDetector, timeoutDetector, type FailureDetector, type Interval } from '../targets/sharded-kv/failure-detector.js';
import { consistentHashing, DEFAULT_VNODES, keysPerMember, moduloPlacement, movement, type Placement } from '../targets/sharded-kv/ring.js';

const SEEDS = Number(process.argv[2] ?? 5);
const KEYS = Array.from({ length: 100_000 }, (_, i) => i);
const members = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const table = (head: string[], rows: (string | number)[][]) => {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`| ${head.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log();
};

// --- Placement: balance and movement --------------------------------------------------------------------------

function balance(p: Placement, ms: string[]): { maxOverMean: number; sdOverMean: number } {
  const counts = [...keysPerMember(p, ms, KEYS, 1).values()];
  const mean = KEYS.length / ms.length;
  const sd = Math.sqrt(counts.reduce((a, c) => a + (c - mean) ** 2, 0) / counts.length);
  return { maxOverMean: Math.max(...counts) / mean, sdOverMean: sd / mean };
}

console.log(`## Placement over ${KEYS.length.toLocaleString('en')} integer keys (replication 1 for balance; moved primaries, and owner sets at replication 3)\n`);
const rows: (string | number)[][] = [];
for (const n of [5, 10]) {
  const ms = members(n);
  const joined = [...ms, `n${n + 1}`];
  const left = ms.slice(0, -1); // the last member leaves
  for (const p of [1, 16, 128, 256].map(consistentHashing).concat([moduloPlacement])) {
    const b = balance(p, ms);
    const join = movement(p, ms, joined, KEYS, 1);
    const leave = movement(p, ms, left, KEYS, 1);
    const join3 = movement(p, ms, joined, KEYS, 3);
    const leave3 = movement(p, ms, left, KEYS, 3);
    rows.push([
      n,
      p.name,
      b.maxOverMean.toFixed(3),
      b.sdOverMean.toFixed(3),
      `${pct(join.primaryMoved / KEYS.length)} (ideal ${pct(1 / (n + 1))})`,
      `${pct(leave.primaryMoved / KEYS.length)} (ideal ${pct(1 / n)})`,
      `${pct(join3.ownersChanged / KEYS.length)} (ideal ${pct(3 / (n + 1))})`,
      `${pct(leave3.ownersChanged / KEYS.length)} (ideal ${pct(3 / n)})`,
    ]);
  }
}
table(['members', 'placement', 'max/mean', 'stddev/mean', 'join: primaries moved', 'leave: primaries moved', 'join: owner sets changed (r=3)', 'leave: owner sets changed (r=3)'], rows);

{
  // owners() runs for every operation of the target: its cost on a cached ring.
  const p = consistentHashing(DEFAULT_VNODES);
  const ms = members(5);
  p.owners(ms, 0, 3);
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (const k of KEYS) sink += p.owners(ms, k, 3).length;
  const ns = Number(process.hrtime.bigint() - t0) / KEYS.length;
  console.log(`owners(5 members, ${DEFAULT_VNODES} vnodes, r=3): ${(ns / 1000).toFixed(2)} µs a call (${sink === 3 * KEYS.length ? 'ok' : 'WRONG'})\n`);
}

// --- Failure detection: false suspicions under a latency fault, delay to detect a crash ----------------------

const MINUTE = 60_000;
/** The latency nemesis's rhythm here: 2.5 s of extra delay out of every 5 s. */
const PERIOD = 5000;
const SLOW = 2500;
const slowAt = (t: number) => t % PERIOD >= PERIOD - SLOW;

interface DetectorCase {
  name: string;
  make: () => FailureDetector;
}
const detectors: DetectorCase[] = [
  ...[4, 8, 12].map((threshold) => ({ name: `phi > ${threshold}`, make: () => phiAccrual({ threshold }) })),
  ...[150, 300].map((ms) => ({ name: `time-out ${ms} ms`, make: () => timeoutDetector(ms) })),
];

type Fault = 'none' | 'latency' | 'loss';

/**
 * Arrival times of heartbeats sent every HEARTBEAT_MS from 0 until `crashAt` (exclusive) over `durationMs`: a
 * one-way delay uniform in 1–5 ms, plus during the fault (as netem does it, to a packet as it leaves) uniform
 * LATENCY.min–max ms more for `latency`, or a drop with probability LOSS for `loss`.
 */
function arrivals(rng: Rng, durationMs: number, fault: Fault, crashAt = Infinity): number[] {
  const out: number[] = [];
  for (let t = 0; t < Math.min(durationMs, crashAt); t += HEARTBEAT_MS) {
    let delay = 1 + 4 * rng.next();
    if (fault === 'latency' && slowAt(t)) delay += LATENCY.min + (LATENCY.max - LATENCY.min) * rng.next();
    if (fault === 'loss' && slowAt(t) && rng.chance(LOSS)) continue;
    out.push(t + delay);
  }
  return out.sort((a, b) => a - b);
}

/** The observer checks its detector every ms; a run of suspected ms is one suspicion interval. */
function suspicions(d: FailureDetector, heard: number[], durationMs: number): Interval[] {
  const out: Interval[] = [];
  let next = 0;
  let open: Interval | null = null;
  for (let now = 0; now <= durationMs; now++) {
    while (next < heard.length && heard[next] <= now) d.heartbeat('peer', heard[next++]);
    if (d.suspected('peer', now)) {
      if (open === null) out.push((open = { start: now, end: now }));
      else open.end = now;
    } else open = null;
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const range = (xs: number[], digits = 0) => `${mean(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

console.log(`## Failure detectors: heartbeats every ${HEARTBEAT_MS} ms, delay 1–5 ms, +${LATENCY.min}–${LATENCY.max} ms for ${SLOW / 1000} s of every ${PERIOD / 1000} s; ${SEEDS} seeds\n`);
{
  const rows: (string | number)[][] = [];
  for (const c of detectors) {
    const cells = (['none', 'latency', 'loss'] as const).map((fault) => {
      const perMinute: number[] = [];
      for (let seed = 1; seed <= SEEDS; seed++) perMinute.push(suspicions(c.make(), arrivals(new Rng(seed), MINUTE, fault), MINUTE).length);
      return range(perMinute, 1);
    });
    rows.push([c.name, ...cells]);
  }
  console.log('False suspicions per minute (the peer never fails), mean (min–max) over seeds:\n');
  table(['detector', 'no fault', 'latency fault', `loss fault (${LOSS * 100} % dropped)`], rows);
}
{
  // A crash at a known time, after 30 s of history: 1 s into a quiet phase (31 s) and 1 s into a slow one (33.5 s),
  // at 4 phases of the heartbeat interval (0, 25, 50, 75 ms after a send was due; at 0 that send is lost).
  const rows: (string | number)[][] = [];
  const crashes = (base: number) => [0, 25, 50, 75].map((o) => base + o);
  for (const c of detectors) {
    const cells: string[] = [];
    for (const base of [31_000, 33_500]) {
      const delays: number[] = [];
      for (let seed = 1; seed <= SEEDS; seed++)
        for (const crashAt of crashes(base)) {
          const duration = crashAt + 5000;
          const s = suspicions(c.make(), arrivals(new Rng(seed), duration, 'latency', crashAt), duration);
          const score = scoreDetector(s, [{ start: crashAt, end: Infinity }]);
          if (score.meanDetectionDelayMs !== null) delays.push(score.meanDetectionDelayMs);
        }
      const runs = SEEDS * 4;
      cells.push(`${range(delays)} ms${delays.length < runs ? `, ${runs - delays.length} missed` : ''}`);
    }
    rows.push([c.name, ...cells]);
  }
  console.log(`Detection delay of a crash (crash → first suspicion, latency fault on), mean (min–max) over ${SEEDS} seeds × 4 phases:\n`);
  table(['detector', 'crash in a quiet phase', 'crash in a slow phase'], rows);
}
