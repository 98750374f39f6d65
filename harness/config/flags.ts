import { resolve } from 'node:path';
import { COUNT_LIKE, definitionFieldsSchema, FIELD_NAMES, NODE_COUNT, type DefinitionFields } from './definition.js';
import { nodesWithPathsFrom, sshWithPathsFrom } from './external.js';
import { describeError } from '../errors.js';
import { lineTooDeep, MAX_CONFIG_DEPTH } from './depth.js';
import { configError, moreSuffix, problemsOf, type FieldPath } from './issues.js';

/**
 * The flags of `faultline run`, one per field of the definition. The CLI registers them from RUN_FLAGS and the
 * replay command (replay.ts) writes them from it, so the two cannot drift apart.
 */

/** The flags that set the definition: commander's camelCased options, strings as typed (or already parsed). */
export interface RunFlagValues {
  name?: string;
  target?: string;
  workload?: string;
  runtime?: string;
  /**
   * `3`, or `n1,n2,n3` (a list of names counts as its length); on the external runtime the nodes' addresses,
   * `10.0.0.1:6379,n2=db2:6379,[::1]:6379`, or a JSON list of node objects (`[{"host": …}]`)
   */
  nodes?: string | number | readonly unknown[];
  concurrency?: string | number;
  timeLimit?: string | number;
  rate?: string | number;
  /** `partition,kill:primary,pause`, or `none` */
  nemesis?: string;
  nemesisInterval?: string | number;
  /** the external runtime's fault methods as a JSON object (`{"kill": "docker"}`) */
  faults?: string | Record<string, unknown>;
  /** the external runtime's SSH settings as a JSON object */
  ssh?: string | Record<string, unknown>;
  seed?: string | number;
  store?: string;
  bug?: string;
  /** auto, local or official (the docker runtime's images) */
  images?: string;
  /** target/workload options as a JSON object */
  options?: string | Record<string, unknown>;
  /** module paths (`--plugin`, repeatable) */
  plugin?: string | readonly string[];
}

/** What the CLI hands over; anything beyond RunFlagValues (`config`, output flags) is ignored here. */
export type CliFlags = RunFlagValues & { [other: string]: unknown };

export type RunFlagKey = keyof RunFlagValues;

export interface RunFlag {
  /** key in CliFlags (commander's camelCase of `flag`) */
  key: RunFlagKey;
  flag: string;
  arg: string;
  description: string;
  /** Given once per value (`--plugin a.js --plugin b.js`): the CLI collects them into a list (`collectFlag`). */
  repeatable?: boolean;
}

export { collectFlag } from './vocabulary.js';

export const RUN_FLAGS: readonly RunFlag[] = [
  { key: 'name', flag: '--name', arg: '<name>', description: 'test name, the store subdirectory (default: target-workload[-bug])' },
  { key: 'target', flag: '--target', arg: '<name>', description: 'system under test' },
  { key: 'workload', flag: '--workload', arg: '<name>', description: 'what the clients ask' },
  { key: 'runtime', flag: '--runtime', arg: '<runtime>', description: 'sim, docker or external (a cluster you started)' },
  { key: 'nodes', flag: '--nodes', arg: '<n|nodes>', description: 'node count or names; external: host:port,… (or a JSON list of nodes)' },
  { key: 'concurrency', flag: '--concurrency', arg: '<n>', description: 'logical client processes' },
  { key: 'timeLimit', flag: '--time-limit', arg: '<s>', description: 'seconds of workload' },
  { key: 'rate', flag: '--rate', arg: '<ops/s>', description: 'ops per second across all processes (default: unlimited)' },
  { key: 'nemesis', flag: '--nemesis', arg: '<faults>', description: 'faults, e.g. partition,kill:primary,pause (none: no faults)' },
  { key: 'nemesisInterval', flag: '--nemesis-interval', arg: '<s>', description: 'seconds between faults' },
  { key: 'faults', flag: '--faults', arg: '<json>', description: 'external: how node faults are made, e.g. {"kill":"docker"}' },
  { key: 'ssh', flag: '--ssh', arg: '<json>', description: 'external: SSH login, e.g. {"user":"admin","key":{"file":"id"}}' },
  { key: 'seed', flag: '--seed', arg: '<n>', description: 'seed of every random choice (default: random, printed)' },
  { key: 'bug', flag: '--bug', arg: '<name>', description: "a named bug of the target" },
  { key: 'images', flag: '--images', arg: '<choice>', description: 'docker images: official (registry), local (faultline images build) or auto' },
  { key: 'store', flag: '--store', arg: '<dir>', description: 'where runs are stored' },
  { key: 'options', flag: '--options', arg: '<json>', description: 'target/workload options as a JSON object' },
  { key: 'plugin', flag: '--plugin', arg: '<module>', description: 'a module of your own targets and workloads (repeatable)', repeatable: true },
];

