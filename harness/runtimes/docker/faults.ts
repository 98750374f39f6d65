import type { Grudge } from '../../nemesis/grudge.js';
import type { ClientFaults, ClockChange, ClockFaults, Faults, MembershipFaults } from '../../runtime.js';
import { clockSpec, RIGHT_CLOCK } from './fake-clock.js';
import { isClean, netFaultScript, NO_NET_FAULTS, type NetFaults } from './iptables.js';

/** What the faults need of one node's container: the Docker calls, behind the runtime's own seam. */
export interface NodeControl {
  readonly name: string;
  readonly ip: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /** Runs a shell script with iptables in the node's network namespace. */
  netScript(script: string): Promise<void>;
  /**
   * Puts libfaketime's spec in the node's clock file (fake-clock.ts): every process of the node reads it at once.
   * Only for the runtime's own containers, started with libfaketime preloaded.
   */
  setClock?(spec: string): Promise<void>;
}

type State = 'up' | 'down' | 'paused';

function clockOf(c: NodeControl): (spec: string) => Promise<void> {
  if (!c.setClock) throw new Error(`node ${c.name} has no fake clock`);
  return (spec) => c.setClock!(spec);
}

/**
 * Real faults on a cluster of containers. Each node's actions run one after another (a restart waits for the kill
 * before it), so overlapping faults compose as they would by hand. Partitions and packet loss are rules in each
 * node's own namespace (iptables, with NET_ADMIN, never privileged mode); a node that is down or paused when they
 * change gets them when it is started or resumed, as its namespace is new after a kill.
 */
export class DockerFaults implements Faults {
  private readonly state = new Map<string, State>();
  private readonly queue = new Map<string, Promise<void>>();
  private grudge: Grudge = {};
  private readonly loss = new Map<string, number>();
  /** Nodes whose rules changed while they could not take them. */
  private readonly stale = new Set<string>();
  /** Each node's clock spec, when it changed while the node was down or paused (no exec reaches it then). */
  private readonly clockDue = new Map<string, string>();
  /** Clock faults, when the nodes' containers were started with libfaketime preloaded (the test has clock faults). */
  readonly clock: ClockFaults | undefined;

  constructor(
    private readonly nodes: ReadonlyMap<string, NodeControl>,
    /** The fault proxy in front of the nodes, when the test has client faults. */
    readonly client?: ClientFaults,
    fakeClock = false,
    /** The target's joins and leaves (its session's), when it has them. */
    readonly membership?: MembershipFaults,
  ) {
    for (const n of nodes.keys()) this.state.set(n, 'up');
    this.clock = fakeClock
      ? {
          change: (node: string, change: ClockChange) => {
            let spec: string;
            try {
              spec = clockSpec(change);
            } catch (e) {
              return Promise.reject(e as Error);
            }
            return this.setClock(node, spec);
          },
          reset: (node: string) => this.setClock(node, RIGHT_CLOCK),
        }
      : undefined;
  }

  partition(grudge: Grudge): Promise<void> {
    this.grudge = grudge;
    return this.applyAll();
  }

  heal(): Promise<void> {
    this.grudge = {};
    this.loss.clear();
    return this.applyAll();
  }

  lose(nodes: readonly string[], p: number): Promise<void> {
    for (const n of nodes) this.loss.set(n, p);
    return Promise.all(nodes.map((n) => this.apply(n))).then(() => undefined);
  }

  slow(): Promise<void> {
    return Promise.reject(new Error('the docker runtime has no node-to-node latency (no netem in this kernel); client-latency is the client-to-node latency'));
  }

  kill(node: string): Promise<void> {
    return this.enqueue(node, async (c) => {
      if (this.state.get(node) === 'down') return;
      if (this.state.get(node) === 'paused') await c.unpause(); // a frozen process cannot take SIGKILL until thawed
      await c.kill();
      this.state.set(node, 'down');
    });
  }

  restart(node: string): Promise<void> {
    return this.enqueue(node, async (c) => {
      if (this.state.get(node) !== 'down') return;
      await c.start();
      this.state.set(node, 'up');
      await this.clockCatchUp(c);
      await this.write(c, true);
    });
  }

  pause(node: string): Promise<void> {
    return this.enqueue(node, async (c) => {
      if (this.state.get(node) !== 'up') return;
      await c.pause();
      this.state.set(node, 'paused');
    });
  }

  resume(node: string): Promise<void> {
    return this.enqueue(node, async (c) => {
      if (this.state.get(node) !== 'paused') return;
      await c.unpause();
      this.state.set(node, 'up');
      await this.clockCatchUp(c);
      if (this.stale.has(node)) await this.write(c, false);
    });
  }

  /**
   * A node's clock file is written at once when it runs; a node that is down or paused gets it as soon as it is
   * started or resumed (a restarted server reads the old spec for the moment that takes).
   */
  private setClock(node: string, spec: string): Promise<void> {
    return this.enqueue(node, async (c) => {
      if (this.state.get(node) !== 'up') {
        this.clockDue.set(node, spec);
        return;
      }
      await clockOf(c)(spec);
    });
  }

  private async clockCatchUp(c: NodeControl): Promise<void> {
    const spec = this.clockDue.get(c.name);
    if (spec === undefined) return;
    this.clockDue.delete(c.name);
    await clockOf(c)(spec);
  }

  /** Resolves when every node's queued actions are done (used before tearing down). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.queue.values()]);
  }

  private applyAll(): Promise<void> {
    return Promise.all([...this.nodes.keys()].map((n) => this.apply(n))).then(() => undefined);
  }

  private apply(node: string): Promise<void> {
    this.stale.add(node);
    return this.enqueue(node, async (c) => {
      if (this.state.get(node) === 'up') await this.write(c, false);
    });
  }

  /** Writes the node's rules; after a restart only when there are any (its fresh namespace has none). */
  private async write(c: NodeControl, fresh: boolean): Promise<void> {
    const f = this.netFaultsOf(c.name);
    this.stale.delete(c.name);
    if (fresh && isClean(f)) return;
    await c.netScript(netFaultScript(f));
  }

  private netFaultsOf(node: string): NetFaults {
    const from = this.grudge[node] ?? [];
    if (from.length === 0 && !this.loss.has(node)) return NO_NET_FAULTS;
    return { dropFrom: from.map((n) => this.control(n).ip), loss: this.loss.get(node) ?? 0 };
  }

  private control(node: string): NodeControl {
    const c = this.nodes.get(node);
    if (!c) throw new Error(`no node ${node} in this cluster`);
    return c;
  }

  private enqueue(node: string, action: (c: NodeControl) => Promise<void>): Promise<void> {
    const c = this.control(node);
    const prev = this.queue.get(node) ?? Promise.resolve();
    const next = prev.then(() => action(c));
    this.queue.set(node, next.catch(() => undefined));
    return next;
  }
}
