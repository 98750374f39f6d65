import { Worker } from 'node:worker_threads';
import type { ClientFaults } from '../runtime.js';
import type { Ask, Endpoint, LinkFaults, Reply, WorkerData } from './protocol.js';

export type { Endpoint } from './protocol.js';

/** How long close() waits for the worker to exit. */
const TERMINATE_MS = 2_000;

export interface FaultProxyOptions {
  /** Seeds what the proxy draws (each chunk's delay, which chunks are lost), per connection and direction. */
  seed?: number;
}

/**
 * The TCP fault proxy, from the harness's side: the clients connect to a node's service through its front (a
 * loopback port), and the proxy relays to the service, breaking the client-to-node link as asked. It cannot touch
 * traffic between nodes. The relaying runs in a worker thread, off the clients' event loop; each call here resolves
 * once the worker has done it (a front listening, a fault in force), or rejects with why it could not.
 *
 * The worker holds the process open only while a call is waiting for its answer: the connections through it are
 * the clients', and theirs hold the process as they would without a proxy.
 */
export class FaultProxy implements ClientFaults {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply & { ok: true }) => void; reject: (e: Error) => void }>();
  private readonly fronts = new Map<string, Endpoint>();
  private dead: Error | undefined;
  private closing: Promise<void> | undefined;
  /** Settles when the worker thread has exited (after close(), or if it died). */
  readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (r: Reply) => this.answer(r));
    worker.on('error', (e) => this.fail(new Error(`the fault proxy's worker failed: ${e.message}`)));
    this.exited = new Promise((resolve) =>
      worker.on('exit', (code) => {
        this.fail(new Error(`the fault proxy's worker exited (${code})`));
        resolve();
      }),
    );
  }

  static async start(options: FaultProxyOptions = {}): Promise<FaultProxy> {
    const data: WorkerData = { seed: options.seed ?? 0 };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: data });
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    return new FaultProxy(worker);
  }

  /** The worker's thread id (not the clients' thread's). */
  get threadId(): number {
    return this.worker.threadId;
  }

  /**
   * Opens the front of a node's service (one per node and service): a port on 127.0.0.1, fixed for the run, that
   * relays each connection to `upstream`.
   */
  async front(node: string, service: string, upstream: Endpoint): Promise<Endpoint> {
    const r = await this.ask({ op: 'front', node, service, upstream });
    const front = r.front!;
    this.fronts.set(keyOf(node, service), front);
    return front;
  }

  /** The front opened for a node's service, if any (for a view that must answer at once). */
  frontOf(node: string, service: string): Endpoint | undefined {
    return this.fronts.get(keyOf(node, service));
  }

  /** The service moved (a restarted container got new host ports): later connections go to `upstream`. */
  async retarget(node: string, service: string, upstream: Endpoint): Promise<void> {
    await this.ask({ op: 'retarget', node, service, upstream });
  }

  cut(nodes: readonly string[], mode: 'drop' | 'reset'): Promise<void> {
    if (mode !== 'drop' && mode !== 'reset') return Promise.reject(new Error(`a cut drops or resets, not '${String(mode)}'`));
    return this.set(nodes, { cut: mode });
  }

  delay(nodes: readonly string[], ms: { min: number; max: number }): Promise<void> {
    if (!(Number.isInteger(ms.min) && Number.isInteger(ms.max) && 0 <= ms.min && ms.min <= ms.max)) {
      return Promise.reject(new Error(`a delay is whole milliseconds, 0 <= min <= max: got ${ms.min}..${ms.max}`));
    }
    return this.set(nodes, { delay: { min: ms.min, max: ms.max } });
  }

  lose(nodes: readonly string[], p: number): Promise<void> {
    if (!(p >= 0 && p <= 1)) return Promise.reject(new Error(`a loss probability is between 0 and 1: got ${p}`));
    return this.set(nodes, { loss: p });
  }

  throttle(nodes: readonly string[], bytesPerSecond: number): Promise<void> {
    if (!(bytesPerSecond > 0 && Number.isFinite(bytesPerSecond))) return Promise.reject(new Error(`a throttle is a positive rate: got ${bytesPerSecond} bytes/s`));
    return this.set(nodes, { throttle: bytesPerSecond });
  }

  /** Normal forwarding again on these nodes (all when none are named); what a fault held back still arrives, in order. */
  async heal(nodes?: readonly string[]): Promise<void> {
    await this.ask(nodes === undefined ? { op: 'heal' } : { op: 'heal', nodes: [...nodes] });
  }

  /** Closes every front and connection, and ends the worker. Safe to call again, or after the worker died. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.dead) await this.ask({ op: 'close' }).catch(() => undefined);
      this.dead ??= new Error('the fault proxy is closed');
      // Bounded: a worker whose exit waits on a handle Node failed to close must not hold up the cluster's teardown.
      await Promise.race([this.worker.terminate(), new Promise((r) => setTimeout(r, TERMINATE_MS).unref())]);
    })();
    return this.closing;
  }

  private async set(nodes: readonly string[], faults: LinkFaults): Promise<void> {
    await this.ask({ op: 'set', nodes: [...nodes], faults });
  }

  private ask(a: Ask): Promise<Reply & { ok: true }> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...a, id });
    });
  }

  private answer(r: Reply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.settled(r.id);
    if (r.ok) p.resolve(r);
    else p.reject(new Error(r.error));
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const [id, p] of [...this.pending]) {
      this.settled(id);
      p.reject(e);
    }
  }
}

function keyOf(node: string, service: string): string {
  return `${node}\u0000${service}`;
}