/** The flag that sets a field (`['nemesis', 'interval']` → `--nemesis-interval`). */
export function flagFor(path: FieldPath): string {
  const [field, sub] = path;
  if (field === 'nemesis') return sub === 'interval' ? '--nemesis-interval' : '--nemesis';
  if (field === 'plugins') return '--plugin';
  return RUN_FLAGS.find((f) => f.key === field)?.flag ?? `--${String(field)}`;
}

/** A number typed on the command line stays a string until here; anything not numeric is left for zod to refuse. */
function numeric(v: string | number | undefined): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  return s !== '' && Number.isFinite(Number(s)) ? Number(s) : v;
}

/**
 * The definition fields the flags set, checked on their own: `--concurrency -3` fails here as
 * `--concurrency: expected a positive integer, got -3`, before any file is consulted.
 */
export function flagsToFields(flags: CliFlags): DefinitionFields {
  const raw: Record<string, unknown> = {};
  const str = (k: RunFlagKey) => flags[k];
  for (const k of ['name', 'target', 'workload', 'runtime', 'store', 'bug', 'images'] as const) if (str(k) !== undefined) raw[k] = str(k);
  for (const k of ['concurrency', 'timeLimit', 'rate', 'seed'] as const) if (flags[k] !== undefined) raw[k] = numeric(flags[k]);
  if (flags.nodes !== undefined) {
    const n = flags.nodes;
    // A JSON list, not an IPv6 address in brackets (`[::1]:6379`): `[` then `{`, `"` or `]`.
    if (typeof n === 'string' && /^\s*\[\s*[{"\]]/.test(n)) raw.nodes = jsonFlag('--nodes', n, 'a JSON list of nodes');
    // `--nodes 3abc`: a count with a typo (definition.ts COUNT_LIKE), said as such rather than as a bad node name.
    else if (typeof n === 'string' && !n.includes(',') && !NODE_COUNT.test(n) && COUNT_LIKE.test(n)) {
      throw configError(undefined, undefined, ['--nodes'], `expected a node count or a comma-separated list of node names or addresses, got '${n.trim()}'`);
    } else raw.nodes = typeof n === 'string' ? (NODE_COUNT.test(n) ? Number(n) : n.split(',').map((s) => s.trim())) : n;
  }
  if (flags.nemesis !== undefined || flags.nemesisInterval !== undefined) {
    const nemesis: Record<string, unknown> = {};
    if (flags.nemesis !== undefined) nemesis.faults = flags.nemesis;
    if (flags.nemesisInterval !== undefined) nemesis.interval = numeric(flags.nemesisInterval);
    raw.nemesis = nemesis;
  }
  for (const k of ['options', 'faults', 'ssh'] as const) {
    const v = flags[k];
    if (v !== undefined) raw[k] = typeof v === 'string' ? jsonFlag(flagFor([k]), v, 'a JSON object') : v;
  }
  if (flags.plugin !== undefined) raw.plugins = (typeof flags.plugin === 'string' ? [flags.plugin] : [...flags.plugin]).map((p) => resolve(p));
  const r = definitionFieldsSchema.safeParse(raw);
  if (r.success) {
    // Local files a flag names (secrets, known_hosts) are the working directory's, as `--plugin` paths are.
    const d = r.data;
    return { ...d, ...(d.nodes !== undefined && { nodes: nodesWithPathsFrom(d.nodes, process.cwd()) }), ...(d.ssh !== undefined && { ssh: sshWithPathsFrom(d.ssh, process.cwd()) }) };
  }
  const problems = problemsOf(r.error.issues, raw, FIELD_NAMES);
  const p = problems[0];
  throw configError(undefined, undefined, [flagFor(p.path)], p.message + moreSuffix(problems.length));
}

function jsonFlag(flag: string, text: string, what: string): unknown {
  if (lineTooDeep(text) !== undefined) throw configError(undefined, undefined, [flag], `expected ${what}, got JSON nested more than ${MAX_CONFIG_DEPTH} levels deep`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw configError(undefined, undefined, [flag], `expected ${what}, got invalid JSON (${describeError(e)})`);
  }
}
