import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { numberedNodes } from '../node.js';
import type { ExternalNode } from './cluster-spec.js';
import {
  canonicalFaults,
  canonicalNodes,
  canonicalSsh,
  clusterProblems,
  externalFaultKinds,
  noMethodFor,
  readFaultMethods,
  readNodeObject,
  readSshSettings,
  type NodeEntry,
} from './external.js';
import type { Problem } from './issues.js';
import { describeValue, FAULT_KINDS, FAULT_PARAMS, isClientFault, isProcessFault, madeAs, NAME, RUNTIMES, UNHONOURED_FAULT_PARAMS, type FaultKind, type ProcessFaultKind, type RuntimeName } from './vocabulary.js';
import { formatFaultParam, parseFaultParam } from './fault-params.js';

export {
  CLIENT_FAULT_KINDS,
  CLOCK_FAULT_KINDS,
  describeValue,
  FAULT_KINDS,
  FAULT_PARAMS,
  MEMBERSHIP_FAULT_KINDS,
  NAME,
  NODE_FAULT_KINDS,
  PROCESS_FAULT_KINDS,
  RUNTIMES,
  type FaultKind,
  type NodeFaultKind,
  type RuntimeName,
} from './vocabulary.js';

/**
 * The test definition: Jepsen's test map as a plain, validated object. Everything a run needs to be repeated is in
 * it — the seed included, drawn at random when absent and then recorded here, so the replay command (replay.ts)
 * can name it.
 *
 * Two schemas share the field schemas below: `definitionFieldsSchema` (every field optional, no defaults) checks a
 * config file or the CLI flags on their own, so an error can name the file line or the flag; `definitionSchema`
 * fills the defaults and checks what needs the whole definition (the target and workload must exist for the
 * runtime).
 */

/**
 * Which images the docker runtime uses: the registry's official ones, the ones `faultline images build` made here,
 * or (auto, the default) the local ones when they have been built and the official ones otherwise.
 */
export const IMAGE_CHOICES = ['auto', 'local', 'official'] as const;
export type ImageChoiceName = (typeof IMAGE_CHOICES)[number];

/**
 * Which nodes a fault hits; absent, the nemesis varies it from cycle to cycle (see harness/nemesis/aim.ts), unless
 * the target names a default aim for the kind (TargetInfo.aims). A partition cuts the nodes hit off from the rest
 * (`all`: every node alone); `ring` and `bridge` are shapes of partition only: a majorities ring, and two halves
 * joined by one node (the primary when there is one). `join` and `leave` are what a membership change does (none:
 * either, at random), and name no nodes.
 */
export const FAULT_TARGETS = ['primary', 'random', 'minority', 'majority', 'primary-minority', 'all', 'ring', 'bridge', 'join', 'leave'] as const;
export type BuiltinTarget = (typeof FAULT_TARGETS)[number];
/**
 * A role of the target (TargetInfo.roles: `db`, `cache`): exactly the nodes the target names for it. Written as the
 * bare word (`latency:db`, `{kind: latency, target: db}`); any word that is not a built-in target is a role, and
 * the registry checks it against the target's roles before anything starts (the parse depends on the text alone).
 * A definition holds it as `{role}`, which a file may also write.
 */
export interface RoleTarget {
  readonly role: string;
}
export type FaultTarget = BuiltinTarget | RoleTarget;

export function isRoleTarget(t: FaultTarget | undefined): t is RoleTarget {
  return typeof t === 'object' && t !== null;
}

/** How a target is written: the built-in's word, or the role's name. */
export function formatTarget(t: FaultTarget): string {
  return isRoleTarget(t) ? t.role : t;
}

const PARTITION_SHAPES: readonly FaultTarget[] = ['ring', 'bridge'];
const MEMBERSHIP_CHANGES: readonly FaultTarget[] = ['join', 'leave'];

export interface SingleFault {
  kind: FaultKind;
  target?: FaultTarget;
  /** The fault's parameters (FAULT_PARAMS), durations in ms. */
  params?: Readonly<Record<string, number>>;
}

/** Faults started together in one cycle and healed together (`a+b` on the command line): Jepsen's composed nemesis. */
export interface FaultSet {
  together: SingleFault[];
}

export type Fault = SingleFault | FaultSet;

/** The faults of one cycle, a set or a single one alike. */
export function faultsOf(f: Fault): SingleFault[] {
  return 'together' in f ? f.together : [f];
}

/** Every `interval` seconds the nemesis starts one of `faults`, and heals it before the next. No faults: none. */
export interface NemesisSchedule {
  faults: Fault[];
  interval: number;
}

