import type { NodeFaultKind } from '../../config/vocabulary.js';
import type { Grudge } from '../../nemesis/grudge.js';
import type { ClientFaults, Faults } from '../../runtime.js';
import type { FaultMethod } from './method.js';

/**
 * Faults on a cluster we do not own: each node-fault kind goes to the method the test named for it (SSH, Docker,
 * exec hooks), client faults to the proxy. What is in force is tracked here, so that `healAll` — at the end of a
 * run, after an error, on SIGINT or SIGTERM — restarts what was killed, resumes what was paused and heals every
 * method's network faults, whatever the nemesis managed to undo itself.
 */
export class ExternalFaults implements Faults {
  private readonly killed = new Set<string>();
  private readonly paused = new Set<string>();
  /** Methods with a partition, latency or loss possibly in force. */
  private readonly netFaulted = new Set<FaultMethod>();

  constructor(
    private readonly methods: ReadonlyMap<NodeFaultKind, FaultMethod>,
    readonly client: ClientFaults,
    /** After a node is restarted: where its services are now (a container's ports may have changed). */
    private readonly restarted: (node: string, method: FaultMethod) => Promise<void>,
  ) {}

  async partition(grudge: Grudge): Promise<void> {
    const m = this.method('partition');
    this.netFaulted.add(m);
    await m.partition!(grudge);
  }

  async heal(): Promise<void> {
    const methods = [...this.netFaulted];
    this.netFaulted.clear();
    await settleAll(methods.map((m) => m.healNet!()));
  }

  async slow(nodes: readonly string[], ms: { min: number; max: number }): Promise<void> {
    const m = this.method('latency');
    this.netFaulted.add(m);
    await m.slow!(nodes, ms);
  }

  async lose(nodes: readonly string[], p: number): Promise<void> {
    const m = this.method('loss');
    this.netFaulted.add(m);
    await m.lose!(nodes, p);
  }

  async kill(node: string): Promise<void> {
    this.killed.add(node);
    this.paused.delete(node);
    await this.killer().kill!(node);
  }

  async restart(node: string): Promise<void> {
    const m = this.killer();
    await m.restart!(node);
    this.killed.delete(node);
    await this.restarted(node, m);
  }

  async pause(node: string): Promise<void> {
    this.paused.add(node);
    await this.method('pause').pause!(node);
  }

  async resume(node: string): Promise<void> {
    await this.method('pause').resume!(node);
    this.paused.delete(node);
  }

  /** Undoes everything still in force; resolves once all is tried, rejects with every failure's message. */
  async healAll(): Promise<void> {
    const failures = await settleAll([
      ...[...this.paused].map((n) => this.resume(n)),
      ...[...this.killed].map((n) => this.restart(n)),
      this.heal(),
      Promise.resolve(this.client.heal()),
    ]).then(
      () => [],
      (e: Error) => [e.message],
    );
    if (failures.length) throw new Error(failures.join('; '));
  }

  /** Kills and restarts: the kill method's, or crash-loop's when only that is named. */
  private killer(): FaultMethod {
    return this.methods.get('kill') ?? this.method('crash-loop');
  }

  private method(kind: NodeFaultKind): FaultMethod {
    const m = this.methods.get(kind);
    // The definition was refused before the run when a nemesis kind had no method: this is a harness bug.
    if (!m) throw new Error(`no method configured for '${kind}' on this external cluster`);
    return m;
  }
}

/** Waits for every promise; rejects afterwards with all the failures' messages in one error. */
async function settleAll(ps: readonly Promise<unknown>[]): Promise<void> {
  const rs = await Promise.allSettled(ps);
  const failed = rs.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason instanceof Error ? r.reason.message : String(r.reason)));
  if (failed.length) throw new Error(failed.join('; '));
}
