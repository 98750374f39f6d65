import { usageError } from './errors.js';
import { noOptions, type Checker, type CheckerVerdict } from '../checkers/registry.js';
import { isModel, isModelSpec, modelFor, modelValue, MODEL_NAMES, type Model, type ModelRef, type ModelSpec } from '../checkers/models/index.js';
import type { Workload } from '../workloads/workload.js';
import { defaultFaults, FAULT_TARGETS, faultsOf, type Conflict, type ConflictSubject, type DefinitionRegistry } from './config/definition.js';
import { describeValue, FAULT_KINDS, isProcessFault, NAME, type FaultKind, type RuntimeName } from './config/vocabulary.js';
import { numberedNodes } from './node.js';
import { imageRolesProblem } from './runtimes/docker/image-roles.js';
import type { DockerTarget } from './runtimes/docker/target.js';
import { RUNTIME_FAULTS } from './runtimes/capabilities.js';
import type { SimTarget } from './runtimes/sim/target.js';
import type { OptionSpec, TargetInfo } from './target.js';

/**
 * What a plugin brings: targets for each runtime, workloads and checkers. faultline's own are plugins too
 * (targets/index.ts, workloads/index.ts, harness/builtins.ts), registered the same way a user's are.
 */
export interface Plugin {
  /** Named in errors, so a clash says which plugin brought what. */
  readonly name: string;
  readonly simTargets?: readonly SimTarget[];
  readonly dockerTargets?: readonly DockerTarget[];
  readonly workloads?: readonly Workload[];
  /** Checkers, by the name a workload's `checker` and `--checker` use. */
  readonly checkers?: readonly Checker<any>[];
  /**
   * Models for the linearizable checker, by the name a workload's `model` and `--model` use: a model value with a
   * `name` (made with defineModel, so it runs on worker threads too), or, for faultline's own, a built-in's spec.
   */
  readonly models?: readonly (Model<any> | ModelSpec)[];
}

const PLUGIN_FIELDS: readonly string[] = ['name', 'simTargets', 'dockerTargets', 'workloads', 'checkers', 'models'];

/**
 * The one registry of what a test can be made of: targets per runtime and workloads, by name. The CLI and config
 * files name things; this resolves the names and is the one place that checks a test fits together (the target
 * exists for the runtime, has the bug, serves the workload's operations, takes the options; the runtime can
 * inflict the faults) before anything starts.
 */
export class Registry {
  private readonly sim = new Map<string, { target: SimTarget; plugin: string }>();
  private readonly docker = new Map<string, { target: DockerTarget; plugin: string }>();
  private readonly workloads = new Map<string, { workload: Workload; plugin: string }>();
  private readonly checkers = new Map<string, { checker: Checker<CheckerVerdict>; plugin: string }>();
  private readonly models = new Map<string, { model: Model<any> | ModelSpec; plugin: string }>();

  constructor(plugins: readonly Plugin[] = []) {
    for (const p of plugins) this.use(p);
  }

  /** Adds a plugin's targets and workloads; a name already taken, or a malformed declaration, is a usage error. */
  use(plugin: Plugin): this {
    const unknown = Object.keys(plugin).find((k) => !PLUGIN_FIELDS.includes(k));
    if (unknown !== undefined) throw usageError(`plugin ${plugin.name}: unknown field '${unknown}' (known: ${PLUGIN_FIELDS.join(', ')})`);
    for (const t of plugin.simTargets ?? []) add(this.sim, 'target', t.name, { target: declaredSimTarget(plugin, t), plugin: plugin.name }, 'for the sim runtime ');
    for (const t of plugin.dockerTargets ?? []) add(this.docker, 'target', t.name, { target: declaredDockerTarget(plugin, t), plugin: plugin.name }, 'for the docker runtime ');
    for (const w of plugin.workloads ?? []) add(this.workloads, 'workload', w.name, { workload: declaredWorkload(plugin, w), plugin: plugin.name }, '');
    for (const c of plugin.checkers ?? []) add(this.checkers, 'checker', c.name, { checker: declaredChecker(plugin, c), plugin: plugin.name }, '');
    for (const m of plugin.models ?? []) {
      const model = declaredModel(plugin, m);
      add(this.models, 'model', model.name as string, { model, plugin: plugin.name }, '');
    }
    return this;
  }