/** Seeds are 32-bit: the harness's PRNG (harness/rng.ts) folds any integer to 32 bits, so larger ones would alias. */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * The defaults: `faultline run` with no arguments shows the product (simulated cluster, faults, a verdict) in ~10 s.
 * On an external cluster the default faults are the fault proxy's (`externalNemesis`): they need no access to the
 * nodes, so a test that names nothing but the addresses runs.
 */
export const DEFAULTS = {
  target: 'primary-backup',
  workload: 'register',
  runtime: 'sim' as RuntimeName,
  nodes: 3,
  concurrency: 5,
  timeLimit: 10,
  nemesis: { faults: [{ kind: 'partition' }] as Fault[], interval: 5 },
  externalNemesis: { faults: [{ kind: 'client-partition' }] as Fault[] },
  store: 'store',
  options: {} as Record<string, unknown>,
};

/** The faults of a definition that names none. */
export function defaultFaults(runtime: RuntimeName): Fault[] {
  return (runtime === 'external' ? DEFAULTS.externalNemesis : DEFAULTS.nemesis).faults;
}

/** A seed for a run that was not given one (crypto-random, so two unseeded runs differ). */
export function randomSeed(): number {
  return randomInt(0, MAX_SEED + 1);
}

/**
 * Names of what the harness knows, passed in so this module depends on no registry: the targets and workloads
 * modules supply them. `knownBugs(target)` lists a target's named bugs (undefined: unknown, do not check).
 */
export interface DefinitionRegistry {
  knownTargets: readonly string[];
  knownWorkloads: readonly string[];
  /** The targets a runtime can start, when they differ by runtime (else knownTargets). */
  targetsOf?: (runtime: RuntimeName) => readonly string[];
  knownBugs?: (target: string, runtime: RuntimeName) => readonly string[] | undefined;
  /** A target's own cluster size (Raft wants 5), used when the definition gives none; else DEFAULTS.nodes. */
  defaultNodes?: (target: string, runtime: RuntimeName) => number | undefined;
  /** The faults a runtime can inflict, when not all (undefined: all). */
  faultsOf?: (runtime: RuntimeName) => readonly FaultKind[] | undefined;
  /**
   * The names of a target's roles (TargetInfo.roles) over the test's node ids: a fault aimed at any other word is
   * refused, naming them. Undefined: unknown, do not check.
   */
  rolesOf?: (target: string, runtime: RuntimeName, nodes: readonly string[]) => readonly string[] | undefined;
  /** The workload a test of the target runs when it names none (TargetInfo.workload); else DEFAULTS.workload. */
  defaultWorkload?: (target: string, runtime: RuntimeName) => string | undefined;
  /** The target's nodes never talk among themselves (TargetInfo.peerless): its network faults may be the proxy's. */
  peerless?: (target: string, runtime: RuntimeName) => boolean;
  /**
   * What else makes a definition wrong once its names are known: a target that does not serve the workload's
   * operations, options neither declares. Each problem names its field (`path`).
   */
  conflicts?: (d: ConflictSubject) => Conflict[];
}

/** What of a definition `conflicts` reads: its names, options and (when given) its nemesis's faults. */
export type ConflictSubject = Pick<TestDefinition, 'target' | 'workload' | 'runtime' | 'options'> & { nemesis?: { faults?: readonly Fault[] } };

/** A problem with a definition, blamed on the field at `path`. */
export interface Conflict {
  path: PropertyKey[];
  message: string;
}

// ---- field schemas: each says what it expects in one phrase; the error reporter adds what it got ----

const expect = (what: string) => ({ error: `expected ${what}` });

const nameSchema = z.string(expect('a name of letters, digits, ., _ and -')).regex(NAME, expect('a name of letters, digits, ., _ and -'));
/** Target, workload and bug names are identifiers, so the default test name made of them is a valid name too. */
const identSchema = (what: string) => z.string(expect(`a ${what} name`)).regex(NAME, expect(`a ${what} name (letters, digits, ., _ and -)`));
/**
 * Bounds checked before anything starts, each with why: past them a run does not fail cleanly, it aborts V8 (a
 * billion client processes), runs for minutes before its first op (a thousand containers) or never ends.
 */
export const BOUNDS = {
  /** Logical client processes: each holds a client and its connections; Jepsen tests run tens, rarely thousands. */
  concurrency: 10_000,
  /**
   * Nodes the harness starts (sim and docker): each is a container (docker) or a simulated server, and a partition's
   * grudge grows with the square of them; Jepsen clusters are 3 to 9 nodes, 64 leaves room for a large ring.
   */
  nodes: 64,
  /** A day of workload: a nightly CI run is minutes; a longer soak is several runs. */
  timeLimit: 86_400,
  /** Ops per second across all processes: past a million the gap between ops is under a microsecond, i.e. unlimited. */
  maxRate: 1_000_000,
  /** The nemesis begins and heals a fault each interval: under 0.1 s the faults outrun the runtime that makes them. */
  minInterval: 0.1,
} as const;

