import type { Fault, FaultKind } from './config/definition.js';
import type { Rng } from './rng.js';
import type { Clock, Cluster, Faults } from './runtime.js';
import type { OpInput } from './store/index.js';

/** Extra delay of the latency fault, and the drop probability of the loss fault. */
const LATENCY = { min: 50, max: 150 };
const LOSS = 0.3;

/** Faults on chosen nodes: how to start each (what it returns is recorded, else the nodes) and how to undo it. */
const EFFECTS: Record<Exclude<FaultKind, 'partition'>, { start(f: Faults, nodes: string[]): unknown; stop(f: Faults, nodes: string[]): void }> = {
  kill: { start: (f, ns) => ns.forEach((n) => f.kill(n)), stop: (f, ns) => ns.forEach((n) => f.restart(n)) },
  pause: { start: (f, ns) => ns.forEach((n) => f.pause(n)), stop: (f, ns) => ns.forEach((n) => f.resume(n)) },
  latency: {
    start: (f, ns) => (f.slow(ns, LATENCY), { nodes: ns, ms: LATENCY }),
    stop: (f) => f.heal(),
  },
  loss: {
    start: (f, ns) => (f.lose(ns, LOSS), { nodes: ns, p: LOSS }),
    stop: (f) => f.heal(),
  },
};

/**
 * Jepsen's combined nemesis on a schedule: each cycle (the schedule's interval) is quiet for its first half and
 * faulty for its second. Faults take turns; each is aimed as its `target` says (the primary, a random node, a
 * majority or a minority; by default the primary half the time when the target has one, else at random), its
 * start and stop are recorded as `process: "nemesis"` ops naming the exact nodes, and it is undone before the
 * next. `stop()` undoes whatever is still in force: the cluster is whole again.
 */
export class Nemesis {
  private undo: (() => void) | undefined;
  private kind: FaultKind | undefined;
  private stopped = false;
  private cycle = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly record: (op: OpInput) => void,
    private readonly faults: readonly Fault[],
    private readonly intervalMs: number,
  ) {}

  /** The fault in force now, for progress lines. */
  get current(): string {
    return this.kind ?? 'none';
  }

  start(): void {
    if (this.faults.length > 0) this.clock.at(this.intervalMs / 2, () => this.begin());
  }

  stop(): void {
    this.stopped = true;
    this.end();
  }

  private begin(): void {
    if (this.stopped) return;
    const fault = this.faults[this.cycle++ % this.faults.length];
    this.kind = fault.kind;
    this.undo = this.inflict(fault);
    this.clock.at(this.intervalMs / 2, () => {
      this.end();
      if (!this.stopped) this.clock.at(this.intervalMs / 2, () => this.begin());
    });
  }

  private end(): void {
    const undo = this.undo;
    this.undo = undefined;
    this.kind = undefined;
    undo?.();
  }

  private inflict(fault: Fault): () => void {
    const f = this.cluster.faults;
    if (fault.kind === 'partition') {
      const groups = this.grouping(fault);
      f.partition(groups);
      this.note('start-partition', groups);
      return () => {
        f.heal();
        this.note('stop-partition', groups);
      };
    }
    const nodes = this.aim(fault);
    const effect = EFFECTS[fault.kind];
    this.note(`start-${fault.kind}`, effect.start(f, nodes) ?? nodes);
    return () => {
      effect.stop(f, nodes);
      this.note(`stop-${fault.kind}`, nodes);
    };
  }

  /** The nodes a kill, pause, latency or loss fault hits. */
  private aim(fault: Fault): string[] {
    const nodes = [...this.cluster.nodes];
    const primaries = this.cluster.primaries?.() ?? [];
    switch (fault.target) {
      case 'primary':
        return primaries.length ? [this.rng.pick(primaries)] : [this.rng.pick(nodes)];
      case 'majority':
        return this.shuffled(nodes).slice(0, Math.floor(nodes.length / 2) + 1);
      case 'minority':
        return this.shuffled(nodes).slice(0, Math.max(1, Math.floor((nodes.length - 1) / 2)));
      case 'random':
        return [this.rng.pick(nodes)];
      default:
        return [primaries.length && this.rng.chance(0.5) ? this.rng.pick(primaries) : this.rng.pick(nodes)];
    }
  }

  /** A partition: one node (the aimed one) against the rest, or a random minority against a majority. */
  private grouping(fault: Fault): string[][] {
    const nodes = [...this.cluster.nodes];
    if (nodes.length < 2) return [nodes];
    const split = fault.target === 'majority' || fault.target === 'minority' || (fault.target === undefined && this.rng.chance(0.5));
    if (!split) {
      const [v] = this.aim({ kind: 'kill', target: fault.target === 'primary' ? 'primary' : fault.target });
      return [[v], nodes.filter((n) => n !== v)];
    }
    const s = this.shuffled(nodes);
    const cut = Math.floor(nodes.length / 2);
    return [s.slice(0, cut), s.slice(cut)];
  }

  private shuffled(xs: string[]): string[] {
    const s = [...xs];
    for (let i = s.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [s[i], s[j]] = [s[j], s[i]];
    }
    return s;
  }

  private note(f: string, value: unknown): void {
    this.record({ process: 'nemesis', type: 'info', f, value });
  }
}
