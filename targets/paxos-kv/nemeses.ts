import type { NemesisRecipe } from '../raft-kv/nemeses.js';

/**
 * The nemesis that exposes each of paxos-kv's bugs (README, "Paxos"), and under which the correct protocol must stay
 * valid too. `faults` is `--nemesis`, `interval` `--nemesis-interval`, `timeLimit` `--time-limit` (seconds).
 */
export const EXPOSING_NEMESES: Record<string, NemesisRecipe> = {
  // A leader cut off from the rest goes on answering reads from its own store while the others choose new writes.
  'local-read': { faults: 'partition:primary', interval: 5, timeLimit: 10 },
  // The leader keeps one acceptor: with it, enough for the bug's "chosen"; the other three choose other values.
  'minority-accept': { faults: 'partition:primary-minority', interval: 5, timeLimit: 10 },
  // A new leader's phase 1 finds values the old one had chosen (and answered) that no follower knew chosen yet (they
  // learn it from the next heartbeat); it proposes no-ops there instead. The faults with the kills aimed at
  // the leader, a cycle every 2 s (with kills aimed anywhere, `partition:bridge,kill`: 19 of 20 seeds).
  'ignore-accepted': { faults: 'partition:bridge,kill:primary', interval: 2, timeLimit: 30 },
  // Duelling proposers: the two halves of a bridge partition each reach a majority only through the bridge, the
  // leader, which crash-loops. Each restart forgets whom it promised, so both halves elect through it in turn and the
  // older ballot's accepts are taken again.
  'forget-promise': { faults: 'partition:bridge+crash-loop:primary', interval: 2, timeLimit: 30 },
};

/** The generic mix paxos-kv must survive. */
export const GENERIC_NEMESIS: NemesisRecipe = { faults: 'partition,kill,pause', interval: 3, timeLimit: 30 };