const positiveInt = z.int(expect('a positive integer')).positive(expect('a positive integer'));
const concurrencySchema = positiveInt.max(BOUNDS.concurrency, expect(`at most ${BOUNDS.concurrency} client processes`));
const seconds = z.number(expect('a positive number of seconds')).positive(expect('a positive number of seconds'));
const timeLimitSchema = seconds.max(BOUNDS.timeLimit, expect(`at most ${BOUNDS.timeLimit} seconds (a day)`));
/** The nemesis interval's message for a value that is not one: positive first, then the bounds. */
function intervalProblem(x: unknown): string | undefined {
  if (typeof x !== 'number' || !(x > 0)) return `expected a positive number of seconds, got ${describeValue(x)}`;
  if (x < BOUNDS.minInterval) return `expected at least ${BOUNDS.minInterval} seconds (faults faster than that outrun the runtime that makes them), got ${describeValue(x)}`;
  if (x > BOUNDS.timeLimit) return `expected at most ${BOUNDS.timeLimit} seconds (a day), got ${describeValue(x)}`;
  return undefined;
}
const rateSchema = z
  .number(expect('a positive number of ops per second'))
  .positive(expect('a positive number of ops per second'))
  .max(BOUNDS.maxRate, expect(`at most ${BOUNDS.maxRate} ops per second (past that, leave --rate out: unlimited)`));
const seedSchema = z.int(expect(`an integer from 0 to ${MAX_SEED}`)).min(0, expect(`an integer from 0 to ${MAX_SEED}`)).max(MAX_SEED, expect(`an integer from 0 to ${MAX_SEED}`));
const runtimeSchema = z.enum(RUNTIMES, expect(`one of ${RUNTIMES.join(', ')}`));
const imagesSchema = z.enum(IMAGE_CHOICES, expect(`one of ${IMAGE_CHOICES.join(', ')}`));
const storeSchema = z.string(expect('a directory path')).min(1, expect('a directory path'));
/**
 * Target/workload options: any JSON data, as the replay command carries them as `--options <json>` and the store
 * records them as JSON. Values JSON cannot hold (Infinity, undefined, dates) are refused rather than changed.
 */
const optionsSchema = z.record(z.string(), z.unknown(), expect('a mapping of target and workload options')).transform((o, ctx) => {
  const bad = notJson(o, []);
  if (bad) {
    ctx.addIssue({ code: 'custom', path: bad.path, message: `expected JSON data (strings, finite numbers, booleans, null, lists, mappings), got ${describeValue(bad.value)}` });
    return z.NEVER;
  }
  return JSON.parse(JSON.stringify(o)) as Record<string, unknown>; // a copy; -0 becomes 0 as JSON would make it
});

function notJson(v: unknown, path: PropertyKey[]): { path: PropertyKey[]; value: unknown } | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : { path, value: v };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = notJson(v[i], [...path, i]);
      if (bad) return bad;
    }
    return undefined;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const [k, x] of Object.entries(v)) {
      const bad = notJson(x, [...path, k]);
      if (bad) return bad;
    }
    return undefined;
  }
  return { path, value: v };
}

/**
 * Plugin modules of targets and workloads to load (harness/plugins.ts): paths, made absolute where they
 * were given (the working directory for `--plugin`, the file's directory for `plugins:`), so a replay finds them.
 */
const pluginsSchema = z.array(z.string(expect('a module path')).min(1, expect('a module path')), expect('a list of module paths'));

/** A node name or address: one token, no commas (so `--nodes a,b,c` can carry any list). */
const NODE = /^[^\s,]+$/;
/** A number, as `--nodes` reads a count: a node may not be named like one, or `--nodes 3` would be ambiguous. */
export const NODE_COUNT = /^\s*[+-]?\d+(\.\d*)?\s*$/;
/**
 * `3abc`, `5x`, `1e9`: a count with a typo, which would otherwise run a cluster of one node of that name. An
 * address (`10.0.0.1:6379`, `n1=10.0.0.1:6379`) may begin with a digit: it has a `:` or `=`.
 */
export const COUNT_LIKE = /^\s*[+-]?\d[^:=]*$/;

/**
 * A count or a list of nodes, each a name, an address (`host:port`, external) or a node's fields (external). Which
 * the runtime takes is checked with the whole definition (external.ts clusterProblems).
 */