  modelNames(): string[] {
    return [...this.models.keys()];
  }

  /**
   * The model of that name, as the linearizable checker takes it: a built-in's spec (with `options`; workers build
   * it by name) or a plugin's model value. A name not registered, or options for a model that takes none, is a
   * usage error.
   */
  model(name: string, options?: Record<string, unknown>): ModelRef {
    const m = this.models.get(name)?.model;
    if (!m) throw usageError(`unknown model '${name}' (known: ${this.modelNames().join(', ') || 'none'}; or a module's path#export)`);
    if (isModel(m)) {
      if (options !== undefined) throw usageError(`model ${name} is a plugin's model value: it takes no options`);
      return m;
    }
    const spec = options === undefined ? m : { ...m, options };
    modelFor(spec);
    return spec;
  }

  checkerNames(): string[] {
    return [...this.checkers.keys()];
  }

  /** The checker of that name; a name not registered is a usage error naming the known ones. */
  checker(name: string): Checker<CheckerVerdict> {
    const c = this.checkers.get(name)?.checker;
    if (!c) throw usageError(`unknown checker '${name}' (known: ${this.checkerNames().join(', ') || 'none'})`);
    return c;
  }

  /** The checker that gave a result, when it is registered (a stored run's may not be: its plugin is not loaded). */
  checkerOf(result: CheckerVerdict): Checker<CheckerVerdict> | undefined {
    return this.checkers.get(result.checker)?.checker;
  }

  simTargets(): ReadonlyMap<string, SimTarget> {
    return new Map([...this.sim].map(([k, v]) => [k, v.target]));
  }

  dockerTargets(): ReadonlyMap<string, DockerTarget> {
    return new Map([...this.docker].map(([k, v]) => [k, v.target]));
  }

  /** The Docker targets that also run on a cluster the user started (they declare `external`). */
  externalTargets(): ReadonlyMap<string, DockerTarget> {
    const external = [...this.docker].filter(([, v]) => v.target.external !== undefined);
    // Only the bugs of the clients: the nodes are the user's.
    return new Map(external.map(([k, v]) => [k, { ...v.target, bugs: v.target.external?.bugs ?? [] }]));
  }

  target(runtime: RuntimeName, name: string): TargetInfo | undefined {
    return this.targetsFor(runtime).get(name);
  }

  targetNames(runtime: RuntimeName): string[] {
    return [...this.targetsFor(runtime).keys()];
  }

  private targetsFor(runtime: RuntimeName): ReadonlyMap<string, TargetInfo> {
    switch (runtime) {
      case 'sim':
        return this.simTargets();
      case 'docker':
        return this.dockerTargets();
      case 'external':
        return this.externalTargets();
    }
  }

  workloadNames(): string[] {
    return [...this.workloads.keys()];
  }

  /** The workload a definition names; a name not registered is a usage error naming the known ones. */
  workload(name: string): Workload {
    const w = this.workloads.get(name)?.workload;
    if (!w) throw usageError(`unknown workload '${name}' (known: ${this.workloadNames().join(', ') || 'none'})`);
    return w;
  }

  /**
   * What the runtime declares it can inflict (SimRuntime.faults, DockerRuntime.faults). On the external runtime,
   * what it can with no method named (the fault proxy's client faults): the definition adds the node faults its
   * `faults` names a method for (config/external.ts externalFaultKinds).
   */
  faultsOf(runtime: RuntimeName): readonly FaultKind[] {
    return RUNTIME_FAULTS[runtime];
  }

