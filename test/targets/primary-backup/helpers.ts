import type { Op } from '../../../checkers/history/op.js';
import { Rng } from '../../../harness/rng.js';
import type { Client, ClientOp, Cluster, Completion } from '../../../harness/runtime.js';
import { SimRuntime } from '../../../harness/runtimes/sim/runtime.js';
import { PrimaryBackupNode } from '../../../targets/primary-backup/node.js';
import { primaryBackup } from '../../../targets/primary-backup/sim.js';

/** A primary-backup cluster in the simulation, with blocking-style helpers that run virtual time. */
export async function simCluster(bug?: string, seed = 1) {
  const runtime = new SimRuntime(new Map([['primary-backup', primaryBackup]]), { seed, latency: { min: 1, max: 5 } });
  const cluster = await runtime.start('primary-backup', { nodes: 3, bug, seed });

  /** Runs one op through a client to its completion. */
  const invoke = async (client: Client, op: ClientOp): Promise<Completion> => {
    let c: Completion | undefined;
    client.invoke(op, (x) => (c = x));
    await runtime.drive(() => c !== undefined);
    return c!;
  };

  /** Lets `ms` of virtual time pass. */
  const sleep = async (ms: number): Promise<void> => {
    let done = false;
    runtime.at(ms, () => (done = true));
    await runtime.drive(() => done);
  };

  /** Sends one raw request to a node (bypassing the client's routing) and returns the reply, or undefined. */
  let probes = 0;
  const request = async (node: string, op: ClientOp): Promise<Record<string, unknown> | undefined> => {
    const id = `probe${probes++}`;
    let reply: Record<string, unknown> | undefined;
    let timedOut = false;
    runtime.net.addEndpoint(id, (_from, msg) => (reply = msg as Record<string, unknown>));
    runtime.net.send(id, node, { rid: 0, op });
    runtime.at(100, () => (timedOut = true));
    await runtime.drive(() => reply !== undefined || timedOut);
    return reply;
  };

  /** A node's own copy of a key (its program must be running). */
  const valueAt = (node: string, key: string | number): unknown => {
    const p = runtime.net.programs().get(node);
    if (!(p instanceof PrimaryBackupNode)) throw new Error(`${node} is not running`);
    return p.value(key);
  };

  return { runtime, cluster, invoke, sleep, request, valueAt };
}

export interface RandomRun {
  bug?: string;
  seed: number;
  /** Virtual ms of workload. */
  durationMs: number;
  faults: readonly ('partition' | 'kill' | 'pause')[];
  concurrency?: number;
}

/**
 * A small Jepsen loop, independent of the harness's: concurrent processes doing read/write/cas on a few keys
 * (a process whose op ends in info is retired for a fresh one), a nemesis that starts a random fault, undoes it 20–300 ms
 * later (either side of the failover time-out), and starts another 20 ms after that, then a healed cluster and a final read of every key. Returns the history.
 */
export async function randomHistory(run: RandomRun): Promise<Op[]> {
  const { runtime, cluster } = await simCluster(run.bug, run.seed);
  const rng = new Rng(run.seed * 7919 + 1);
  const history: Op[] = [];
  const keys = [0, 1, 2];
  const concurrency = run.concurrency ?? 5;
  let running = 0;
  let stopping = false;
  let nextProcess = 0;
  const record = (e: { process: Op['process']; type: Op['type']; f: string; key?: Op['key']; value: unknown; error?: unknown }) => history.push({ index: history.length, time: runtime.now() * 1e6, ...e });

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
  for (let i = 0; i < concurrency; i++) {
    const p = nextProcess++;
    processLoop(p, cluster.client(p));
  }

  const nemesis = (c: Cluster) => {
    if (stopping) return;
    const node = rng.pick(c.nodes);
    const fault = rng.pick(run.faults);
    record({ process: 'nemesis', type: 'info', f: `start-${fault}`, value: node });
    if (fault === 'partition') c.faults.partition([[node], c.nodes.filter((n) => n !== node)]);
    else if (fault === 'kill') c.faults.kill(node);
    else c.faults.pause(node);
    runtime.at(rng.between(20, 300), () => {
      record({ process: 'nemesis', type: 'info', f: `stop-${fault}`, value: node });
      if (fault === 'partition') c.faults.heal();
      else if (fault === 'kill') c.faults.restart(node);
      else c.faults.resume(node);
      runtime.at(20, () => nemesis(c));
    });
  };
  if (run.faults.length) runtime.at(30, () => nemesis(cluster));

  let timeUp = false;
  runtime.at(run.durationMs, () => (timeUp = true));
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
  runtime.at(200, () => (settled = true));
  await runtime.drive(() => settled);
  for (const key of keys) {
    const p = nextProcess++;
    invoke(p, cluster.client(p), { f: 'read', key, value: null }, () => {});
  }
  await runtime.drive(() => running === 0);
  return history;
}