const nodesSchema = z.unknown().transform((v, ctx): number | NodeEntry[] => {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v > 0 && v <= BOUNDS.nodes) return v;
    const message = Number.isSafeInteger(v) && v > BOUNDS.nodes
      ? `expected at most ${BOUNDS.nodes} nodes (the harness starts each one), got ${v}`
      : `expected a positive node count or a list of node names, got ${describeValue(v)}`;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
  if (!Array.isArray(v) || v.length === 0) {
    ctx.addIssue({ code: 'custom', message: `expected a node count or a non-empty list of node names, got ${describeValue(v)}` });
    return z.NEVER;
  }
  const seen = new Set<string>();
  const objects: Problem[] = [];
  const entries = v.map((n: unknown, i): NodeEntry | undefined => {
    if (n !== null && typeof n === 'object' && !Array.isArray(n)) return readNodeObject(n, [i], objects);
    if (typeof n !== 'string' || !NODE.test(n)) {
      ctx.addIssue({ code: 'custom', path: [i], message: `expected a node name or address without spaces or commas, got ${describeValue(n)}` });
    } else if (NODE_COUNT.test(n)) {
      ctx.addIssue({ code: 'custom', path: [i], message: `a node name may not be a number (it would read as a node count), got ${describeValue(n)}` });
    } else if (COUNT_LIKE.test(n)) {
      ctx.addIssue({ code: 'custom', path: [i], message: `a node name may not begin with a digit (it reads as a mistyped node count), got ${describeValue(n)}` });
    } else if (seen.has(n)) {
      ctx.addIssue({ code: 'custom', path: [i], message: `node '${n}' is listed twice` });
    } else seen.add(n);
    return n as string;
  });
  addProblems(ctx, objects);
  return entries as NodeEntry[];
});

/** Problems found by external.ts's readers, as zod issues at their paths. */
function addProblems(ctx: z.core.$RefinementCtx, problems: readonly Problem[]): void {
  for (const p of problems) ctx.addIssue({ code: 'custom', path: [...p.path], message: p.message });
}

/** A field read by one of external.ts's readers. */
function readWith<T>(read: (v: unknown, at: PropertyKey[], out: Problem[]) => T | undefined) {
  return z.unknown().transform((v, ctx): T => {
    const out: Problem[] = [];
    const r = read(v, [], out);
    addProblems(ctx, out);
    return out.length > 0 || r === undefined ? z.NEVER : r;
  });
}

/** How each kind of node fault is made on an external cluster (ssh, docker or an exec hook), and its SSH login. */
const faultMethodsSchema = readWith(readFaultMethods);
const sshSchema = readWith(readSshSettings);

/**
 * One fault: `partition`, `partition:majority`, `{kind: partition, target: majority}`, or several started together:
 * `partition:bridge+latency:primary`, `{together: [...]}`. Returns the fault or a message (without a field name:
 * the caller knows where it came from).
 */
export function parseFault(v: unknown): Fault | string {
  // A '+' joins faults only before a kind's name: `offset=+60s` is a sign.
  if (typeof v === 'string' && /\+(?=\s*[A-Za-z])/.test(v)) return parseTogether(v.split(/\+(?=\s*[A-Za-z])/));
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'together' in v) {
    const extra = Object.keys(v).filter((k) => k !== 'together');
    if (extra.length) return `unknown fault field '${extra[0]}' next to 'together'`;
    const list = (v as { together: unknown }).together;
    if (!Array.isArray(list)) return `expected 'together' to list faults, got ${describeValue(list)}`;
    return parseTogether(list);
  }
  return parseSingleFault(v);
}

function parseTogether(items: readonly unknown[]): Fault | string {
  const together: SingleFault[] = [];
  for (const item of items) {
    const f = parseSingleFault(item);
    if (typeof f === 'string') return f;
    if (together.some((g) => g.kind === f.kind)) return `fault '${f.kind}' appears twice in one set of faults started together`;
    together.push(f);
  }
  if (together.length === 0) return 'expected at least one fault in a set of faults started together';
  return together.length === 1 ? together[0] : { together };
}