  /**
   * Everything that makes a definition wrong, given its names exist: its workload asks for operations the target
   * does not serve, an option neither declares or one its declaration refuses, or its nemesis changes the
   * membership of a target that has none (where the runtime could: elsewhere the runtime's refusal says it).
   */
  conflicts(d: ConflictSubject): Conflict[] {
    const target = this.target(d.runtime, d.target);
    const workload = this.workloads.get(d.workload)?.workload;
    if (!target || !workload) return [];
    const problems: Conflict[] = [];
    const checker = this.checkers.get(workload.checker)?.checker;
    if (!checker) {
      problems.push({ path: ['workload'], message: `workload '${workload.name}' is judged by checker '${workload.checker}', which is not registered (known: ${this.checkerNames().join(', ') || 'none'})` });
    } else if (checker.needsModel && workload.model === undefined) {
      problems.push({ path: ['workload'], message: `workload '${workload.name}' is judged by checker '${checker.name}', which needs a model, and names none` });
    } else if (!checker.needsModel && workload.model !== undefined) {
      problems.push({ path: ['workload'], message: `workload '${workload.name}' names model '${workload.model}', but its checker '${checker.name}' takes none` });
    }
    if (workload.model !== undefined && !this.models.has(workload.model)) {
      problems.push({ path: ['workload'], message: `workload '${workload.name}' is held to model '${workload.model}', which is not registered (known: ${this.modelNames().join(', ') || 'none'})` });
    }
    const serves = (w: Workload) => Object.keys(w.operations).filter((f) => !target.operations.includes(f));
    const missing = serves(workload);
    if (missing.length > 0) {
      const fits = [...this.workloads.values()].filter(({ workload: w }) => serves(w).length === 0).map(({ workload: w }) => w.name);
      problems.push({
        path: ['workload'],
        message:
          `target '${target.name}' cannot run workload '${workload.name}': it has no ${quoteList(missing)} operation${missing.length > 1 ? 's' : ''}` +
          ` (it serves ${quoteList(target.operations) || 'none'}; workloads that fit: ${fits.join(', ') || 'none'})`,
      });
    }
    const kinds = (d.nemesis?.faults ?? defaultFaults(d.runtime)).flatMap(faultsOf).map((f) => f.kind);
    if (kinds.includes('membership') && !target.membership && this.faultsOf(d.runtime).includes('membership')) {
      const can = this.targetNames(d.runtime).filter((t) => this.target(d.runtime, t)?.membership);
      problems.push({
        path: ['nemesis'],
        message: `target '${target.name}' cannot suffer fault 'membership': its nodes do not join and leave a membership (targets that do: ${can.join(', ') || 'none'})`,
      });
    }
    const owners: [string, Readonly<Record<string, OptionSpec>>][] = [
      [`target '${target.name}'`, target.options ?? {}],
      [`workload '${workload.name}'`, workload.options ?? {}],
    ];
    const known = owners.flatMap(([, specs]) => Object.keys(specs));
    for (const [key, value] of Object.entries(d.options)) {
      const declaring = owners.filter(([, specs]) => Object.hasOwn(specs, key));
      if (declaring.length === 0) {
        const none = `target '${target.name}' and workload '${workload.name}' take none`;
        problems.push({ path: ['options', key], message: `unknown option '${key}' (known: ${known.length ? [...new Set(known)].join(', ') : none})` });
      }
      for (const [owner, specs] of declaring) {
        const r = specs[key].schema.safeParse(value);
        if (!r.success) {
          const why = r.error.issues[0]?.message ?? 'refused';
          problems.push({ path: ['options', key], message: `option '${key}': ${why}, got ${describeValue(value)} (${owner}: ${specs[key].description})` });
        }
      }
    }
    return problems;
  }

