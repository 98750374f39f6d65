import { z } from 'zod';

/**
 * What a target saw during a run, drawn as figures beside the verdict: keys per node, keys moved per membership
 * change, a failure detector's suspicions against the faults. The target says what to draw (data and kind); the
 * report draws every figure the same way, whichever target gave it (STYLE.md point 14), and nothing here is judged:
 * the verdict is the checker's alone.
 */

/** A figure a target drew from what it saw during a run: data the report plots beside the verdict, never judged. */
export interface Figure {
  /** Stable, [a-z0-9-]+: the figure's anchor in the report. */
  readonly id: string;
  readonly title: string;
  /** One or two sentences: what it shows, how to read it. */
  readonly caption?: string;
  readonly kind: 'bars' | 'lines' | 'table';
  /** bars: categories (strings); lines: numeric x (e.g. ms since the start). */
  readonly x: { readonly label: string; readonly values: readonly (string | number)[] };
  readonly y: { readonly label: string };
  /** One value per x value (null: none). bars: grouped bars, one per series; lines: one line per series. */
  readonly series: readonly { readonly name: string; readonly values: readonly (number | null)[] }[];
  /** Horizontal reference lines (the ideal K/n, a threshold). */
  readonly marks?: readonly { readonly label: string; readonly value: number }[];
  /** Time intervals to shade on a lines figure (the faults in force), with a label each. */
  readonly spans?: readonly { readonly label: string; readonly start: number; readonly end: number }[];
}

export interface Observations {
  readonly figures: readonly Figure[];
  /** Short facts in words ("3 false suspicions in 60 s under latency"), shown above the figures. */
  readonly notes?: readonly string[];
}

/**
 * How much one run may carry: the figures are embedded in the report page, which must open in seconds. A target
 * that sampled every millisecond is asked to bucket its data, not silently cut.
 */
export const OBSERVATION_LIMITS = { figures: 50, points: 10_000, series: 50, notes: 50 } as const;

const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const text = z.string().min(1, 'expected a non-empty string');

const figureSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'expected an id of [a-z0-9-]+'),
  title: text,
  caption: z.string().optional(),
  kind: z.enum(['bars', 'lines', 'table'], 'expected bars, lines or table'),
  x: z.strictObject({ label: z.string(), values: z.array(z.union([z.string(), finite], 'expected a string or a finite number')).max(OBSERVATION_LIMITS.points) }),
  y: z.strictObject({ label: z.string() }),
  series: z.array(z.strictObject({ name: text, values: z.array(z.union([finite, z.null()], 'expected a finite number or null')) })).max(OBSERVATION_LIMITS.series),
  marks: z.array(z.strictObject({ label: text, value: finite })).optional(),
  spans: z.array(z.strictObject({ label: text, start: finite, end: finite })).optional(),
});

const observationsSchema = z.strictObject({
  figures: z.array(z.unknown()).max(OBSERVATION_LIMITS.figures),
  notes: z.array(z.string()).max(OBSERVATION_LIMITS.notes).optional(),
});

/**
 * Validates a target's observations (zod): a figure whose series length differs from x's, a duplicate id, a lines
 * figure with a category for x, … is an error naming the figure (`observations: figure 'keys-per-node': …`), so the
 * target's author knows which one to fix. Returns the observations as read (unknown fields are refused, not dropped).
 */
export function checkObservations(o: unknown): Observations {
  const top = observationsSchema.safeParse(o);
  if (!top.success) throw observationsError(undefined, top.error.issues[0]);
  const figures: Figure[] = [];
  const seen = new Set<string>();
  top.data.figures.forEach((raw, i) => {
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : `#${i}`;
    const parsed = figureSchema.safeParse(raw);
    if (!parsed.success) throw observationsError(id, parsed.error.issues[0]);
    const f = parsed.data;
    const bad = (what: string) => new Error(`observations: figure '${id}': ${what}`);
    if (seen.has(f.id)) throw bad('a second figure with this id (ids must be unique)');
    seen.add(f.id);
    const n = f.x.values.length;
    for (const s of f.series) if (s.values.length !== n) throw bad(`series '${s.name}' has ${s.values.length} values for ${n} x values`);
    if (new Set(f.series.map((s) => s.name)).size !== f.series.length) throw bad('two series with the same name');
    if (f.kind === 'lines') {
      const at = f.x.values.findIndex((v) => typeof v !== 'number');
      if (at >= 0) throw bad(`x.values[${at}] is ${JSON.stringify(f.x.values[at])}: a lines figure's x values are numbers`);
    }
    if (f.spans !== undefined && f.kind !== 'lines') throw bad(`spans are shaded on a lines figure only, not on ${f.kind}`);
    if (f.marks !== undefined && f.kind === 'table') throw bad('marks are drawn on bars and lines figures, not on a table');
    for (const s of f.spans ?? []) if (s.end < s.start) throw bad(`span '${s.label}' ends (${s.end}) before it starts (${s.start})`);
    figures.push(f as Figure);
  });
  return { figures, ...(top.data.notes !== undefined && { notes: top.data.notes }) };
}

function observationsError(id: string | undefined, issue: z.core.$ZodIssue | undefined): Error {
  const path = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const where = id === undefined ? (path === '' ? '' : ` ${path.replace(/^\./, '')}`) : ` figure '${id}'${path === '' ? '' : ` ${path.replace(/^\./, '')}`}`;
  return new Error(`observations:${where}: ${issue?.message ?? 'not valid'}`);
}
