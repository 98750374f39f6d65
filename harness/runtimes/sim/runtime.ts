import { usageError } from '../../errors.js';
import type { FaultKind } from '../../config/index.js';
import { RUNTIME_FAULTS } from '../capabilities.js';
import type { Client, Cluster, Runtime, StartOptions } from '../../runtime.js';
import type { RequestTransport } from '../../transport.js';
import { checkBug } from '../bugs.js';
import { simMembership } from './membership.js';
import { SimNetwork, type NetworkOptions } from './network.js';
import type { SimTarget } from './target.js';

/** Events run between two yields to Node's event loop (so signals and progress output get a turn). */
const YIELD_EVERY = 20_000;

/**
 * The embedded simulation as a runtime: the target's nodes run in a SimNetwork, clients are endpoints of the
 * same network (a client cut off from its node sees a time-out), faults are the network's, and time is virtual.
 */
export class SimRuntime implements Runtime {
  /** Every fault: the network and the node programs are ours. */
  static readonly faults: readonly FaultKind[] = RUNTIME_FAULTS.sim;
  readonly name = 'sim';
  readonly net: SimNetwork;

  constructor(
    private readonly targets: ReadonlyMap<string, SimTarget>,
    options: NetworkOptions,
  ) {
    this.net = new SimNetwork(options);
  }

  now(): number {
    return this.net.now();
  }

  at(ms: number, fn: () => void): void {
    this.net.at(ms, fn);
  }

  refuse(name: string, options: StartOptions): void {
    this.targetOf(name, options);
  }

  async start(name: string, options: StartOptions): Promise<Cluster> {
    const target = this.targetOf(name, options);
    const net = this.net;
    const nodes = target.nodeIds(options.nodes);
    const peersOf = (n: string) => nodes.filter((p) => p !== n);
    const opts = options.options ?? {};
    for (const n of nodes) net.addNode(n, peersOf(n), target.node(options.bug, opts));
    let running = true;
    // Membership changes are asked by the harness's `admin` endpoint, until the node answers or the run stops.
    const membership = target.membership && simMembership(target.membership, nodes, this.transport('admin'), net, () => running);
    return {
      nodes,
      faults: {
        partition: (grudge) => net.cut(grudge),
        heal: () => net.heal(),
        kill: (n) => net.kill(n),
        restart: (n) => net.restart(n, peersOf(n)),
        pause: (n) => net.pause(n),
        resume: (n) => net.resume(n),
        slow: (ns, ms) => net.slow(ns, ms),
        lose: (ns, p) => net.lose(ns, p),
        ...(membership && { membership }),
      },
      client: (process) => target.client(this.transport(`c${process}`), nodes, options.bug, process, opts, this),
      primaries: target.primaries ? () => target.primaries!(net.programs()) : undefined,
      // A node killed and not restarted still counts: its last program is what it saw.
      observe: target.observe ? (history) => target.observe!(net.lastPrograms(), history, nodes) : undefined,
      stop: async () => {
        running = false;
      },
    };
  }

  private targetOf(name: string, options: StartOptions) {
    const target = this.targets.get(name);
    if (!target) throw usageError(`unknown target '${name}' for the sim runtime (known: ${[...this.targets.keys()].join(', ')})`);
    checkBug(name, target.bugs, options.bug);
    return target;
  }

  async drive(finished: () => boolean): Promise<void> {
    let n = 0;
    while (!finished() && this.net.step()) {
      if (++n % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    }
  }

  /** A client endpoint: requests carry an id; the reply with that id, or the time-out, settles each. */
  private transport(endpoint: string): RequestTransport {
    const pending = new Map<number, (reply: Record<string, unknown> | undefined) => void>();
    let next = 0;
    this.net.addEndpoint(endpoint, (_from, msg) => {
      const reply = msg as Record<string, unknown>;
      const done = pending.get(reply.rid as number);
      if (!done) return; // a late reply to a request that already timed out
      pending.delete(reply.rid as number);
      done(reply);
    });
    return {
      request: (node, msg, timeoutMs, done) => {
        const rid = next++;
        pending.set(rid, done);
        this.net.send(endpoint, node, { ...msg, rid });
        this.net.at(timeoutMs, () => {
          if (pending.delete(rid)) done(undefined);
        });
      },
    };
  }
}

export type { Client };