function parseSingleFault(v: unknown): SingleFault | string {
  let kind: unknown;
  let target: unknown;
  const raw: [string, unknown][] = [];
  if (typeof v === 'string') {
    const [k, ...rest] = v.trim().split(':').map((s) => s.trim());
    kind = k;
    for (const part of rest) {
      const eq = part.indexOf('=');
      if (eq >= 0) raw.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
      else if (target === undefined) target = part;
      else return `fault '${k}' names two targets ('${String(target)}', '${part}')`;
    }
  } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    ({ kind, target } = v as { kind?: unknown; target?: unknown });
    const known = Object.keys(FAULT_PARAMS[kind as FaultKind] ?? {});
    for (const [k, x] of Object.entries(v)) {
      if (k === 'kind' || k === 'target') continue;
      if (k === 'params' && x !== null && typeof x === 'object' && !Array.isArray(x)) {
        // The definition's own form (what parseDefinition returns): durations in ms.
        raw.push(...Object.entries(x));
        continue;
      }
      if (!known.includes(k)) return `unknown fault field '${k}' (known: kind, target${known.map((p) => `, ${p}`).join('')}, or together)`;
      raw.push([k, x]);
    }
  } else {
    return `expected a fault (${FAULT_KINDS.join(', ')}, optionally :${FAULT_TARGETS.join('|')}), got ${describeValue(v)}`;
  }
  const named = (x: unknown) => (typeof x === 'string' ? `'${x}'` : describeValue(x));
  if (!FAULT_KINDS.includes(kind as FaultKind)) return `unknown fault ${named(kind)} (known: ${FAULT_KINDS.join(', ')})`;
  const fault: SingleFault = { kind: kind as FaultKind };
  if (target !== undefined) {
    const role = roleOf(target);
    if (role !== undefined) {
      if (role === null) return `unknown target ${named(isRoleObject(target) ? target.role : target)} for fault '${String(kind)}' (known: ${FAULT_TARGETS.join(', ')}, or a role of the target)`;
      if (isProcessFault(kind as FaultKind)) return processTargetProblem(role, kind as ProcessFaultKind);
      if (kind === 'membership') return `target '${role}' names nodes; fault 'membership' is a join or a leave (targets: join, leave; none: either)`;
      fault.target = { role };
      return withParams(fault, raw);
    }
    if (!FAULT_TARGETS.includes(target as BuiltinTarget)) {
      return `unknown target ${named(target)} for fault '${String(kind)}' (known: ${FAULT_TARGETS.join(', ')}, or a role of the target)`;
    }
    if (kind !== 'partition' && PARTITION_SHAPES.includes(target as FaultTarget)) {
      return `target '${String(target)}' is a shape of partition, not of fault '${String(kind)}'`;
    }
    if (kind === 'membership' && !MEMBERSHIP_CHANGES.includes(target as FaultTarget)) {
      return `target '${String(target)}' names nodes; fault 'membership' is a join or a leave (targets: join, leave; none: either)`;
    }
    if (kind !== 'membership' && MEMBERSHIP_CHANGES.includes(target as FaultTarget)) {
      return `target '${String(target)}' is a membership change, not a target of fault '${String(kind)}'`;
    }
    if (isProcessFault(kind as FaultKind) && target !== 'random' && target !== 'all') return processTargetProblem(String(target), kind as ProcessFaultKind);
    fault.target = target as FaultTarget;
  }
  return withParams(fault, raw);
}

/** Why a process fault cannot aim at nodes, and what it takes instead. */
function processTargetProblem(target: string, kind: ProcessFaultKind): string {
  const does = kind === 'pause-client' ? 'stalls processes (targets: random, all; none: one in its critical section)' : 'crashes processes (targets: random, all; none: a consumer in the middle of a batch)';
  return `target '${target}' names nodes; fault '${kind}' ${does}`;
}

/** A `{role}` as a definition holds it (and a file may write it). */
function isRoleObject(v: unknown): v is { role: unknown } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && 'role' in v;
}

/**
 * The role a fault's target names: a word that is not a built-in target (or `{role}`), when it is a name; null when
 * it is meant as a role and is not a name; undefined when it is a built-in target or no role at all.
 */
function roleOf(target: unknown): string | null | undefined {
  const word = isRoleObject(target) ? target.role : target;
  if (typeof word !== 'string') return isRoleObject(target) ? null : undefined;
  if ((FAULT_TARGETS as readonly string[]).includes(word)) return isRoleObject(target) ? null : undefined;
  return NAME.test(word) ? word : null;
}

function withParams(fault: SingleFault, raw: readonly [string, unknown][]): SingleFault | string {
  if (raw.length > 0) {
    const params: Record<string, number> = {};
    for (const [name, value] of raw) {
      const p = parseFaultParam(fault.kind, name, value);
      if (typeof p === 'string') return p;
      if (name in params) return `fault '${fault.kind}' sets '${name}' twice`;
      params[name] = p;
    }
    fault.params = params;
  }
  return fault;
}

/** `partition,kill:primary,pause` (or `none`, or empty) → faults. The form of `--nemesis` and of a string in a file. */
export function parseFaultList(list: string): Fault[] | { index: number; message: string } {
  const s = list.trim();
  if (s === '' || s === 'none') return [];
  const faults: Fault[] = [];
  const parts = s.split(',');
  for (let i = 0; i < parts.length; i++) {
    const f = parseFault(parts[i]);
    if (typeof f === 'string') return { index: i, message: f };
    faults.push(f);
  }
  const dup = duplicateFault(faults);
  if (dup !== undefined) return { index: dup, message: `fault '${formatFault(faults[dup])}' is listed twice` };
  return faults;
}

