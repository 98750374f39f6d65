import { stringifyExact } from './values/json.js';

/*
 * How a checker's verdict is shown: each checker says what it found, in parts the report and the terminal know how
 * to draw (facts, lists, tables, prose, and the linearization view), and which ops its evidence names. The report
 * (reports/) draws the generic parts of a run around it (timeline, latency, throughput) and never asks which checker
 * judged: a user's checker appears in the report like a built-in one. Plain JSON, no functions and no markup: a
 * value in a history may hold anything, and is only ever rendered as text.
 */

export type Verdict = true | false | 'unknown';

/** A link from evidence to an op of the history, by its invocation's index. */
export interface OpLink {
  op: number;
  /** The link's text ("transfer", "read"); absent: the item's own text is the link. */
  label?: string;
}

/** A labelled count or value, with what it means; `bad` rows are what is wrong. */
export interface FactRow {
  label: string;
  value: string;
  what?: string;
  bad?: boolean;
}

export interface ListItem {
  text: string;
  /** Where the evidence is, in words ("process 3, index 17"). */
  where?: string;
  /** Ops the item names: the first without a label is the text's own link. */
  links?: OpLink[];
}

/** One step of a linearization: the op and the model's state after it. */
export interface LinearizationStep {
  op: number;
  state: string;
}

export interface LinearizationCandidate {
  /** The linearization's last steps, oldest first. */
  steps: LinearizationStep[];
  /** Steps before `steps` that were left out. */
  omitted: number;
  /** The state the failing op met, and why the model refused it. */
  state: string;
  reason: string;
}

/**
 * One key that no linearization explains: Porcupine's counterexample view. `ops` are the ops on the key around the
 * failure (every op of the candidates, the concurrent ones, and the ones overlapping the failing op's window), by
 * invocation index: the report keeps each of them on its timeline and draws them from there.
 */
export interface LinearizationAnomaly {
  key?: string;
  /** The op that cannot be linearized. */
  failing: number;
  previousOk?: number;
  /** The model's rendering of each op the evidence names, e.g. "cas 3→4", by invocation index. */
  text: Record<number, string>;
  candidates: LinearizationCandidate[];
  concurrent: number[];
  ops: number[];
  /** Elle-style prose: "Let … Then … but …". */
  prose: string;
}

/** The parts a section is made of, drawn in order. */
export type Block =
  | { kind: 'facts'; rows: FactRow[] }
  /**
   * Items of one kind of evidence; `total` counts them all when only the first are listed. `id` names the kind for
   * the page (data-kind); `bad` lists are what is wrong; `collapsed` ones are folded away.
   */
  | { kind: 'list'; id?: string; title: string; total: number; items: ListItem[]; bad?: boolean; collapsed?: boolean }
  /** A table; `title` names it when a section has several ("Guarantees", "Convergence"). */
  | { kind: 'table'; title?: string; columns: string[]; rows: { cells: string[]; verdict?: Verdict }[] }
  | { kind: 'prose'; text: string }
  /** The linearizability checker's counterexamples, each drawn as Porcupine's visualiser does. */
  | { kind: 'linearization'; anomalies: LinearizationAnomaly[] }
  /**
   * Points in a plane, a series each (a scatter: the log checker's offsets over time per partition), drawn by the
   * report as an inline SVG with its axes and a legend. `id` names the drawing for the page (data-points); the
   * caption says how to read it (what y is, what was left out).
   */
  | { kind: 'points'; id: string; title: string; caption?: string; x: { label: string }; y: { label: string }; series: PointSeries[] };

/** One series of a points block: [x, y] pairs, finite numbers; a `bad` series (evidence) is drawn in the report's red. */
export interface PointSeries {
  name: string;
  points: [number, number][];
  bad?: boolean;
}

/** An op the checker's evidence names, marked on the timeline with why. */
export interface OpMark {
  op: number;
  why: string;
}

/** Everything the report shows of one checker's verdict. */
export interface Presentation {
  /** The section's heading ("Set checker"). */
  title: string;
  /** About the check, for the report's checker table ("model": "cas-register", "keys": "3 (2 passed)"). */
  facts: [string, string][];
  /** What is wrong, each in a few words, for the banner's summary line ("2 lost"): empty when nothing is. */
  findings: string[];
  /** The first piece of evidence in one sentence ("First: …"), when there is any. */
  first?: string;
  blocks: Block[];
  /** Ops to mark on the timeline (and keep in its sample, whatever else is left out). */
  marks: OpMark[];
  /** What the marks mean, for the timeline's legend ("lost, or failed but read"). */
  markLegend?: string;
  /** Other ops the evidence rests on (a final read), kept on the timeline unmarked. */
  keep?: number[];
  /**
   * Evidence counted per second of the run (from the history's first op), every item of it: what the report plots
   * over time where marks would be too many (33,627 lost elements) or would only cover the items listed.
   */
  rates?: EvidenceRate[];
}

/** A kind of evidence as a count per second of the run ("lost": elements lost, by when their add was invoked). */
export interface EvidenceRate {
  label: string;
  /** What one counted item is, for the chart's legend and tooltip. */
  what: string;
  perSecond: number[];
}

/** How much evidence a presentation carries: a million-op run must still give a page that opens in seconds. */
export interface PresentLimits {
  /** Items listed per kind of evidence (counts stay exact). */
  items: number;
  /** Ops drawn around one linearizability anomaly. */
  anomalyOps: number;
  /** Characters of a value shown before it is cut short. */
  valueChars: number;
}

export const PRESENT_LIMITS: PresentLimits = { items: 300, anomalyOps: 300, valueChars: 200 };

/** A value as JSON text for display, exact (big integers keep every digit), cut short past `max` characters. */
export function valueText(v: unknown, max: number): string {
  let s: string;
  try {
    s = stringifyExact(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A count with thousands separators, as every part of the report writes them. */
export function count(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : String(n);
}

/** A time since the run's start, as every part of the report writes it ("4.20 s", "1 min 5 s"). */
export function seconds(ms: number): string {
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${((ms % 60_000) / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
