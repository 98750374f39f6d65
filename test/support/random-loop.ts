import type { Op } from '../../checkers/history/op.js';
import type { Rng } from '../../harness/rng.js';
import type { Client, ClientOp, Cluster, Completion } from '../../harness/runtime.js';
import type { SimRuntime } from '../../harness/runtimes/sim/runtime.js';

/** What a test's nemesis gets: the cluster, the loop's randomness and clock, a way to record, and when to stop. */
export interface NemesisContext {
  cluster: Cluster;
  runtime: SimRuntime;
  rng: Rng;
  note(f: string, value: unknown): void;
  stopped(): boolean;
}

/**
 * A nemesis that starts a fault, undoes it after a random `lasting` ms, and starts the next 20 ms after that,
 * until the loop stops. `start` inflicts and records one fault and returns how to undo it.
 */
export function faultCycle(lasting: { min: number; max: number }, start: (ctx: NemesisContext) => () => void): (ctx: NemesisContext) => void {
  const cycle = (ctx: NemesisContext): void => {
    if (ctx.stopped()) return;
    const undo = start(ctx);
    ctx.runtime.at(ctx.rng.between(lasting.min, lasting.max), () => {
      undo();
      ctx.runtime.at(20, () => cycle(ctx));
    });
  };
  return cycle;
}

export interface LoopOptions {
  durationMs: number;
  concurrency?: number;
  /** Time the healed cluster gets before the final reads. */
  settleMs: number;
  /** When the nemesis first runs; it schedules itself after that. */
  nemesisStartMs: number;
  nemesis?: (ctx: NemesisContext) => void;
}

/**
 * A small Jepsen loop for target tests, independent of the harness's run loop (so a target's tests do not lean on
 * the code they help validate): concurrent processes doing read/write/cas on three keys (a process whose op ends
 * in info is retired for a fresh one), the caller's nemesis, then a healed cluster, a pause to settle, and a final
 * read of every key. Returns the history.
 */
export async function randomLoop(runtime: SimRuntime, cluster: Cluster, rng: Rng, opts: LoopOptions): Promise<Op[]> {
  const history: Op[] = [];
  const keys = [0, 1, 2];
  let running = 0;
  let stopping = false;
  let nextProcess = 0;
  const record = (e: { process: Op['process']; type: Op['type']; f: string; key?: Op['key']; value: unknown; error?: unknown }) =>
    history.push({ index: history.length, time: runtime.now() * 1e6, ...e });

  const randomOp = (): ClientOp => {
    const key = rng.pick(keys);
    switch (rng.pick(['read', 'write', 'cas'])) {
      case 'read':
        return { f: 'read', key, value: null };
      case 'write':
        return { f: 'write', key, value: rng.int(5) };
      default:
        return { f: 'cas', key, value: [rng.int(5), rng.int(5)] };
    }
  };

  const invoke = (process: number, client: Client, op: ClientOp, then: (c: Completion) => void) => {
    running++;
    record({ process, type: 'invoke', f: op.f, key: op.key, value: op.value });
    client.invoke(op, (c) => {
      running--;
      record({ process, type: c.type, f: op.f, key: op.key, value: c.type === 'info' ? op.value : c.value, ...(c.error ? { error: c.error } : {}) });
      then(c);
    });
  };

  const processLoop = (process: number, client: Client) => {
    if (stopping) return;
    invoke(process, client, randomOp(), (c) => {
      if (c.type === 'info') {
        const p = nextProcess++;
        return runtime.at(rng.int(5), () => processLoop(p, cluster.client(p)));
      }
      runtime.at(rng.int(5), () => processLoop(process, client));
    });
  };
  for (let i = 0; i < (opts.concurrency ?? 5); i++) {
    const p = nextProcess++;
    processLoop(p, cluster.client(p));
  }

  const nemesis = opts.nemesis;
  if (nemesis) {
    const ctx: NemesisContext = {
      cluster,
      runtime,
      rng,
      note: (f, value) => record({ process: 'nemesis', type: 'info', f, value }),
      stopped: () => stopping,
    };
    runtime.at(opts.nemesisStartMs, () => nemesis(ctx));
  }

  let timeUp = false;
  runtime.at(opts.durationMs, () => (timeUp = true));
  await runtime.drive(() => timeUp);
  stopping = true;
  await runtime.drive(() => running === 0);
  // Heal everything, let the cluster settle, read every key.
  cluster.faults.heal();
  for (const n of cluster.nodes) {
    cluster.faults.restart(n);
    cluster.faults.resume(n);
  }
  let settled = false;
  runtime.at(opts.settleMs, () => (settled = true));
  await runtime.drive(() => settled);
  for (const key of keys) {
    const p = nextProcess++;
    invoke(p, cluster.client(p), { f: 'read', key, value: null }, () => {});
  }
  await runtime.drive(() => running === 0);
  return history;
}