export function formatFault(f: Fault): string {
  return faultsOf(f)
    .map((x) => [x.kind, ...(x.target ? [formatTarget(x.target)] : []), ...Object.entries(x.params ?? {}).map(([k, v]) => `${k}=${formatFaultParam(x.kind, k, v)}`)].join(':'))
    .join('+');
}

/** Inverse of parseFaultList. */
export function formatFaultList(faults: readonly Fault[]): string {
  return faults.length ? faults.map(formatFault).join(',') : 'none';
}

function duplicateFault(faults: readonly Fault[]): number | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < faults.length; i++) {
    const k = formatFault(faults[i]);
    if (seen.has(k)) return i;
    seen.add(k);
  }
  return undefined;
}

/**
 * The nemesis schedule, partial: a file may give a fault list (`partition,kill`, or a YAML list) or the mapping
 * `{faults, interval}`; the CLI gives `--nemesis` and `--nemesis-interval` separately. Defaults come later.
 */
const nemesisFieldsSchema = z.unknown().transform((v, ctx): Partial<NemesisSchedule> => {
  const faults = (list: unknown, path: PropertyKey[]): Fault[] | undefined => {
    if (typeof list === 'string') {
      const r = parseFaultList(list);
      if (Array.isArray(r)) return r;
      ctx.addIssue({ code: 'custom', path, message: r.message });
      return undefined;
    }
    if (!Array.isArray(list)) {
      ctx.addIssue({ code: 'custom', path, message: `expected a list of faults (${FAULT_KINDS.join(', ')}), got ${describeValue(list)}` });
      return undefined;
    }
    const out: Fault[] = [];
    list.forEach((item, i) => {
      const f = parseFault(item);
      if (typeof f === 'string') ctx.addIssue({ code: 'custom', path: [...path, i], message: f });
      else out.push(f);
    });
    if (out.length !== list.length) return undefined;
    const dup = duplicateFault(out);
    if (dup !== undefined) {
      ctx.addIssue({ code: 'custom', path: [...path, dup], message: `fault '${formatFault(out[dup])}' is listed twice` });
      return undefined;
    }
    return out;
  };
  if (typeof v === 'string' || Array.isArray(v)) {
    const f = faults(v, []);
    return f ? { faults: f } : z.NEVER;
  }
  if (v === null || typeof v !== 'object') {
    ctx.addIssue({ code: 'custom', message: `expected a list of faults or a mapping {faults, interval}, got ${describeValue(v)}` });
    return z.NEVER;
  }
  const out: Partial<NemesisSchedule> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'faults') {
      const f = faults(x, ['faults']);
      if (f) out.faults = f;
    } else if (k === 'interval') {
      const problem = intervalProblem(x);
      if (problem === undefined) out.interval = x as number;
      else ctx.addIssue({ code: 'custom', path: ['interval'], message: problem });
    } else {
      ctx.addIssue({ code: 'custom', path: [k], message: `unknown field (known: faults, interval)` });
    }
  }
  return out;
});

/** The fields of a definition, in the order they are printed. */
const fieldShape = {
  name: nameSchema,
  target: identSchema('target'),
  workload: identSchema('workload'),
  runtime: runtimeSchema,
  nodes: nodesSchema,
  concurrency: concurrencySchema,
  timeLimit: timeLimitSchema,
  rate: rateSchema,
  nemesis: nemesisFieldsSchema,
  faults: faultMethodsSchema,
  ssh: sshSchema,
  seed: seedSchema,
  store: storeSchema,
  bug: identSchema('bug'),
  images: imagesSchema,
  options: optionsSchema,
  plugins: pluginsSchema,
};

export const FIELD_NAMES = Object.keys(fieldShape) as (keyof typeof fieldShape)[];

/** A config file's or the CLI's part of a definition: every field optional, each checked on its own. */
export const definitionFieldsSchema = z.strictObject(fieldShape).partial();

export type DefinitionFields = z.output<typeof definitionFieldsSchema>;

const baseSchema = z.strictObject({
  name: nameSchema.optional(),
  target: fieldShape.target.default(DEFAULTS.target),
  // Filled once the target is known: a target may name its own (TargetInfo.workload), else DEFAULTS.workload.
  workload: fieldShape.workload.optional(),
  runtime: runtimeSchema.default(DEFAULTS.runtime),
  nodes: nodesSchema.optional(),
  concurrency: concurrencySchema.default(DEFAULTS.concurrency),
  timeLimit: timeLimitSchema.default(DEFAULTS.timeLimit),
  rate: rateSchema.optional(),
  nemesis: nemesisFieldsSchema.default({}),
  faults: faultMethodsSchema.optional(),
  ssh: sshSchema.optional(),
  seed: seedSchema.default(randomSeed),
  store: storeSchema.default(DEFAULTS.store),
  bug: fieldShape.bug.optional(),
  images: imagesSchema.optional(),
  options: optionsSchema.default(() => ({})),
  plugins: pluginsSchema.optional(),
});

