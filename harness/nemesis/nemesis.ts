import { faultsOf, isRoleTarget, type Fault, type FaultTarget, type SingleFault } from '../config/definition.js';
import { isPeerlessFault, type FaultKind } from '../config/vocabulary.js';
import type { Rng } from '../rng.js';
import type { Clock, Cluster, FaultDone } from '../runtime.js';
import type { OpInput } from '../store/index.js';
import { aimNodes, aimPartition, variedTarget, type Sight } from './aim.js';
import { EFFECTS, PROXIED_EFFECTS, type Inflicted } from './effects.js';
import { changeMembership } from './membership.js';
import type { ProcessControl } from './process-pauses.js';
import { andThen, settle } from './settle.js';

/**
 * What the nemesis knows of the target it breaks (TargetInfo): its roles over the nodes the nemesis sees, the role
 * each kind of fault aims at when the spec names no target (else the varied choice), and whether its nodes never talk
 * among themselves (then a network fault is made by the runtime's fault proxy, where it has one).
 */
export interface Aiming {
  readonly roles?: Readonly<Record<string, readonly string[]>>;
  readonly aims?: Readonly<Partial<Record<FaultKind, string>>>;
  readonly peerless?: boolean;
}

/**
 * Jepsen's combined nemesis on a schedule: each cycle (the schedule's interval) is quiet for its first half and
 * faulty for its second. The faults of the list take turns; a set of faults (`a+b`) starts and heals together,
 * every member aimed at the same view of the cluster (so `partition:bridge+crash-loop:primary` crash-loops the
 * very node that bridges). Each start and stop is recorded as Jepsen's nemesis records them: two `process:
 * "nemesis"` `info` ops, one as it begins (value null, before the runtime is asked) and one once it is done (naming
 * exactly what was done, with any `error`), so a fault's interval starts when the nemesis began it, not when a real
 * runtime got round to confirming it. Like Jepsen's nemesis, this is one process doing one thing at a time: the
 * members of a set start one after another, so its ops alternate begin, completion. Each fault is undone before the
 * next. `stop()` undoes whatever is still in force: the cluster is whole again. A membership change is the one
 * exception: a change of state, not a fault, it stays when its window ends (its stop is recorded, undoing nothing).
 */
export class Nemesis {
  private undo: (() => FaultDone) | undefined;
  private kind: string | undefined;
  private stopped = false;
  private cycle = 0;

  constructor(
    private readonly cluster: Pick<Cluster, 'nodes' | 'faults' | 'primaries'>,
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly record: (op: OpInput) => void,
    private readonly faults: readonly Fault[],
    private readonly intervalMs: number,
    private readonly processes?: ProcessControl,
    private readonly aiming: Aiming = {},
  ) {}

  /** The fault in force now, for progress lines. */
  get current(): string {
    return this.kind ?? 'none';
  }

  start(): void {
    if (this.faults.length > 0) this.clock.at(this.intervalMs / 2, () => this.begin());
  }

