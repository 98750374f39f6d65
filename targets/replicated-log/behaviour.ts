import { z } from 'zod';
import type { OptionSpecs } from '../../harness/target.js';
import type { BugTable } from '../bugs.js';

/** What distinguishes the correct log from its bugs. */
export interface Behaviour {
  /** The leader acknowledges a send once it appended it itself (acks=1), before its in-sync replicas have it. */
  ackBeforeReplicate: boolean;
  /**
   * A broker that becomes leader of a new epoch cuts its log back to its own high watermark. A follower's HW lags the
   * leader's by a fetch, so entries the old leader acknowledged are cut, and the new leader reuses their offsets.
   */
  truncateOnFailover: boolean;
  /**
   * The client's: a group consumer commits the offset past its batch as soon as it has read it, before the poll hands
   * the batch over (at-most-once delivery, Kafka's auto-commit pitfall). Nothing shows until a consumer dies between
   * its commit and the end of its poll (`crash-client`): the group has moved past a batch no member was given.
   */
  commitBeforeProcess: boolean;
}

export const CORRECT: Behaviour = { ackBeforeReplicate: false, truncateOnFailover: false, commitBeforeProcess: false };

export const BUGS: BugTable<Behaviour> = {
  'ack-before-replicate': { ackBeforeReplicate: true },
  'truncate-on-failover': { truncateOnFailover: true },
  'commit-before-process': { commitBeforeProcess: true },
};

export const OPTIONS: OptionSpecs = {
  partitions: { schema: z.int().min(1).max(64), description: 'partitions of the topic (default 4); a key goes to hash(key) mod partitions' },
  replication: { schema: z.int().min(1).max(9), description: 'replicas per partition (default 3; at most the brokers, fewer when there are fewer); acks=all waits for every in-sync one' },
};

/** The options of a run, with their defaults, for a cluster of `brokers`. */
export interface Settings {
  partitions: number;
  replication: number;
}

export function settingsOf(options: Readonly<Record<string, unknown>>, brokers: number): Settings {
  return {
    partitions: (options.partitions as number | undefined) ?? 4,
    replication: Math.min(brokers, (options.replication as number | undefined) ?? 3),
  };
}

/** FNV-1a over the key's UTF-16 units: the producer's partitioner, stable across processes and runs. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % partitions;
}

/** Partition p's replicas: `replication` brokers from the p-th on, so leaders (the first) spread over the brokers. */
export function replicasOf(p: number, brokers: readonly string[], replication: number): string[] {
  return Array.from({ length: replication }, (_, i) => brokers[(p + i) % brokers.length]);
}