/** The definition in its canonical form: keys in a fixed order, optional ones absent (not undefined), the nemesis complete. */
function canonical(d: z.output<typeof baseSchema> & { workload: string }, registry?: DefinitionRegistry) {
  return {
    name: d.name ?? defaultName(d.target, d.workload, d.bug),
    target: d.target,
    workload: d.workload,
    runtime: d.runtime,
    nodes: canonicalNodes(d.runtime, d.nodes ?? registry?.defaultNodes?.(d.target, d.runtime) ?? DEFAULTS.nodes),
    concurrency: d.concurrency,
    timeLimit: d.timeLimit,
    ...(d.rate !== undefined && { rate: d.rate }),
    nemesis: {
      faults: (d.nemesis.faults ?? defaultFaults(d.runtime)).map((f) => ('together' in f ? { together: f.together.map((x) => ({ ...x })) } : { ...f })),
      interval: d.nemesis.interval ?? DEFAULTS.nemesis.interval,
    } as NemesisSchedule,
    ...(d.faults !== undefined && { faults: canonicalFaults(d.faults) }),
    ...(d.ssh !== undefined && { ssh: canonicalSsh(d.ssh) }),
    seed: d.seed,
    store: d.store,
    ...(d.bug !== undefined && { bug: d.bug }),
    ...(d.images !== undefined && { images: d.images }),
    options: d.options,
    ...(d.plugins !== undefined && d.plugins.length > 0 && { plugins: [...new Set(d.plugins)] }),
  };
}

/** `primary-backup-register`, with the bug when there is one: runs of a buggy mode are stored apart. */
export function defaultName(target: string, workload: string, bug?: string): string {
  return [target, workload, bug].filter(Boolean).join('-');
}

/** The schema of a whole definition: defaults filled, cross-field rules and (given a registry) names checked. */
export function definitionSchema(registry?: DefinitionRegistry) {
  return baseSchema
    .transform((d) => ({ ...d, workload: d.workload ?? registry?.defaultWorkload?.(d.target, d.runtime) ?? DEFAULTS.workload }))
    .superRefine((d, ctx) => {
      // The cluster first: `--runtime external` without addresses says that before anything about its names.
      const cluster = clusterProblems(d);
      addProblems(ctx, cluster);
      const targetFaults = (d.nemesis.faults ?? defaultFaults(d.runtime)).flatMap(faultsOf);
      // What each fault is made as: a peerless target's network faults are the proxy's where the runtime has it.
      const peerless = registry?.peerless?.(d.target, d.runtime) ?? false;
      const can = d.runtime === 'external' ? externalFaultKinds(d.faults) : (registry?.faultsOf?.(d.runtime) ?? []);
      const kinds = targetFaults.map((f) => madeAs(f.kind, peerless, can));
      if (d.runtime !== 'external' && Array.isArray(d.nodes) && d.nodes.length > BOUNDS.nodes) {
        ctx.addIssue({ code: 'custom', path: ['nodes'], message: `expected at most ${BOUNDS.nodes} nodes for the ${d.runtime} runtime, got ${d.nodes.length}` });
      }
      for (const f of (d.nemesis.faults ?? defaultFaults(d.runtime)).flatMap(faultsOf)) {
        const refused = UNHONOURED_FAULT_PARAMS[d.runtime]?.[f.kind] ?? {};
        const param = Object.keys(f.params ?? {}).find((p) => Object.hasOwn(refused, p));
        if (param) ctx.addIssue({ code: 'custom', path: ['nemesis'], message: `the ${d.runtime} runtime cannot honour ${f.kind}:${param}=…: ${refused[param]}` });
      }
      if (d.runtime === 'external') {
        // What an external cluster can suffer depends on the methods the test names, not on the runtime alone.
        const unable = kinds.find((k) => !can.includes(k));
        if (unable) ctx.addIssue({ code: 'custom', path: ['nemesis'], message: noMethodFor(unable) });
      }
      if (!registry) return;
      const known = (what: string, name: string, names: readonly string[]) =>
        `unknown ${what} '${name}' (known: ${names.length ? names.join(', ') : 'none'})`;
      const targets = registry.targetsOf?.(d.runtime) ?? registry.knownTargets;
      if (!targets.includes(d.target)) {
        const message = known('target', d.target, targets);
        ctx.addIssue({ code: 'custom', path: ['target'], message: registry.targetsOf ? `${message} for the ${d.runtime} runtime` : message });
      } else if (d.bug !== undefined) {
        const bugs = registry.knownBugs?.(d.target, d.runtime);
        if (bugs && !bugs.includes(d.bug)) {
          ctx.addIssue({ code: 'custom', path: ['bug'], message: `${known('bug', d.bug, bugs)} of target '${d.target}'` });
        }
      }
      const faults = d.runtime === 'external' ? undefined : registry.faultsOf?.(d.runtime);
      const unable = faults && kinds.find((k) => !faults.includes(k));
      if (unable) {
        const why = isClientFault(unable)
          ? `: client faults are made by the fault proxy in front of real servers (runtimes ${RUNTIMES.filter((r) => registry.faultsOf?.(r)?.includes(unable) ?? true).join(', ')}); the ${d.runtime} runtime can: ${faults.join(', ')}`
          : ` (it can: ${faults.join(', ')})`;
        ctx.addIssue({ code: 'custom', path: ['nemesis'], message: `the ${d.runtime} runtime cannot inflict '${unable}'${why}` });
      }
      if (targets.includes(d.target)) {
        // Roles' names, not their nodes, are checked here: an external node without a name stands as its index.
        const nodes = Array.isArray(d.nodes) ? d.nodes.map((n, i) => (typeof n === 'string' ? n : (n.name ?? `n${i + 1}`))) : numberedNodes(d.nodes ?? registry.defaultNodes?.(d.target, d.runtime) ?? DEFAULTS.nodes, 1);
        const roles = registry.rolesOf?.(d.target, d.runtime, nodes);
        for (const f of targetFaults) {
          if (roles !== undefined && isRoleTarget(f.target) && !roles.includes(f.target.role)) {
            const has = roles.length ? `the roles of target '${d.target}': ${roles.join(', ')}` : `target '${d.target}' names no roles`;
            ctx.addIssue({ code: 'custom', path: ['nemesis'], message: `unknown target '${f.target.role}' for fault '${f.kind}' (known: ${FAULT_TARGETS.join(', ')}; ${has})` });
          }
          if (f.kind === 'partition' && madeAs(f.kind, peerless, can) !== f.kind && PARTITION_SHAPES.includes(f.target as FaultTarget)) {
            ctx.addIssue({
              code: 'custom',
              path: ['nemesis'],
              message: `target '${d.target}' is peerless (its nodes never talk among themselves): a partition cuts nodes off from the clients, and '${formatTarget(f.target as FaultTarget)}' is a shape of the links between nodes (aim at nodes or a role instead)`,
            });
          }
        }
      }
      if (!registry.knownWorkloads.includes(d.workload)) {
        ctx.addIssue({ code: 'custom', path: ['workload'], message: known('workload', d.workload, registry.knownWorkloads) });
      } else if (targets.includes(d.target)) {
        for (const c of registry.conflicts?.(d) ?? []) ctx.addIssue({ code: 'custom', path: c.path, message: c.message });
      }
    })
    .transform((d) => canonical(d, registry));
}

