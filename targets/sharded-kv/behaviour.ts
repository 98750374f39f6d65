import { z } from 'zod';
import type { OptionSpecs } from '../../harness/target.js';
import type { BugTable } from '../bugs.js';
import { consistentHashing, DEFAULT_VNODES, moduloPlacement, type Placement } from './ring.js';

/** What distinguishes the correct store from its bugs. */
export interface Behaviour {
  /** Keys are placed by the seed code's `hash % len(nodes)` instead of the ring. */
  seedPlacement: boolean;
  /** A hand-off sends a joining node nothing: it owns keys it never received. */
  handoffToJoiners: boolean;
  /**
   * Shards check a request's epoch and their own ownership (refusing an older epoch, a key they do not own), and
   * routers take the newer ring they are told of. Off: a router keeps the ring it started with, and the former owner
   * takes its writes.
   */
  epochFencing: boolean;
  /**
   * The failure detector's removals are fenced like every change: the hand-off waits for the suspect's answer,
   * which moves it to the new epoch. Off (with a timeout detector that suspects a slow node): the suspect is dropped
   * without being told, and goes on serving its keys while their new owner does.
   */
  fenceSuspects: boolean;
  /** The naive detector (a short time-out) rather than phi accrual. */
  eagerDetector: boolean;
}

export const CORRECT: Behaviour = { seedPlacement: false, handoffToJoiners: true, epochFencing: true, fenceSuspects: true, eagerDetector: false };

export const BUGS: BugTable<Behaviour> = {
  'seed-ring': { seedPlacement: true },
  'no-handoff': { handoffToJoiners: false },
  'stale-ring': { epochFencing: false },
  'eager-detector': { fenceSuspects: false, eagerDetector: true },
};

/** How a read picks the replica that coordinates it, among the key's owners. */
export const BALANCING = ['round-robin', 'random', 'least-outstanding'] as const;
export type Balancing = (typeof BALANCING)[number];

export const OPTIONS: OptionSpecs = {
  replication: {
    schema: z.int().min(1).max(5),
    description: 'owners per key (default 1): writes go to the first, reads to any, both through a majority of them',
  },
  vnodes: { schema: z.int().min(1).max(1024), description: `points per node on the ring (default ${DEFAULT_VNODES})` },
  balance: { schema: z.enum(BALANCING), description: 'which owner coordinates a read: round-robin (default), random, least-outstanding' },
};

/** The options of a run, with their defaults. */
export interface Settings {
  replication: number;
  vnodes: number;
  balance: Balancing;
}

export function settingsOf(options: Readonly<Record<string, unknown>>): Settings {
  return {
    replication: (options.replication as number | undefined) ?? 1,
    vnodes: (options.vnodes as number | undefined) ?? DEFAULT_VNODES,
    balance: (options.balance as Balancing | undefined) ?? 'round-robin',
  };
}

/** Where keys live for this behaviour: the ring, or the seed code's modulo. */
export function placementOf(b: Behaviour, s: Settings): Placement {
  return b.seedPlacement ? moduloPlacement : consistentHashing(s.vnodes);
}

/**
 * Which keys a hand-off moves. The correct store asks the placement it uses; the seed-ring bug asks the ring, as code
 * that assumes consistent hashing (only the keys next to the joiner move) while placing keys by modulo does.
 */
export function handoffPlacementOf(b: Behaviour, s: Settings): Placement {
  return b.seedPlacement ? consistentHashing(s.vnodes) : placementOf(b, s);
}

/** A majority of n owners. */
export const majority = (n: number): number => Math.floor(n / 2) + 1;