  /** The view the definition schema checks names against (harness/config knows no registry). */
  definitions(): DefinitionRegistry {
    return {
      knownTargets: this.targetNames('sim'),
      knownWorkloads: this.workloadNames(),
      targetsOf: (runtime) => this.targetNames(runtime),
      knownBugs: (t, runtime) => this.target(runtime, t)?.bugs,
      defaultNodes: (t, runtime) => this.target(runtime, t)?.defaultNodes,
      faultsOf: (runtime) => this.faultsOf(runtime),
      rolesOf: (t, runtime, nodes) => {
        const target = this.target(runtime, t);
        return target && Object.keys(target.roles?.(nodes) ?? {});
      },
      peerless: (t, runtime) => this.target(runtime, t)?.peerless === true,
      defaultWorkload: (t, runtime) => this.target(runtime, t)?.workload,
      conflicts: (d) => this.conflicts(d),
    };
  }
}

function add<V>(map: Map<string, V & { plugin: string }>, what: string, name: string, entry: V & { plugin: string }, where: string): void {
  const had = map.get(name);
  if (had) throw usageError(`plugin ${entry.plugin}: ${what} '${name}' ${where}is already registered by ${had.plugin}`);
  map.set(name, entry);
}

/*
 * What a plugin written in plain JavaScript may get wrong in a declaration is refused at registration, naming it:
 * an undeclared operation would otherwise surface as a target answering `fail` to everything, which checks fine.
 */
function nameOf(plugin: Plugin, x: { name?: unknown } | undefined): string {
  if (typeof x?.name === 'string' && NAME.test(x.name)) return x.name;
  throw usageError(`plugin ${plugin.name}: ${describeValue(x?.name)} is not a name (letters, digits, ., _ and -)`);
}

function declaredTarget<T extends TargetInfo>(plugin: Plugin, t: T): T {
  const name = nameOf(plugin, t);
  const ops: unknown = t.operations;
  if (!Array.isArray(ops) || ops.length === 0 || !ops.every((f) => typeof f === 'string')) {
    throw usageError(`plugin ${plugin.name}: target '${name}' must declare its operations (a non-empty list of f names)`);
  }
  const problem = aimingProblem(t);
  if (problem !== undefined) throw usageError(`plugin ${plugin.name}: target '${name}' ${problem}`);
  const workload: unknown = t.workload;
  if (workload !== undefined && (typeof workload !== 'string' || !NAME.test(workload))) {
    throw usageError(`plugin ${plugin.name}: target '${name}' names its workload as ${describeValue(workload)}: a workload's name, or absent`);
  }
  return t;
}

/**
 * What is wrong with a target's roles, default aims and peerless flag, if anything: a role that a fault could not be
 * aimed at by name (a built-in target's word, not a name), an aim at no role or of a fault that aims at no nodes.
 * The roles' names are read over the target's default nodes (they must not depend on the nodes).
 */
function aimingProblem(t: TargetInfo): string | undefined {
  const { roles, aims, peerless } = t as { roles?: unknown; aims?: unknown; peerless?: unknown };
  if (peerless !== undefined && peerless !== true) return `declares peerless as ${describeValue(peerless)}: true or absent`;
  if (roles !== undefined && typeof roles !== 'function') return `declares roles as ${describeValue(roles)}: a function of the node ids to {role: nodes}`;
  const groups: unknown = t.roles?.(numberedNodes(t.defaultNodes, 1)) ?? {};
  if (groups === null || typeof groups !== 'object' || Array.isArray(groups)) return `has roles() that returned ${describeValue(groups)}: a mapping of role names to lists of node ids`;
  for (const [role, nodes] of Object.entries(groups)) {
    if (!NAME.test(role) || (FAULT_TARGETS as readonly string[]).includes(role)) return `names a role '${role}', which a fault could not aim at (a name of letters, digits, ., _ and -, not one of ${FAULT_TARGETS.join(', ')})`;
    if (!Array.isArray(nodes) || !nodes.every((n) => typeof n === 'string')) return `has role '${role}' of ${describeValue(nodes)}: a list of node ids`;
  }
  if (aims === undefined) return undefined;
  if (aims === null || typeof aims !== 'object' || Array.isArray(aims)) return `declares aims as ${describeValue(aims)}: a mapping of fault kinds to role names`;
  for (const [kind, role] of Object.entries(aims)) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind) || isProcessFault(kind as FaultKind) || kind === 'membership') return `aims fault '${kind}', which does not aim at nodes (known: ${FAULT_KINDS.filter((k) => !isProcessFault(k) && k !== 'membership').join(', ')})`;
    if (typeof role !== 'string' || !Object.hasOwn(groups, role)) return `aims fault '${kind}' at ${describeValue(role)}, which is not one of its roles (${Object.keys(groups).join(', ') || 'none'})`;
  }
  return undefined;
}

