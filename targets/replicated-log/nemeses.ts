import type { NemesisRecipe } from '../raft-kv/nemeses.js';

/**
 * The fault that exposes each of replicated-log's bugs, and under which the correct log must stay valid too. The
 * brokers' bugs need a failover while sends are being acknowledged: the leader killed (its unreplicated tail is gone
 * with it) or cut off (its followers elect one of themselves). The consumer's bug needs a group member to die between
 * its commit and handing its batch over: a crash of the client, not of a broker.
 */
export const EXPOSING_NEMESES: Record<string, NemesisRecipe> = {
  // Acknowledged on the leader alone: a failover before the followers fetched loses them.
  'ack-before-replicate': { faults: 'kill:primary', interval: 2, timeLimit: 30 },
  // The new leader cuts its log to its HW, a fetch behind what the old leader acknowledged.
  'truncate-on-failover': { faults: 'kill:primary', interval: 2, timeLimit: 30 },
  // The group committed past a batch its crashed member never handed over: no member is given it (group-lost).
  'commit-before-process': { faults: 'crash-client', interval: 2, timeLimit: 10 },
};

/** The generic mix the correct log must survive. */
export const GENERIC_NEMESIS: NemesisRecipe = { faults: 'partition,kill,pause', interval: 3, timeLimit: 30 };
