import type { ExecHook, ExternalNode, FaultMethods } from '../../config/cluster-spec.js';
import type { NodeFaultKind } from '../../config/vocabulary.js';
import type { Grudge } from '../../nemesis/grudge.js';
import { checkHook, nodeValues, peerValues, perPeer, render, words, type Values } from './exec-template.js';
import type { FaultMethod, MethodContext } from './method.js';
import { runShell } from './shell.js';

export type ExecHooks = Partial<Record<NodeFaultKind, ExecHook>>;

/** The kinds a test gives to its own commands (the rest go to SSH or Docker). */
export function execHooksOf(methods: FaultMethods): ExecHooks {
  const hooks: ExecHooks = {};
  for (const [kind, spec] of Object.entries(methods) as [NodeFaultKind, FaultMethods[NodeFaultKind]][]) {
    if (typeof spec === 'object') hooks[kind] = spec;
  }
  return hooks;
}

/** One command of a fault on one node, with the command that undoes it; `id` once journaled. */
interface Unit {
  node: string;
  /** The nodes it concerns, for the journal: the node, and for a partition the peers it stops hearing. */
  nodes: string[];
  exec: string;
  heal?: string;
  id?: string;
}

type NetKind = 'partition' | 'latency' | 'loss';

/**
 * Faults made by the user's own commands (`kill: { exec: "kubectl delete pod {node}" }`): Kubernetes, cloud CLIs,
 * chaos tools, anything a shell can reach. Each fault is one command per node hit (a partition: per node and peer
 * it must stop hearing, or per node when the template takes the peers at once), journaled with its rendered heal
 * before it runs; what was applied is undone exactly, command by command. Only the kinds the test gave commands for
 * exist on this method.
 *
 * Calls are taken one at a time (a partition replaced while a kill runs would read half-updated state); within
 * one, the commands of different nodes run side by side, each node's in order.
 */
export class ExecMethod implements FaultMethod {
  readonly name = 'exec' as const;
  partition?: (grudge: Grudge) => Promise<void>;
  kill?: (node: string) => Promise<void>;
  restart?: (node: string) => Promise<void>;
  pause?: (node: string) => Promise<void>;
  resume?: (node: string) => Promise<void>;
  slow?: (nodes: readonly string[], ms: { min: number; max: number }) => Promise<void>;
  lose?: (nodes: readonly string[], p: number) => Promise<void>;
  healNet?: () => Promise<void>;

  private readonly byName: ReadonlyMap<string, ExternalNode>;
  /** Network faults in force, in the order applied. */
  private net: { kind: NetKind; unit: Unit }[] = [];
  /** Kills and pauses in force, by node. */
  private readonly down = { kill: new Map<string, Unit[]>(), pause: new Map<string, Unit[]>() };
  private queue: Promise<unknown> = Promise.resolve();

  /** Refuses (a usage error, before the run) a hook its kind cannot run as written; see exec-template.ts. */
  constructor(
    private readonly ctx: MethodContext,
    hooks: ExecHooks,
    private readonly o: { timeoutMs?: number } = {},
  ) {
    for (const [kind, hook] of Object.entries(hooks) as [NodeFaultKind, ExecHook][]) checkHook(kind, hook, ctx.nodes);
    this.byName = new Map(ctx.nodes.map((n) => [n.name, n]));

    const { partition, latency, loss, pause } = hooks;
    // A crash-loop is kills and restarts: its own commands when the test gave only those.
    const kill = hooks.kill ?? hooks['crash-loop'];
    if (partition) this.partition = (g) => this.serially(() => this.replace('partition', this.partitionUnits(partition, g), () => true));
    if (latency) {
      this.slow = (nodes, ms) => {
        const values = { ms: String(Math.round((ms.min + ms.max) / 2)), jitter: String(Math.round((ms.max - ms.min) / 2)) };
        return this.serially(() => this.replace('latency', this.nodeUnits(latency, nodes, values), (u) => nodes.includes(u.node)));
      };
    }
    if (loss) {
      this.lose = (nodes, p) => {
        const values = { p: String(p), percent: String(Number((p * 100).toFixed(3))) };
        return this.serially(() => this.replace('loss', this.nodeUnits(loss, nodes, values), (u) => nodes.includes(u.node)));
      };
    }
    if (partition || latency || loss) this.healNet = () => this.serially(() => this.undo(this.net.splice(0).reverse()));
    if (kill) {
      this.kill = (node) => this.serially(() => this.bringDown(kill === hooks.kill ? 'kill' : 'crash-loop', 'kill', kill, node));
      this.restart = (node) => this.serially(() => this.bringUp('kill', kill, node));
    }
    if (pause) {
      this.pause = (node) => this.serially(() => this.bringDown('pause', 'pause', pause, node));
      this.resume = (node) => this.serially(() => this.bringUp('pause', pause, node));
    }
  }

  async close(): Promise<void> {
    // Nothing held open: every command has run to its end. What is still in force stays journaled for healing.
    await this.queue.catch(() => undefined);
  }

  private serially<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f, f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private node(name: string): ExternalNode {
    const n = this.byName.get(name);
    if (!n) throw new Error(`no node ${name} in this cluster`);
    return n;
  }

  private unit(hook: ExecHook, node: string, nodes: string[], values: Values): Unit {
    const u: Unit = { node, nodes, exec: render(hook.exec, values) };
    if (hook.heal !== undefined) u.heal = render(hook.heal, values);
    return u;
  }