/**
 * A simulation target that declares membership says how the simulation changes it (SimMembership): `true` alone
 * would let a run start and fail at its first membership fault.
 */
function declaredSimTarget(plugin: Plugin, t: SimTarget): SimTarget {
  declaredTarget(plugin, t);
  const m: unknown = t.membership;
  if (m === undefined) return t;
  const hook = m as Record<string, unknown>;
  const fits = typeof m === 'object' && m !== null && ['initial', 'candidates', 'request'].every((f) => typeof hook[f] === 'function') && Number.isInteger(hook.minMembers) && (hook.minMembers as number) >= 0;
  if (!fits) throw usageError(`plugin ${plugin.name}: target '${t.name}' declares membership, which the simulation needs as { initial, candidates, minMembers, request }, got ${describeValue(m)}`);
  return t;
}

/** A Docker target also declares the images of its roles: the runtime resolves them, and refuses what it cannot run. */
function declaredDockerTarget(plugin: Plugin, t: DockerTarget): DockerTarget {
  declaredTarget(plugin, t);
  const problem = imageRolesProblem((t as { images?: unknown }).images);
  if (problem !== undefined) throw usageError(`plugin ${plugin.name}: target '${t.name}' ${problem}`);
  return t;
}

function declaredWorkload(plugin: Plugin, w: Workload): Workload {
  const name = nameOf(plugin, w);
  const ops: unknown = w.operations;
  const shapes = ops !== null && typeof ops === 'object' && !Array.isArray(ops) ? Object.values(ops) : [];
  if (shapes.length === 0 || !shapes.every((s: unknown) => typeof (s as { safeParse?: unknown })?.safeParse === 'function')) {
    throw usageError(`plugin ${plugin.name}: workload '${name}' must declare its operations (a mapping of f to the zod schema of its value)`);
  }
  return w;
}

/**
 * A model must be a model value with a name (checked as the search will use it), or the spec of a built-in: a
 * malformed one is refused here, naming the plugin, rather than when a run ends and its history is checked.
 */
function declaredModel(plugin: Plugin, m: Model<any> | ModelSpec): Model<any> | ModelSpec {
  if (typeof m === 'object' && m !== null && isModel(m)) {
    const name = nameOf(plugin, m);
    return modelValue(m, `plugin ${plugin.name}: model '${name}'`);
  }
  if (typeof m !== 'object' || m === null || !isModelSpec(m) || typeof m.name !== 'string' || !MODEL_NAMES.includes(m.name)) {
    throw usageError(`plugin ${plugin.name}: ${describeValue(m)} is not a model (an object with name, init and step)`);
  }
  return m;
}

function quoteList(xs: readonly string[]): string {
  return xs.map((x) => `'${x}'`).join(', ');
}

/** A checker must have a name, check and explain: the rest of its presentation has defaults (checkers/registry.ts). */
function declaredChecker(plugin: Plugin, c: Checker<any>): Checker<CheckerVerdict> {
  const name = nameOf(plugin, c);
  for (const f of ['check', 'explain'] as const) {
    if (typeof c[f] !== 'function') throw usageError(`plugin ${plugin.name}: checker '${name}' has no ${f}() function`);
  }
  if (typeof c.parseOptions !== 'function') return { ...c, parseOptions: noOptions(name) };
  return c;
}
