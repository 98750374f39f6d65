/**
 * The data behind one run's HTML report: everything the page shows, computed from the history and the checker's
 * presentation of its result (whichever checker judged the run), small enough to embed in the page whatever the
 * run's length. This is the contract between the builder
 * (reports/build.ts, in Node) and the page's script (reports/client/, in the browser): plain JSON, no functions.
 *
 * Times are milliseconds since the run's first op. Values from the history are carried as data and only ever
 * rendered as text (never as markup): a history may hold anything.
 */

import type { CompletionType } from '../checkers/history/op.js';
import type { Presentation, Verdict } from '../checkers/presentation.js';
import type { Figure, Observations } from '../harness/observations.js';

export type { Verdict } from '../checkers/presentation.js';
export type { Figure, Observations };

/** How a call ended, as its bar on the timeline is drawn: `pending` never completed. */
export type Outcome = CompletionType | 'pending';

/** One client op as a bar on the timeline: its invocation and completion, paired. */
export interface ReportOp {
  /** The invocation's index in the history (an op's identity across the report). */
  i: number;
  /** Index into ReportData.processes: the op's lane. */
  p: number;
  /** Invoked at (ms). */
  s: number;
  /** Completed at (ms); a pending op (never completed) ends at the end of the run. */
  e: number;
  t: Outcome;
  f: string;
  /** The key, as text, when the op has one. */
  k?: string;
  /** The invocation's value, as JSON text (shortened past 200 characters). */
  v: string;
  /** The completion's value, as JSON text, when it differs from the invocation's (a read's result). */
  r?: string;
  /** The completion's error, as text. */
  err?: string;
}

/** A fault in force from `start` to `stop` (ms), shaded across every lane. */
export interface ReportFault {
  fault: string;
  start: number;
  stop: number;
  /** What was done (nodes, grudge, parameters), as JSON text. */
  value: string;
}

/** A sample: what is shown of how many there were. */
export interface Sampled {
  shown: number;
  total: number;
}

export interface ReportData {
  version: 1;
  title: string;
  verdict: Verdict;
  /** Why the verdict is unknown. */
  unknownReason?: string;
  /** The test definition (Jepsen's test map), when the run was faultline's. */
  test?: Record<string, unknown>;
  seed?: number;
  replay?: string;
  counts: { invoke: number; ok: number; fail: number; info: number; pending: number };
  /** Ok fraction of the ops invoked outside faults and during them. */
  availability?: { quiet: { ops: number; ok: number; fraction: number | null }; faulty: { ops: number; ok: number; fraction: number | null } };
  /** The run's length (ms): the last op's time. */
  durationMs: number;
  /** The lanes, in order: client processes then others. */
  processes: (number | string)[];
  /** The timeline's ops: all of them, or a sample that keeps every op the checker's presentation names. */
  ops: ReportOp[];
  opsSampled: Sampled;
  nemesis: ReportFault[];
  latency: {
    /** [completed at (ms), latency (ms), index into fs, index into types] for a sample of the completed ops. */
    points: [number, number, number, number][];
    pointsSampled: Sampled;
    fs: string[];
    types: Outcome[];
    /** Latency quantiles of every completed op, per time bucket (bucket start, ms). */
    quantiles: { t: number; p50: number; p95: number; p99: number; n: number }[];
  };
  throughput: {
    bucketMs: number;
    /** Completions per bucket, by f and type, over every op. */
    series: { f: string; t: Outcome; counts: number[] }[];
  };
  /**
   * The checker that judged the run, and its verdict as the checker itself presents it: the page draws the
   * presentation's parts (checkers/presentation.ts) without knowing which checker it was.
   */
  checker: { name: string; valid: Verdict; ops: number; ms: number; presentation: Presentation };
  /**
   * What the target saw (results.json's `observations`, checked): notes and figures the page draws beside the
   * verdict, the same way whichever target gave them. Absent when the target observed nothing.
   */
  observations?: Observations;
  /** Why stored observations could not be shown (they did not check): the section says so instead of failing the page. */
  observationsError?: string;
}
