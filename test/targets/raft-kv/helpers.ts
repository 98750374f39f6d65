import { completeGrudge } from '../../../harness/nemesis/grudge.js';
import type { Op } from '../../../checkers/history/op.js';
import { Rng } from '../../../harness/rng.js';
import type { ClientOp } from '../../../harness/runtime.js';
import { SimRuntime } from '../../../harness/runtimes/sim/runtime.js';
import { RaftNode } from '../../../targets/raft-kv/node.js';
import { raftKv } from '../../../targets/raft-kv/sim.js';
import { faultCycle, randomLoop } from '../../support/random-loop.js';
import { simDriver } from '../../support/sim-driver.js';

/** A raft-kv cluster in the simulation, with blocking-style helpers that run virtual time. */
export async function raftCluster(bug?: string, seed = 1, nodes = 5) {
  const runtime = new SimRuntime(new Map([['raft-kv', raftKv]]), { seed, latency: { min: 1, max: 5 } });
  const cluster = await runtime.start('raft-kv', { nodes, bug, seed });

  const { invoke, sleep, waitFor, request: probe } = simDriver(runtime);
  /** Sends one raw request to a node (bypassing the client's routing) and returns the reply, or undefined. */
  // Each probe is its own client session (seq 1), so dedup never answers one probe with another's result.
  let probes = 0;
  const request = (node: string, op: ClientOp, extra: Record<string, unknown> = {}) => probe(node, { op, clientId: `probe${probes++}`, seq: 1, ...extra }, 300);

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
  const nemesis = faultCycle(run.faultMs ?? { min: 50, max: 600 }, ({ cluster: c, rng, note }) => {
    const leader = c.primaries!()[0];
    const fault = rng.pick(run.faults);
    const shuffled = [...c.nodes].sort(() => rng.next() - 0.5);
    // Most faults hit the leader when there is one.
    const first = leader !== undefined && rng.chance(0.7) ? leader : shuffled[0];
    let stop: () => void;
    if (fault === 'partition') {
      const minority = [first, ...shuffled.filter((n) => n !== first).slice(0, rng.int(2))];
      note('start-partition', minority);
      c.faults.partition(completeGrudge([minority, c.nodes.filter((n) => !minority.includes(n))]));
      stop = () => c.faults.heal();
    } else if (fault === 'kill') {
      note('start-kill', first);
      c.faults.kill(first);
      stop = () => c.faults.restart(first);
    } else if (fault === 'lose') {
      // Lossy links at one node: replies lost after the op applied, so clients retry (what dedup is for).
      note('start-lose', first);
      c.faults.lose([first], 0.2);
      stop = () => c.faults.heal();
    } else {
      note('start-pause', first);
      c.faults.pause(first);
      stop = () => c.faults.resume(first);
    }
    return () => {
      note(`stop-${fault}`, null);
      stop();
    };
  });
  return randomLoop(runtime, cluster, new Rng(run.seed * 7919 + 1), {
    durationMs: run.durationMs,
    concurrency: run.concurrency,
    settleMs: 1000,
    nemesisStartMs: 300,
    nemesis: run.faults.length ? nemesis : undefined,
  });
}