  /** Each node's grudge as commands: per peer when the template names one, else per node with {peers} and {grudge}. */
  private partitionUnits(hook: ExecHook, grudge: Grudge): Unit[] {
    const units: Unit[] = [];
    const all = words([JSON.stringify(grudge)]);
    for (const [name, heard] of Object.entries(grudge)) {
      if (heard.length === 0) continue;
      const peers = heard.map((p) => this.node(p));
      const base = { ...nodeValues(this.node(name)), peers: words(peers.map((p) => p.ip ?? p.host)), grudge: all };
      if (perPeer(hook.exec)) {
        for (const p of peers) units.push(this.unit(hook, name, [name, p.name], { ...base, ...peerValues(p) }));
      } else {
        units.push(this.unit(hook, name, [name, ...heard], base));
      }
    }
    return units;
  }

  private nodeUnits(hook: ExecHook, nodes: readonly string[], extra: Values): Unit[] {
    return nodes.map((n) => this.unit(hook, n, [n], { ...nodeValues(this.node(n)), ...extra }));
  }

  /**
   * Makes `units` the faults of this kind in force among those `scope` covers: what is already in force stays,
   * what is no longer wanted is undone first, what is new is applied.
   */
  private async replace(kind: NetKind, units: Unit[], scope: (u: Unit) => boolean): Promise<void> {
    const mine = this.net.filter((a) => a.kind === kind && scope(a.unit));
    const wanted = new Set(units.map((u) => u.exec));
    const stale = mine.filter((a) => !wanted.has(a.unit.exec));
    const held = new Set(mine.map((a) => a.unit.exec));
    this.net = this.net.filter((a) => !stale.includes(a));
    await this.undo(stale.reverse());
    const fresh = units.filter((u) => !held.has(u.exec));
    await byNode(fresh, { stopAtFailure: true }, async (u) => {
      // In force as soon as its command is started: if the command fails half-way, its heal is still tried.
      this.net.push({ kind, unit: u });
      await this.apply(kind, u);
    });
  }

  /**
   * Undoes network faults, last first on each node. A heal that fails does not stop the others; its fault stays in
   * force (and journaled), to be tried again by the next heal or by `faultline heal`.
   */
  private async undo(applied: { kind: NetKind; unit: Unit }[]): Promise<void> {
    const kindOf = new Map(applied.map((a) => [a.unit, a.kind]));
    const failed = new Set<Unit>();
    await byNode(applied.map((a) => a.unit), { stopAtFailure: false, failed: (u) => failed.add(u) }, (u) => this.heal(kindOf.get(u)!, u)).finally(() =>
      // Back in force, in the order they were applied (`applied` is last first).
      this.net.unshift(...applied.filter((a) => failed.has(a.unit)).reverse()),
    );
  }

  private async bringDown(kind: 'kill' | 'crash-loop' | 'pause', slot: 'kill' | 'pause', hook: ExecHook, node: string): Promise<void> {
    const u = this.unit(hook, node, [node], nodeValues(this.node(node)));
    this.down[slot].set(node, [...(this.down[slot].get(node) ?? []), u]);
    await this.apply(kind, u);
  }

  /** The restart or resume: once, whatever number of kills or pauses it ends; run even when none is known. */
  private async bringUp(slot: 'kill' | 'pause', hook: ExecHook, node: string): Promise<void> {
    const units = this.down[slot].get(node) ?? [];
    const heal = units[0]?.heal ?? (hook.heal === undefined ? undefined : render(hook.heal, nodeValues(this.node(node))));
    if (heal !== undefined) await runShell(heal, this.shell(`${node} ${slot === 'kill' ? 'restart' : 'resume'}`));
    this.down[slot].delete(node);
    for (const u of units) if (u.id !== undefined) this.ctx.journal.healed(u.id);
  }

  /** Journals the fault with its undo, then makes it. */
  private async apply(kind: string, u: Unit): Promise<void> {
    u.id = this.ctx.journal.applying(kind, u.nodes, u.heal === undefined ? [] : [{ method: 'exec', command: u.heal }]);
    await runShell(u.exec, this.shell(`${u.node} ${kind}`));
  }

  private async heal(kind: string, u: Unit): Promise<void> {
    if (u.heal !== undefined) await runShell(u.heal, this.shell(`${u.node} ${kind} heal`));
    if (u.id !== undefined) this.ctx.journal.healed(u.id);
  }

  private shell(label: string) {
    return { label: `exec ${label}`, log: (line: string) => this.ctx.log(line), timeoutMs: this.o.timeoutMs };
  }
}

/**
 * Runs `f` on every unit, the nodes side by side and each node's units in order. A fault's commands stop at a
 * node's first failure (the fault failed; what it did not reach stays untouched); heals go on past one. Rejects,
 * once all have stopped, with every failure.
 */
async function byNode(units: readonly Unit[], o: { stopAtFailure: boolean; failed?: (u: Unit) => void }, f: (u: Unit) => Promise<void>): Promise<void> {
  const groups = new Map<string, Unit[]>();
  for (const u of units) groups.set(u.node, [...(groups.get(u.node) ?? []), u]);
  const errors: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (us) => {
      for (const u of us) {
        try {
          await f(u);
        } catch (e) {
          errors.push((e as Error).message);
          o.failed?.(u);
          if (o.stopAtFailure) return;
        }
      }
    }),
  );
  if (errors.length) throw new Error(errors.join('; '));
}
