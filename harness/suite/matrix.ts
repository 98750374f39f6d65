import {
  defaultFaults,
  defaultName,
  definitionSchema,
  DEFAULTS,
  FIELD_NAMES,
  formatFaultList,
  type DefinitionFields,
  type DefinitionRegistry,
  type TestDefinition,
} from '../config/definition.js';
import { configError, formatPath, moreSuffix, problemsOf, type FieldPath } from '../config/issues.js';
import { AXES, type Axis, type ExcludePattern, type SuiteFile } from './file.js';

/**
 * The tests of a suite: every combination of its axes (minus the excluded ones), then the included entries, each
 * a whole test definition checked against the registry as `faultline run` checks one. A combination the registry
 * refuses (a target that does not serve a workload, a fault the runtime cannot inflict) is an error of the suite
 * file, naming the combination and the line that brought in the value refused; an exclude pattern fixes it.
 */

/** Where each field of a test came from, as a path in the suite file (for the line an error names). */
type Origins = Partial<Record<keyof DefinitionFields, FieldPath>>;

interface Candidate {
  fields: DefinitionFields;
  origins: Origins;
  /** How the suite file names this test in an error: the combination, or `include[2]`. */
  label: string;
}

export function suiteTests(suite: SuiteFile, registry?: DefinitionRegistry): TestDefinition[] {
  const sharedOrigins: Origins = Object.fromEntries(Object.keys(suite.shared).map((k) => [k, [k]]));
  const candidates: Candidate[] = [];
  const used = suite.exclude.map(() => false);

  for (const combo of combinations(suite)) {
    const fields: DefinitionFields = { ...suite.shared };
    const origins: Origins = { ...sharedOrigins };
    for (const [a, i] of combo) {
      const f = AXES[a];
      const v = suite.axes[a]![i];
      // A nemesis value gives the faults (and perhaps an interval); the shared nemesis's interval stays, as with --nemesis.
      (fields as Record<string, unknown>)[f] = f === 'nemesis' ? { ...suite.shared.nemesis, ...(v as object) } : v;
      origins[f] = [a, i];
    }
    const hit = suite.exclude.findIndex((p) => matches(p, fields));
    if (hit >= 0) {
      used[hit] = true;
      continue;
    }
    candidates.push({ fields, origins, label: describeCombination(fields) });
  }
  const unused = used.indexOf(false);
  if (unused >= 0) throw configError(suite.path, suite.lineOf(['exclude', unused]), ['exclude', unused], 'matches no test of the matrix (a typo?)');

  suite.include.forEach((entry, i) => {
    const fields: DefinitionFields = { ...suite.shared, ...entry };
    if (entry.nemesis && suite.shared.nemesis) fields.nemesis = { ...suite.shared.nemesis, ...entry.nemesis };
    const origins: Origins = { ...sharedOrigins, ...Object.fromEntries(Object.keys(entry).map((k) => [k, ['include', i, k]])) };
    candidates.push({ fields, origins, label: `include[${i}] (${describeCombination(fields)})` });
  });
  if (candidates.length === 0) {
    throw configError(suite.path, undefined, [], `the suite has no tests (give an axis — ${Object.keys(AXES).join(', ')} — or include: entries)`);
  }

  const byName = new Map<string, string>();
  return candidates.map((c) => {
    const def = checked(suite, c, registry);
    const seen = byName.get(def.name);
    if (seen !== undefined) {
      const at = c.origins.name ?? c.origins.seed ?? [];
      throw configError(suite.path, suite.lineOf(at), [], `${c.label}: the test name '${def.name}' is taken by ${seen}: their store entries would mix (give one a name, or a different seed)`);
    }
    byName.set(def.name, c.label);
    return def;
  });
}

/** The definition of one test, with its name: one the entry gives, else target-workload[-bug]-nemesis-seed[-runtime]. */
function checked(suite: SuiteFile, c: Candidate, registry?: DefinitionRegistry): TestDefinition {
  const r = definitionSchema(registry).safeParse(c.fields);
  if (!r.success) {
    const problems = problemsOf(r.error.issues, c.fields, FIELD_NAMES);
    const p = problems[0];
    const field = p.path[0] as keyof DefinitionFields;
    const origin = c.origins[field];
    // Blame the line that brought the value in: the axis item, the include entry's field, or the shared field.
    const at: FieldPath = origin ? [...origin, ...p.path.slice(1)] : c.origins.target ?? [];
    const fix = c.label.startsWith('include') ? '' : ' (exclude it, or fix the suite)';
    throw configError(suite.path, suite.lineOf(at), [], `${c.label}: ${formatPath(p.path)}: ${p.message}${moreSuffix(problems.length)}${fix}`);
  }
  const def = r.data;
  return c.fields.name !== undefined ? def : { ...def, name: testName(def) };
}

export function testName(def: Pick<TestDefinition, 'target' | 'workload' | 'bug' | 'nemesis' | 'seed' | 'runtime'>): string {
  const parts = [defaultName(def.target, def.workload, def.bug), nemesisSlug(def.nemesis.faults), `s${def.seed}`];
  if (def.runtime !== 'sim') parts.push(def.runtime);
  return parts.join('-');
}

/** A fault list as a name can hold it (letters, digits, . _ -), one to one: `partition:primary+kill,pause` → `partition.primary_and_kill_pause`. */
function nemesisSlug(faults: TestDefinition['nemesis']['faults']): string {
  return formatFaultList(faults).replace(/:/g, '.').replace(/\+/g, '_and_').replace(/,/g, '_');
}

/** Every combination of the axes the suite gives, as [axis, index] pairs, targets varying slowest. */
function* combinations(suite: SuiteFile): Generator<[Axis, number][]> {
  const axes = (Object.keys(AXES) as Axis[]).filter((a) => suite.axes[a] !== undefined);
  // No axes, no matrix: a suite of `include:` entries only.
  if (axes.length === 0) return;
  const sizes = axes.map((a) => suite.axes[a]!.length);
  const total = sizes.reduce((x, y) => x * y, 1);
  for (let n = 0; n < total; n++) {
    let rest = n;
    const combo: [Axis, number][] = [];
    for (let j = axes.length - 1; j >= 0; j--) {
      combo.unshift([axes[j], rest % sizes[j]]);
      rest = Math.floor(rest / sizes[j]);
    }
    yield combo;
  }
}

/** The values a pattern is matched against: the fields, or the defaults the definition will fill in. */
function patternValues(f: DefinitionFields): Record<keyof ExcludePattern, string | undefined> {
  const runtime = f.runtime ?? DEFAULTS.runtime;
  return {
    target: f.target ?? DEFAULTS.target,
    workload: f.workload ?? DEFAULTS.workload,
    nemesis: formatFaultList(f.nemesis?.faults ?? defaultFaults(runtime)),
    seed: f.seed === undefined ? undefined : String(f.seed),
    runtime,
    bug: f.bug,
  };
}

function matches(pattern: ExcludePattern, f: DefinitionFields): boolean {
  const values = patternValues(f);
  return Object.entries(pattern).every(([k, p]) => {
    const v = values[k as keyof ExcludePattern];
    if (v === undefined) return false;
    const re = new RegExp(`^${String(p).split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return re.test(v);
  });
}

function describeCombination(f: DefinitionFields): string {
  const v = patternValues(f);
  return [`target ${v.target}`, `workload ${v.workload}`, v.bug && `bug ${v.bug}`, `nemesis ${v.nemesis}`, v.seed && `seed ${v.seed}`, `runtime ${v.runtime}`]
    .filter(Boolean)
    .join(', ');
}