  /** Stops the schedule and undoes the fault in force; resolves once it is undone (at once in the simulation). */
  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve(this.end());
  }

  private begin(): void {
    if (this.stopped) return;
    const set = faultsOf(this.faults[this.cycle++ % this.faults.length]);
    const sight: Sight = { nodes: this.cluster.nodes, primaries: this.cluster.primaries?.() ?? [], rng: this.rng, roles: this.aiming.roles };
    // One member at a time (at once in the simulation); `inForce` never rejects (a failure is recorded as an error).
    const undos: (() => FaultDone)[] = [];
    let inForce: FaultDone = undefined;
    for (const f of set) {
      inForce = andThen(inForce, () => {
        const { started, undo } = this.inflict(f, sight);
        undos.push(undo);
        return started;
      });
    }
    const whenInForce = inForce;
    this.kind = set.map((f) => f.kind).join('+');
    this.undo = () => andThen(whenInForce, () => undos.reverse().reduce<FaultDone>((r, u) => andThen(r, u), undefined));
    this.clock.at(this.intervalMs / 2, () => {
      const undone = this.end();
      if (this.stopped) return;
      // One thing at a time: the next fault begins once this one is undone (a real runtime's restart of every node
      // can outlast the quiet half under load; undone never rejects). At once in the simulation.
      this.clock.at(this.intervalMs / 2, () => {
        if (undone instanceof Promise) void undone.then(() => this.clock.at(0, () => this.begin()));
        else this.begin();
      });
    });
  }

  private end(): FaultDone {
    const undo = this.undo;
    this.undo = undefined;
    this.kind = undefined;
    return undo?.();
  }

  /**
   * Starts one fault, recording it as it begins and once it is in force (`started` settles then, never rejecting),
   * and gives how to undo it, recorded the same way. A fault a real runtime could not inflict or undo is recorded
   * with its `error`: the history says what happened.
   */
  private inflict(fault: SingleFault, sight: Sight): { started: FaultDone; undo: () => FaultDone } {
    const faults = this.cluster.faults;
    // A peerless target's network faults are the proxy's, where the runtime has one (not the simulation's).
    const proxy = this.aiming.peerless === true && faults.client !== undefined && isPeerlessFault(fault.kind);
    const target = fault.target ?? this.defaultTarget(fault.kind, sight.nodes.length, !proxy);
    const start = `start-${fault.kind}`;
    const stop = `stop-${fault.kind}`;
    this.note(start, null);
    let done: Inflicted;
    if (proxy && isPeerlessFault(fault.kind)) {
      done = PROXIED_EFFECTS[fault.kind]({ faults, clock: this.clock, rng: this.rng, params: fault.params ?? {} }, aimNodes(target, sight));
    } else if (fault.kind === 'partition') {
      const grudge = aimPartition(target, sight);
      done = { value: grudge, started: faults.partition(grudge), undo: () => faults.heal() };
    } else if (fault.kind === 'pause-client') {
      done = this.pauseClients(fault);
    } else if (fault.kind === 'crash-client') {
      done = this.crashClients(fault);
    } else if (fault.kind === 'membership') {
      done = changeMembership(faults, target, fault.target === undefined, this.rng);
    } else {
      done = EFFECTS[fault.kind]({ faults, clock: this.clock, rng: this.rng, params: fault.params ?? {} }, aimNodes(target, sight));
    }
    // A role's fault says which role it hit (the nodes alone would not say why them).
    if (isRoleTarget(target)) done = { ...done, value: aimedAt(target.role, done.value), ...('undoneValue' in done && { undoneValue: aimedAt(target.role, done.undoneValue) }) };
    const started = settle(done.started, (error) => this.note(start, done.value, error));
    const undo = () => {
      this.note(stop, null);
      return settle(done.undo(), (error) => this.note(stop, 'undoneValue' in done ? done.undoneValue : done.value, error));
    };
    return { started, undo };
  }

  /** The target's default aim for the kind (a role), else one varied from cycle to cycle. */
  private defaultTarget(kind: FaultKind, n: number, shapes: boolean): FaultTarget {
    const role = this.aiming.aims?.[kind];
    return role !== undefined ? { role } : variedTarget(kind, n, this.rng, shapes);
  }

  /**
   * Stalls processes: with no target, the ones inside a critical section now (one of them, else one running process
   * at random); `random`, one running process; `all`, every one. With a `duration` the stall ends early; either way
   * the undo resumes them.
   */
  private pauseClients(fault: SingleFault): Inflicted {
    const control = this.processes;
    if (!control) throw new Error('this run has no processes the nemesis can pause');
    const { chosen, critical } = this.chooseProcesses(fault, control.running(), control.critical());
    const duration = fault.params?.duration;
    control.stall(chosen);
    let resumed = false;
    const resume = () => {
      if (resumed) return;
      resumed = true;
      control.resume(chosen);
    };
    if (duration !== undefined) this.clock.at(duration, resume);
    const value = { processes: chosen, critical, ...(duration !== undefined && { ms: duration }) };
    return { value, started: undefined, undo: resume };
  }

  /**
   * Crashes processes: with no target, one the workload says is in the middle of things (a consumer of the group,
   * whose crash mid-batch leaves entries the group must redeliver), else one running process at random; `random`,
   * one running process; `all`, every one. A point fault: nothing is undone, and the stop record names the same
   * processes. Each crash shows in the history as the crashed process's `info` op, when it happened.
   */
  private crashClients(fault: SingleFault): Inflicted {
    const control = this.processes;
    if (!control) throw new Error('this run has no processes the nemesis can crash');
    const { chosen, critical } = this.chooseProcesses(fault, control.running(), control.critical({ inFlight: true }));
    control.crash(chosen);
    return { value: { processes: chosen, critical }, started: undefined, undo: () => undefined };
  }

  /**
   * The processes a process fault hits: `all`, every running one; with no target, one inside its critical section
   * when there is one (`critical`: whether it was), else one running process at random; `random`, likewise.
   */
  private chooseProcesses(fault: SingleFault, running: readonly number[], inSection: readonly number[]): { chosen: number[]; critical: boolean } {
    if (fault.target === 'all') return { chosen: [...running], critical: false };
    if (fault.target === undefined && inSection.length > 0) return { chosen: [this.rng.pick(inSection)], critical: true };
    return { chosen: running.length ? [this.rng.pick(running)] : [], critical: false };
  }

  private note(f: string, value: unknown, error?: string): void {
    this.record({ process: 'nemesis', type: 'info', f, value, ...(error !== undefined && { error }) });
  }
}

/** A fault's value with the role it was aimed at: `{role, nodes}` for a list of nodes, `{role, grudge}` for a partition's. */
function aimedAt(role: string, value: unknown): unknown {
  if (Array.isArray(value)) return { role, nodes: value };
  if (value !== null && typeof value === 'object' && 'nodes' in value) return { role, ...value };
  return { role, grudge: value };
}
