/**
 * The nemesis that exposes each of raft-kv's bugs (README, "Raft"): each bug matters only under the fault that
 * reaches it, and the correct mode must stay valid under the same fault. `faults` is `--nemesis`, `interval` is
 * `--nemesis-interval` and `timeLimit` is `--time-limit`, in seconds.
 */
export interface NemesisRecipe {
  faults: string;
  interval: number;
  timeLimit: number;
}

export const EXPOSING_NEMESES: Record<string, NemesisRecipe> = {
  // A deposed leader cut off from the rest goes on answering reads.
  'stale-read': { faults: 'partition:primary', interval: 5, timeLimit: 30 },
  // The leader keeps one follower: enough for the bug's "majority".
  'commit-without-majority': { faults: 'partition:primary-minority', interval: 5, timeLimit: 30 },
  // Two halves elect at once through one slow, crash-looping node, which forgets its vote in between.
  'forget-vote': { faults: 'partition:bridge+latency:primary+crash-loop:primary', interval: 2, timeLimit: 30 },
  // Replies lost after their request committed: the client retries it.
  'no-dedup': { faults: 'loss:primary', interval: 2, timeLimit: 120 },
};

/** The generic mix raft-kv must survive. */
export const GENERIC_NEMESIS: NemesisRecipe = { faults: 'partition,kill,pause', interval: 5, timeLimit: 30 };
