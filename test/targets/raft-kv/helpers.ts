import type { Op } from '../../../checkers/history/op.js';
import { Rng } from '../../../harness/rng.js';
import type { Client, ClientOp, Cluster, Completion } from '../../../harness/runtime.js';
import { SimRuntime } from '../../../harness/runtimes/sim/runtime.js';
import { RaftNode } from '../../../targets/raft-kv/node.js';
import { raftKv } from '../../../targets/raft-kv/sim.js';

/** A raft-kv cluster in the simulation, with blocking-style helpers that run virtual time. */
export async function raftCluster(bug?: string, seed = 1, nodes = 5) {
  const runtime = new SimRuntime(new Map([['raft-kv', raftKv]]), { seed, latency: { min: 1, max: 5 } });
  const cluster = await runtime.start('raft-kv', { nodes, bug, seed });

  const invoke = async (client: Client, op: ClientOp): Promise<Completion> => {
    let c: Completion | undefined;
    client.invoke(op, (x) => (c = x));
    await runtime.drive(() => c !== undefined);
    return c!;
  };

  const sleep = async (ms: number): Promise<void> => {
    let done = false;
    runtime.at(ms, () => (done = true));
    await runtime.drive(() => done);
  };

  /** Runs virtual time until `cond` holds or `ms` pass; returns whether it held. */
  const waitFor = async (cond: () => boolean, ms = 2000): Promise<boolean> => {
    let timedOut = false;
    runtime.at(ms, () => (timedOut = true));
    await runtime.drive(() => cond() || timedOut);
    return cond();
  };

  let probes = 0;
  const request = async (node: string, op: ClientOp, extra: Record<string, unknown> = {}): Promise<Record<string, unknown> | undefined> => {
    const id = `probe${probes++}`;
    let reply: Record<string, unknown> | undefined;
    let timedOut = false;
    runtime.net.addEndpoint(id, (_from, msg) => (reply = msg as Record<string, unknown>));
    runtime.net.send(id, node, { rid: 0, op, clientId: id, seq: 1, ...extra });
    runtime.at(300, () => (timedOut = true));
    await runtime.drive(() => reply !== undefined || timedOut);
    return reply;
  };

  const program = (node: string): RaftNode => {
    const p = runtime.net.programs().get(node);
    if (!(p instanceof RaftNode)) throw new Error(`${node} is not running`);
    return p;
  };

  const leaders = () => cluster.primaries!();

  return { runtime, cluster, invoke, sleep, waitFor, request, program, leaders };
}

export interface RandomRun {
  bug?: string;
  seed: number;
  durationMs: number;
  faults: readonly ('partition' | 'kill' | 'pause' | 'lose')[];
  concurrency?: number;
  /** How long each fault lasts (virtual ms; default 50–600). */
  faultMs?: { min: number; max: number };
}

/**
 * A small Jepsen loop like primary-backup's: concurrent processes doing read/write/cas on a few keys (a process
 * whose op ends in info is retired for a fresh one), a nemesis that picks a fault — a partition isolating a
 * random minority (often the leader), a kill, a pause (often of the leader), or lossy links at a node — undoes it 50–600 ms later, and
 * starts another 20 ms after that; then a healed cluster and a final read of every key.
 */
export async function randomHistory(run: RandomRun): Promise<Op[]> {
  const { runtime, cluster } = await raftCluster(run.bug, run.seed);
  const rng = new Rng(run.seed * 7919 + 1);
  const history: Op[] = [];
  const keys = [0, 1, 2];
  const concurrency = run.concurrency ?? 5;
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
  for (let i = 0; i < concurrency; i++) {
    const p = nextProcess++;
    processLoop(p, cluster.client(p));
  }

  const nemesis = (c: Cluster) => {
    if (stopping) return;
    const leader = c.primaries!()[0];
    const fault = rng.pick(run.faults);
    const shuffled = [...c.nodes].sort(() => rng.next() - 0.5);
    // Most faults hit the leader when there is one.
    const first = leader !== undefined && rng.chance(0.7) ? leader : shuffled[0];
    let stop: () => void;
    if (fault === 'partition') {
      const minority = [first, ...shuffled.filter((n) => n !== first).slice(0, rng.int(2))];
      record({ process: 'nemesis', type: 'info', f: 'start-partition', value: minority });
      c.faults.partition([minority, c.nodes.filter((n) => !minority.includes(n))]);
      stop = () => c.faults.heal();
    } else if (fault === 'kill') {
      record({ process: 'nemesis', type: 'info', f: 'start-kill', value: first });
      c.faults.kill(first);
      stop = () => c.faults.restart(first);
    } else if (fault === 'lose') {
      // Lossy links at one node: replies lost after the op applied, so clients retry (what dedup is for).
      record({ process: 'nemesis', type: 'info', f: 'start-lose', value: first });
      c.faults.lose([first], 0.2);
      stop = () => c.faults.heal();
    } else {
      record({ process: 'nemesis', type: 'info', f: 'start-pause', value: first });
      c.faults.pause(first);
      stop = () => c.faults.resume(first);
    }
    runtime.at(rng.between(run.faultMs?.min ?? 50, run.faultMs?.max ?? 600), () => {
      record({ process: 'nemesis', type: 'info', f: `stop-${fault}`, value: null });
      stop();
      runtime.at(20, () => nemesis(c));
    });
  };
  if (run.faults.length) runtime.at(300, () => nemesis(cluster));

  let timeUp = false;
  runtime.at(run.durationMs, () => (timeUp = true));
  await runtime.drive(() => timeUp);
  stopping = true;
  await runtime.drive(() => running === 0);
  cluster.faults.heal();
  for (const n of cluster.nodes) {
    cluster.faults.restart(n);
    cluster.faults.resume(n);
  }
  let settled = false;
  runtime.at(1000, () => (settled = true));
  await runtime.drive(() => settled);
  for (const key of keys) {
    const p = nextProcess++;
    invoke(p, cluster.client(p), { f: 'read', key, value: null }, () => {});
  }
  await runtime.drive(() => running === 0);
  return history;
}
