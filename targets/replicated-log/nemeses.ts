import type { NemesisRecipe } from '../raft-kv/nemeses.js';

/**
 * The fault that exposes each of replicated-log's bugs, and under which the correct log must stay valid too. The
 * brokers' bugs need a failover while sends are being acknowledged: here a partition, which cuts a leader off (its
 * followers elect one of themselves). The consumer's bug needs a group member to die between its commit and handing
 * its batch over: a crash of the client, not of a broker.
 */
export const EXPOSING_NEMESES: Record<string, NemesisRecipe> = {
  // Acknowledged on the leader alone: a leader cut off goes on acknowledging what its followers never get.
  'ack-before-replicate': { faults: 'partition', interval: 5, timeLimit: 10 },
  // The new leader cuts its log to its HW, which lags what the old leader acknowledged until the next entry reaches
  // it (the long-poll fetch): the command form, with the default nemesis and time limit.
  'truncate-on-failover': { faults: 'partition', interval: 5, timeLimit: 10 },
  // The group committed past a batch its crashed member never handed over: no member is given it (group-lost).
  'commit-before-process': { faults: 'crash-client', interval: 2, timeLimit: 10 },
};

/** The generic mix the correct log must survive. */
export const GENERIC_NEMESIS: NemesisRecipe = { faults: 'partition,kill,pause', interval: 3, timeLimit: 30 };
