import { readFile } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { definitionFieldsSchema, describeValue, FIELD_NAMES, type DefinitionFields } from '../config/definition.js';
import { configError, moreSuffix, problemsOf, type FieldPath, type Problem } from '../config/issues.js';
import { lineIn, withPathsFrom } from '../config/load.js';
import { describeError } from '../errors.js';

/**
 * A suite file (Jepsen's `test-all`): a matrix of test definitions. The axes — `targets`, `workloads`, `nemeses`,
 * `seeds`, `runtimes` — multiply; every other definition field is shared by all the tests; `include:` adds tests
 * (the shared fields, overridden by the entry's own), `exclude:` drops the combinations of the matrix that match a
 * pattern. Read and checked field by field here, so an error names the file's line; matrix.ts makes the tests.
 */

/** The axes: a suite field (plural) and the definition field each of its values sets. */
export const AXES = { targets: 'target', workloads: 'workload', nemeses: 'nemesis', seeds: 'seed', runtimes: 'runtime' } as const;
export type Axis = keyof typeof AXES;
export type AxisField = (typeof AXES)[Axis];

/** What an exclude pattern can name: the axes' fields, and the bug (a shared or included field). */
export const PATTERN_FIELDS = ['target', 'workload', 'nemesis', 'seed', 'runtime', 'bug'] as const;
export type PatternField = (typeof PATTERN_FIELDS)[number];
/** A pattern's values: strings may hold `*` (any characters); a nemesis is matched as `--nemesis` writes it. */
export type ExcludePattern = Partial<Record<PatternField, string | number>>;

export interface SuiteFile {
  path: string;
  /** The suite's name (`name:`), else the file's name without its extension: JUnit's testsuite, the table's title. */
  name: string;
  axes: { [A in Axis]?: DefinitionFields[(typeof AXES)[A]][] };
  /** The fields every test shares (the definition's, except `name`: each test has its own). */
  shared: DefinitionFields;
  include: DefinitionFields[];
  exclude: ExcludePattern[];
  /** The 1-based line of a suite field (`['targets', 1]`), or of its nearest enclosing one. */
  lineOf(path: FieldPath): number | undefined;
}

const field = <K extends keyof typeof definitionFieldsSchema.shape>(k: K) => definitionFieldsSchema.shape[k].unwrap();
const axis = <S extends z.ZodType>(item: S, what: string) =>
  z.array(item, { error: `expected a list of ${what}` }).min(1, { error: `expected a list of ${what}, not an empty one` });

const sharedShape = Object.fromEntries(FIELD_NAMES.filter((k) => k !== 'name').map((k) => [k, field(k).optional()])) as Omit<
  typeof definitionFieldsSchema.shape,
  'name'
>;

const suiteSchema = z.strictObject({
  name: field('name').optional(),
  targets: axis(field('target'), 'target names').optional(),
  workloads: axis(field('workload'), 'workload names').optional(),
  nemeses: axis(field('nemesis'), "fault lists (each as --nemesis takes it: 'partition,kill', a list, or none)").optional(),
  seeds: axis(field('seed'), 'seeds').optional(),
  runtimes: axis(field('runtime'), 'runtimes').optional(),
  include: z.array(z.unknown(), { error: 'expected a list of test definitions' }).optional(),
  exclude: z.array(z.unknown(), { error: 'expected a list of patterns' }).optional(),
  ...sharedShape,
});

export const SUITE_FIELDS = Object.keys(suiteSchema.shape);

const patternSchema = z.strictObject(
  Object.fromEntries(PATTERN_FIELDS.map((k) => [k, z.union([z.string(), z.number()], { error: 'expected a name, a pattern with *, or a seed' }).optional()])),
  { error: `expected a mapping of ${PATTERN_FIELDS.join(', ')}` },
);

/** Reads and checks a suite file. Bad input: a UsageError, one line, `file:line: field: what`. */
export async function loadSuite(path: string): Promise<SuiteFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    throw configError(path, undefined, [], `cannot read the suite (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : describeError(e)})`);
  }
  return parseSuiteText(text, path);
}

export function parseSuiteText(text: string, source: string): SuiteFile {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw configError(source, err.linePos?.[0].line, [], `invalid YAML: ${what}`);
  }
  const lineOf = (p: FieldPath) => lineIn(doc, lines, p);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (e) {
    // yaml refuses an alias bomb (more aliases than it resolves) with an exception: the file's fault, not ours.
    throw configError(source, undefined, [], `invalid YAML: ${describeError(e)}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw configError(source, lineOf([]), [], `expected a mapping of suite fields (${SUITE_FIELDS.join(', ')}), got ${describeValue(data)}`);
  }
  const located = (problems: Problem[]) => {
    const withLines = problems.map((p) => ({ ...p, line: lineOf(p.path) }));
    withLines.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    const p = withLines[0];
    return configError(source, p.line, p.path, p.message + moreSuffix(problems.length));
  };
  const r = suiteSchema.safeParse(data);
  if (!r.success) throw located(problemsOf(r.error.issues, data, SUITE_FIELDS));
  const { name, targets, workloads, nemeses, seeds, runtimes, include = [], exclude = [], ...shared } = r.data;
  const base = dirname(source);

  const includes = include.map((entry, i) => {
    const e = definitionFieldsSchema.safeParse(entry);
    if (e.success) return withPathsFrom(e.data, base);
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw configError(source, lineOf(['include', i]), ['include', i], `expected a mapping of test definition fields, got ${describeValue(entry)}`);
    }
    throw located(problemsOf(e.error.issues, entry, FIELD_NAMES).map((p) => ({ ...p, path: ['include', i, ...p.path] })));
  });
  const patterns = exclude.map((entry, i) => {
    const e = patternSchema.safeParse(entry);
    if (!e.success) throw located(problemsOf(e.error.issues, entry, PATTERN_FIELDS).map((p) => ({ ...p, path: ['exclude', i, ...p.path] })));
    const pattern = Object.fromEntries(Object.entries(e.data).filter(([, v]) => v !== undefined)) as ExcludePattern;
    if (Object.keys(pattern).length === 0) throw configError(source, lineOf(['exclude', i]), ['exclude', i], `an empty pattern would exclude every test`);
    return pattern;
  });

  return {
    path: source,
    name: name ?? basename(source, extname(source)),
    axes: { targets, workloads, nemeses, seeds, runtimes },
    shared: withPathsFrom(shared, base),
    include: includes,
    exclude: patterns,
    lineOf,
  };
}
