/**
 * The data behind one run's HTML report: everything the page shows, computed from the history and the checker's
 * result (whichever checker judged the run), small enough to embed in the page whatever the run's length. This is the contract between the builder
 * (reports/build.ts, in Node) and the page's script (reports/client/, in the browser): plain JSON, no functions.
 *
 * Times are milliseconds since the run's first op. Values from the history are carried as data and only ever
 * rendered as text (never as markup): a history may hold anything.
 */

export type Verdict = true | false | 'unknown';
export type OpType = 'ok' | 'fail' | 'info' | 'pending';

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
  t: OpType;
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

/** One step of a linearization: the op and the model's state after it. */
export interface ReportStep {
  op: number;
  state: string;
}

export interface ReportCandidate {
  /** The linearization's last steps, oldest first. */
  steps: ReportStep[];
  /** Steps before `steps` that were left out. */
  omitted: number;
  /** The state the failing op met, and why the model refused it. */
  state: string;
  reason: string;
}

/**
 * One key that no linearization explains: Porcupine's counterexample view. `ops` are the ops on the key around
 * the failure (every op of the candidates, the concurrent ones, and the ones overlapping the failing op's window),
 * each op id (`i`) usable in `failing`, `previousOk` and the steps.
 */
export interface ReportAnomaly {
  key?: string;
  /** The op that cannot be linearized (its invocation index). */
  failing: number;
  previousOk?: number;
  /** The model's rendering of each op in `ops`, e.g. "cas 3→4", by op id. */
  text: Record<number, string>;
  candidates: ReportCandidate[];
  concurrent: number[];
  ops: ReportOp[];
  /** Elle-style prose: "Let … Then … but …". */
  prose: string;
}

/** An element in the set checker's evidence, and the add that tried to add it. */
export interface ReportSetElement {
  /** The element, as JSON text. */
  e: string;
  /** The add's invocation index (an op's `i`): absent for an element no add was attempted for. */
  i?: number;
  /** The add's process. */
  p?: number;
  /** How the add ended. */
  t?: 'ok' | 'fail' | 'info' | 'pending';
}

/** The set checker's summary: its counts, and the elements of each kind (the first ones, sorted; counts are exact). */
export interface ReportSet {
  counts: {
    attempted: number;
    acknowledged: number;
    failed: number;
    info: number;
    read: number;
    lost: number;
    unexpected: number;
    failedButPresent: number;
    recovered: number;
    unread: number;
    duplicated: number;
  };
  /** The final read's invocation index. */
  finalRead?: number;
  lost: ReportSetElement[];
  unexpected: ReportSetElement[];
  failedButPresent: ReportSetElement[];
  recovered: ReportSetElement[];
  /** The checker's explanation. */
  prose: string;
}

/** One anomaly of the 2PC checker, in one line, linked to its ops. */
export interface ReportTwoPhaseCommitAnomaly {
  /** The anomaly's kind (partial-commit, lost-commit, …). */
  kind: string;
  /** The transaction id, when the anomaly is about one. */
  id?: number;
  /** One line: "transfer 17 (ok): at p1, not at p3". */
  text: string;
  /** The transfer's invocation index (an op's `i`), when there is such a transfer. */
  i?: number;
  /** The read's invocation index, when the anomaly is a read's. */
  read?: number;
}

/** The 2PC checker's summary: its counts, the total of all balances, and the first anomalies of each kind. */
export interface ReportTwoPhaseCommit {
  counts: Record<string, number>;
  /** Exact count per kind of anomaly. */
  anomalyCounts: Record<string, number>;
  /** The first anomalies of each kind (counts are exact). */
  anomalies: ReportTwoPhaseCommitAnomaly[];
  expectedTotal?: number;
  totalFrom?: string;
  finalTotal?: number;
  /** The final read's invocation index. */
  finalRead?: number;
  /** The checker's explanation (paragraphs separated by blank lines). */
  prose: string;
}

export interface ReportKey {
  key: string;
  valid: Verdict;
  ops: number;
  unknownReason?: string;
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
  /** The linearizable checker's model (absent when another checker judged the run). */
  model?: string;
  counts: { invoke: number; ok: number; fail: number; info: number; pending: number };
  /** Ok fraction of the ops invoked outside faults and during them. */
  availability?: { quiet: { ops: number; ok: number; fraction: number | null }; faulty: { ops: number; ok: number; fraction: number | null } };
  /** The run's length (ms): the last op's time. */
  durationMs: number;
  /** The lanes, in order: client processes then others. */
  processes: (number | string)[];
  /** The timeline's ops: all of them, or a sample that keeps every op of an anomaly. */
  ops: ReportOp[];
  opsSampled: Sampled;
  nemesis: ReportFault[];
  latency: {
    /** [completed at (ms), latency (ms), index into fs, index into types] for a sample of the completed ops. */
    points: [number, number, number, number][];
    pointsSampled: Sampled;
    fs: string[];
    types: OpType[];
    /** Latency quantiles of every completed op, per time bucket (bucket start, ms). */
    quantiles: { t: number; p50: number; p95: number; p99: number; n: number }[];
  };
  throughput: {
    bucketMs: number;
    /** Completions per bucket, by f and type, over every op. */
    series: { f: string; t: OpType; counts: number[] }[];
  };
  /**
   * The checker that judged the run (`name`: linearizable, set, …). `keys` are the linearizable checker's per-key
   * verdicts (empty for other checkers); `set` is the set checker's summary, `twoPhaseCommit` the 2pc checker's.
   */
  checker: { name: string; model?: string; valid: Verdict; ops: number; ms: number; keys: ReportKey[]; set?: ReportSet; twoPhaseCommit?: ReportTwoPhaseCommit };
  /** The linearizable checker's anomalies (none for other checkers: their evidence is in `checker`). */
  anomalies: ReportAnomaly[];
}
