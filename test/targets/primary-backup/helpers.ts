import { completeGrudge } from '../../../harness/nemesis/grudge.js';
import type { Op } from '../../../checkers/history/op.js';
import { Rng } from '../../../harness/rng.js';
import type { ClientOp } from '../../../harness/runtime.js';
import { SimRuntime } from '../../../harness/runtimes/sim/runtime.js';
import { PrimaryBackupNode } from '../../../targets/primary-backup/node.js';
import { primaryBackup } from '../../../targets/primary-backup/sim.js';
import { faultCycle, randomLoop } from '../../support/random-loop.js';
import { simDriver } from '../../support/sim-driver.js';

/** A primary-backup cluster in the simulation, with blocking-style helpers that run virtual time. */
export async function simCluster(bug?: string, seed = 1) {
  const runtime = new SimRuntime(new Map([['primary-backup', primaryBackup]]), { seed, latency: { min: 1, max: 5 } });
  const cluster = await runtime.start('primary-backup', { nodes: 3, bug, seed });

  const { invoke, sleep, request: probe } = simDriver(runtime);
  /** Sends one raw request to a node (bypassing the client's routing) and returns the reply, or undefined. */
  const request = (node: string, op: ClientOp) => probe(node, { op }, 100);

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
  const nemesis = faultCycle({ min: 20, max: 300 }, ({ cluster: c, rng, note }) => {
    const node = rng.pick(c.nodes);
    const fault = rng.pick(run.faults);
    note(`start-${fault}`, node);
    if (fault === 'partition') c.faults.partition(completeGrudge([[node], c.nodes.filter((n) => n !== node)]));
    else if (fault === 'kill') c.faults.kill(node);
    else c.faults.pause(node);
    return () => {
      note(`stop-${fault}`, node);
      if (fault === 'partition') c.faults.heal();
      else if (fault === 'kill') c.faults.restart(node);
      else c.faults.resume(node);
    };
  });
  return randomLoop(runtime, cluster, new Rng(run.seed * 7919 + 1), {
    durationMs: run.durationMs,
    concurrency: run.concurrency,
    settleMs: 200,
    nemesisStartMs: 30,
    nemesis: run.faults.length ? nemesis : undefined,
  });
}
