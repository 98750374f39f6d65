/**
 * The ring's configuration: which nodes are members at which epoch. It lives in one register of a Raft group (the
 * config nodes run raft-kv's RaftNode), and changes only by a cas from one stable configuration to the next, so two
 * controllers that both want a change (a detector's suspicion, a node's join) cannot both make it: the epoch is a
 * consensus decision, never a node's own idea.
 *
 * A change is two steps, as in a two-phase reconfiguration: `moving` (epoch E is decided, members E-1 are `from`,
 * keys are handed off from the old owners to the new ones) and then stable. Only a stable configuration may
 * change again, so a hand-off always moves keys out of one stable configuration: the data of epoch E-1 is where
 * the ring of `from` puts it.
 */
export interface RingConfig {
  readonly epoch: number;
  readonly members: readonly string[];
  /** While moving: the members of epoch - 1, whose keys are being handed off. */
  readonly from?: readonly string[];
}

/** The register of the config group that holds the configuration. */
export const CONFIG_KEY = 'ring';

export const isMoving = (c: RingConfig): boolean => c.from !== undefined;

/**
 * The register holds the configuration as JSON text: raft-kv's cas compares values with ===, so the expected value
 * of a cas must be the very text that was read.
 */
export const encodeConfig = (c: RingConfig): string =>
  JSON.stringify(c.from === undefined ? { epoch: c.epoch, members: c.members } : { epoch: c.epoch, members: c.members, from: c.from });

export function decodeConfig(text: unknown): RingConfig | undefined {
  if (typeof text !== 'string') return undefined;
  const c = JSON.parse(text) as RingConfig;
  return c;
}

/** The next configuration: epoch + 1 with these members, moving out of `c` (which must be stable). */
export function nextConfig(c: RingConfig, members: readonly string[]): RingConfig {
  return { epoch: c.epoch + 1, members: [...members].sort(), from: c.members };
}

/** The same epoch, its hand-off done. */
export const settled = (c: RingConfig): RingConfig => ({ epoch: c.epoch, members: c.members });

/** Of two configurations, the later (a higher epoch; at one epoch, the stable one). */
export function later(a: RingConfig | undefined, b: RingConfig | undefined): RingConfig | undefined {
  if (!a) return b;
  if (!b) return a;
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? a : b;
  return isMoving(a) ? b : a;
}