export type TestDefinition = z.output<ReturnType<typeof definitionSchema>>;
export type TestDefinitionInput = z.input<typeof baseSchema>;

/** Node ids: the given names (an external node's `name`), or n1…nN for a count (Jepsen's names). */
export function nodeNames(def: Pick<TestDefinition, 'nodes'>): string[] {
  if (!Array.isArray(def.nodes)) return numberedNodes(def.nodes, 1);
  return (def.nodes as readonly (string | ExternalNode)[]).map((n) => (typeof n === 'string' ? n : n.name));
}

/** The nodes of an external cluster's definition (`runtime: external`), in order; none for the other runtimes. */
export function externalNodesOf(def: Pick<TestDefinition, 'runtime' | 'nodes'>): ExternalNode[] {
  if (def.runtime !== 'external' || !Array.isArray(def.nodes)) return [];
  return (def.nodes as readonly (string | ExternalNode)[]).filter((n): n is ExternalNode => typeof n !== 'string');
}


/**
 * What is legal but likely not meant: a schedule under which no fault begins, as the nemesis is quiet for the
 * first half of each interval (harness/nemesis/nemesis.ts), so an interval of twice the time limit or more ends the
 * run before its first fault. Warned about (stderr and run.log), not refused: the defaults make such a schedule
 * (`faultline run --time-limit 2`, a quick look, interval 5 s) and every replay line names its interval, so a
 * refusal would refuse the replay of a run that ran. A CI suite that wants faults reads the warning in run.log.
 */
export function definitionWarnings(def: Pick<TestDefinition, 'timeLimit' | 'nemesis'>): string[] {
  const { faults, interval } = def.nemesis;
  if (faults.length === 0 || interval / 2 < def.timeLimit) return [];
  return [
    `no fault will begin: the nemesis waits half an interval (${interval / 2} s) before its first fault, and the time limit is ${def.timeLimit} s (give --nemesis-interval under ${2 * def.timeLimit}, a longer --time-limit, or --nemesis none)`,
  ];
}
