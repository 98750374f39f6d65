import type { FaultKind } from '../config/definition.js';
import type { Rng } from '../rng.js';
import type { Clock, Faults } from '../runtime.js';

/** Extra delay of the latency fault, and the drop probability of the loss fault. */
export const LATENCY = { min: 20, max: 60 };
export const LOSS = 0.3;
/**
 * A crash-looping node is down for `downMs` and up for `upMs` between crashes: it comes back often enough to vote
 * and to take requests, and crashes again before the cluster has settled around it.
 */
export const CRASH_LOOP = { downMs: { min: 1, max: 10 }, upMs: { min: 20, max: 100 } };

export interface EffectContext {
  faults: Faults;
  clock: Clock;
  rng: Rng;
}

/** A fault on chosen nodes, started now: what to record (else the nodes), and how to undo it. */
export interface Inflicted {
  value: unknown;
  undo(): void;
}

/** How each fault other than a partition (aim.ts makes those) is started on its nodes and undone. */
export const EFFECTS: Record<Exclude<FaultKind, 'partition'>, (c: EffectContext, nodes: string[]) => Inflicted> = {
  kill: ({ faults }, nodes) => {
    nodes.forEach((n) => faults.kill(n));
    return { value: nodes, undo: () => nodes.forEach((n) => faults.restart(n)) };
  },
  pause: ({ faults }, nodes) => {
    nodes.forEach((n) => faults.pause(n));
    return { value: nodes, undo: () => nodes.forEach((n) => faults.resume(n)) };
  },
  latency: ({ faults }, nodes) => {
    faults.slow(nodes, LATENCY);
    return { value: { nodes, ms: LATENCY }, undo: () => faults.heal() };
  },
  loss: ({ faults }, nodes) => {
    faults.lose(nodes, LOSS);
    return { value: { nodes, p: LOSS }, undo: () => faults.heal() };
  },
  'crash-loop': ({ faults, clock, rng }, nodes) => {
    let on = true;
    const crash = (n: string) => {
      if (!on) return;
      faults.kill(n);
      clock.at(rng.between(CRASH_LOOP.downMs.min, CRASH_LOOP.downMs.max), () => {
        if (!on) return;
        faults.restart(n);
        clock.at(rng.between(CRASH_LOOP.upMs.min, CRASH_LOOP.upMs.max), () => crash(n));
      });
    };
    nodes.forEach(crash);
    return {
      value: { nodes, ...CRASH_LOOP },
      undo: () => {
        on = false;
        nodes.forEach((n) => faults.restart(n));
      },
    };
  },
};
