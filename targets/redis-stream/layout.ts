import { z } from 'zod';
import { usageError } from '../../harness/errors.js';
import type { ImageRole } from '../../harness/runtimes/docker/image-roles.js';
import type { OptionSpecs } from '../../harness/target.js';
import { MASTER_NAME } from '../redis-replicated/sentinel.js';
import { kafkaPartition } from './murmur2.js';

/**
 * The issue pins Redis 7.0, the series Debian bookworm ships (7.0.15): only its commands are used (XAUTOCLAIM came
 * in 6.2; nothing of 7.2's), so the official image and the local one run the same server. The local image's
 * package is redis's own: the recipe, and so the image, are unchanged.
 */
export const REDIS_STREAM_IMAGE: ImageRole = { official: 'redis:7.0', packages: ['redis-server'] };

/** The partitions of the log unless the `partitions` option says otherwise (the contract's default). */
export const DEFAULT_PARTITIONS = 4;
/** The consumer group of a run (the contract's one group). */
export const GROUP = 'faultline';
/** Redis with Sentinel needs a majority of sentinels to fail over: three nodes at least. */
export const REPLICATED_NODES = 3;

/** Partition p's stream. */
export const streamKey = (p: number): string => `faultline-log:${p}`;

export const isReplicated = (options: Readonly<Record<string, unknown>>): boolean => options.replicated === true;

export const partitionsOf = (options: Readonly<Record<string, unknown>>): number =>
  typeof options.partitions === 'number' ? options.partitions : DEFAULT_PARTITIONS;

/**
 * The producer's partitioner: Kafka's own for a keyed message (murmur2 of the key), stable across processes and
 * runs, so one key's messages all go to one partition, in the order they were appended.
 */
export function partitionOf(key: string, partitions: number): number {
  return kafkaPartition(key, partitions);
}

export const STREAM_OPTIONS: OptionSpecs = {
  partitions: { schema: z.int().min(1).max(64), description: `the log's partitions, one stream each (default ${DEFAULT_PARTITIONS})` },
  replicated: { schema: z.boolean(), description: `a primary and replicas with Sentinel failover (redis-replicated's layout; ${REPLICATED_NODES} nodes unless --nodes says more)` },
  wait: { schema: z.int().min(0), description: 'with replicated: replicas that must acknowledge each XADD (Redis WAIT) before the send counts; fewer makes it info' },
  master: { schema: z.string().regex(/^[A-Za-z0-9._-]+$/), description: `with replicated: the name the sentinels monitor the primary under (default ${MASTER_NAME})` },
};

/** One server unless replicated; three or more with Sentinel (a majority of sentinels must agree to fail over). */
export function checkLayout(nodes: readonly string[], options: Readonly<Record<string, unknown>>): void {
  if (isReplicated(options) && nodes.length < REPLICATED_NODES) {
    throw usageError(`redis-stream: replicated needs ${REPLICATED_NODES} nodes or more for Sentinel's majority (got ${nodes.length})`);
  }
  if (!isReplicated(options) && nodes.length !== 1) {
    throw usageError(`redis-stream: one server unless replicated (got ${nodes.length} nodes; use --nodes 1, or --options '{"replicated": true}')`);
  }
  if (!isReplicated(options) && typeof options.wait === 'number' && options.wait > 0) throw usageError('redis-stream: option wait needs replicated (a single server has no replicas to wait for)');
}

/** The `wait` option: replicas each XADD waits for (WAIT), 0 to nodes - 1; absent or 0: none. */
export function waitOf(options: Readonly<Record<string, unknown>>, nodes: number): number {
  const w = options.wait;
  if (w === undefined) return 0;
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > nodes - 1) {
    throw usageError(`redis-stream: option wait must be a number of replicas, 0 to ${nodes - 1} (got ${JSON.stringify(w)})`);
  }
  return w;
}
