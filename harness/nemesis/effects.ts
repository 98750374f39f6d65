import type { FaultKind } from '../config/definition.js';
import { PEERLESS_FAULTS, type PeerlessFaultKind } from '../config/vocabulary.js';
import type { Rng } from '../rng.js';
import type { ClientFaults, ClockChange, ClockFaults, Clock, FaultDone, Faults } from '../runtime.js';
import { allDone, andThen } from './settle.js';

/** Extra delay of the latency fault, and the drop probability of the loss fault. */
export const LATENCY = { min: 20, max: 60 };
export const LOSS = 0.3;
/** The client-slow fault's bandwidth, each way: a reply of a few hundred bytes takes a good part of a second. */
export const SLOW_BYTES_PER_SECOND = 1024;
/**
 * A crash-looping node is down for `downMs` and up for `upMs` between crashes: it comes back often enough to vote
 * and to take requests, and crashes again before the cluster has settled around it.
 */
export const CRASH_LOOP = { downMs: { min: 1, max: 10 }, upMs: { min: 20, max: 100 } };

export interface EffectContext {
  faults: Faults;
  clock: Clock;
  rng: Rng;
  /** The fault's parameters (FAULT_PARAMS), durations in ms. */
  params: Readonly<Record<string, number>>;
}

/** A clock fault's jump when the nemesis spec gives none: a minute forward, past any lease or TTL. */
export const CLOCK_OFFSET_MS = 60_000;

/**
 * A fault on chosen nodes: what to record, when it is in force (`started`), and how to undo it. The stop is recorded
 * with `value` too, unless `undoneValue` says otherwise (a membership change, which its stop leaves in force).
 */
export interface Inflicted {
  value: unknown;
  started: FaultDone;
  undo(): FaultDone;
  undoneValue?: unknown;
}

/** The runtime's client faults: the registry refused a client fault on a runtime without them before the run. */
function client(faults: Faults): ClientFaults {
  if (!faults.client) throw new Error('this runtime has no fault proxy in front of its nodes');
  return faults.client;
}

/** The runtime's clock faults: the registry refused a clock fault on a runtime without them before the run. */
function clockOf(faults: Faults): ClockFaults {
  if (!faults.clock) throw new Error('this runtime cannot change a node\'s clock');
  return faults.clock;
}

/**
 * How each fault other than a partition (aim.ts makes those), a client pause or crash (the nemesis's own) and a membership
 * change (membership.ts) is started and undone.
 */
export const EFFECTS: Record<Exclude<FaultKind, 'partition' | 'pause-client' | 'crash-client' | 'membership'>, (c: EffectContext, nodes: string[]) => Inflicted> = {
  clock: ({ faults, params }, nodes) => {
    const change: ClockChange = params.rate !== undefined ? { rate: params.rate } : { offsetMs: params.offset ?? CLOCK_OFFSET_MS };
    return {
      value: { nodes, ...change },
      started: allDone(nodes.map((n) => clockOf(faults).change(n, change))),
      undo: () => allDone(nodes.map((n) => clockOf(faults).reset(n))),
    };
  },
  kill: ({ faults }, nodes) => ({
    value: nodes,
    started: allDone(nodes.map((n) => faults.kill(n))),
    undo: () => allDone(nodes.map((n) => faults.restart(n))),
  }),
  pause: ({ faults }, nodes) => ({
    value: nodes,
    started: allDone(nodes.map((n) => faults.pause(n))),
    undo: () => allDone(nodes.map((n) => faults.resume(n))),
  }),
  latency: ({ faults }, nodes) => ({ value: { nodes, ms: LATENCY }, started: faults.slow(nodes, LATENCY), undo: () => faults.heal() }),
  loss: ({ faults }, nodes) => ({ value: { nodes, p: LOSS }, started: faults.lose(nodes, LOSS), undo: () => faults.heal() }),
  // Half the client partitions black-hole the connections, half reset them: clients meet both time-outs and errors.
  'client-partition': ({ faults, rng }, nodes) => {
    const mode = rng.next() < 0.5 ? 'drop' : 'reset';
    return { value: { nodes, mode }, started: client(faults).cut(nodes, mode), undo: () => client(faults).heal(nodes) };
  },
  'client-latency': ({ faults }, nodes) => ({ value: { nodes, ms: LATENCY }, started: client(faults).delay(nodes, LATENCY), undo: () => client(faults).heal(nodes) }),
  'client-loss': ({ faults }, nodes) => ({ value: { nodes, p: LOSS }, started: client(faults).lose(nodes, LOSS), undo: () => client(faults).heal(nodes) }),
  'client-slow': ({ faults }, nodes) => ({
    value: { nodes, bytesPerSecond: SLOW_BYTES_PER_SECOND },
    started: client(faults).throttle(nodes, SLOW_BYTES_PER_SECOND),
    undo: () => client(faults).heal(nodes),
  }),
  'crash-loop': ({ faults, clock, rng }, nodes) => {
    let on = true;
    // Each node's kills and restarts form one chain: a real runtime's restart waits for its kill to finish, and
    // the undo's restart waits for whatever step is under way.
    const chains = new Map<string, FaultDone>();
    const step = (n: string, what: () => FaultDone, then: () => void) => {
      const r = andThen(chains.get(n), what);
      chains.set(n, r instanceof Promise ? r.catch(() => undefined) : r);
      if (r instanceof Promise) void r.then(then, then);
      else then();
    };
    const crash = (n: string) => {
      if (!on) return;
      step(n, () => faults.kill(n), () =>
        clock.at(rng.between(CRASH_LOOP.downMs.min, CRASH_LOOP.downMs.max), () => {
          if (!on) return;
          step(n, () => faults.restart(n), () => clock.at(rng.between(CRASH_LOOP.upMs.min, CRASH_LOOP.upMs.max), () => crash(n)));
        }),
      );
    };
    nodes.forEach(crash);
    return {
      value: { nodes, ...CRASH_LOOP },
      started: undefined,
      undo: () => {
        on = false;
        return allDone(nodes.map((n) => andThen(chains.get(n), () => faults.restart(n))));
      },
    };
  },
};

/**
 * A peerless target's network faults (TargetInfo.peerless), made by the TCP fault proxy as its client faults are:
 * between nodes that never talk there is nothing to break, so a partition, latency or loss of a node is between it
 * and the clients. Recorded under their own names, the value saying where they were made (`via: 'proxy'`).
 */
export const PROXIED_EFFECTS: Record<PeerlessFaultKind, (c: EffectContext, nodes: string[]) => Inflicted> = {
  partition: (c, nodes) => viaProxy(EFFECTS[PEERLESS_FAULTS.partition](c, nodes)),
  latency: (c, nodes) => viaProxy(EFFECTS[PEERLESS_FAULTS.latency](c, nodes)),
  loss: (c, nodes) => viaProxy(EFFECTS[PEERLESS_FAULTS.loss](c, nodes)),
};

function viaProxy(done: Inflicted): Inflicted {
  return { ...done, value: { ...(done.value as object), via: 'proxy' } };
}
