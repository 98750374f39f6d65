import type { NemesisRecipe } from '../raft-kv/nemeses.js';

/**
 * The fault mix that exposes each of sharded-kv's bugs (README, "Sharded store"), and under which the correct store
 * must stay valid too. Membership changes come every `interval` seconds, each with a fault that makes the change
 * harder: a partition (a hand-off must wait for the nodes it cannot reach), a pause (a slow node the detector
 * suspects).
 */
export const EXPOSING_NEMESES: Record<string, NemesisRecipe> = {
  // Every join moves keys by modulo, most of them where the ring's hand-off never looks.
  'seed-ring': { faults: 'membership+partition', interval: 3, timeLimit: 30 },
  // A joiner owns keys it never received: reads there miss what was written before.
  'no-handoff': { faults: 'membership+partition', interval: 3, timeLimit: 30 },
  // After a change, routers whose ring is older send keys to their former owners.
  'stale-ring': { faults: 'membership+partition', interval: 3, timeLimit: 30 },
  // A paused shard is suspected and dropped unfenced; resumed, it serves its old keys beside their new owner.
  'eager-detector': { faults: 'pause', interval: 3, timeLimit: 30 },
};

/** The generic mix the correct store must survive: membership changes with partitions, kills and pauses. */
export const GENERIC_NEMESIS: NemesisRecipe = { faults: 'membership+partition,membership+kill,membership+pause', interval: 3, timeLimit: 30 };
