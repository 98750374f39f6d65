import { z } from 'zod';
import { Rng } from '../harness/rng.js';
import type { ClientOp, Completion } from '../harness/runtime.js';
import type { ProcessGenerator, Workload } from './workload.js';

/** The message keys sends draw from: the producer (the target's client) maps each to a partition by its hash. */
export const LOG_KEYS = Array.from({ length: 16 }, (_, i) => `k${i}`);
/** The partitions a log target has unless told otherwise (its option `partitions`, which this workload's must match). */
export const DEFAULT_PARTITIONS = 4;
/** Of the ops after a process has joined: sends about 60 %, polls about 40 % (Jepsen's Kafka workload mixes both). */
const SEND_PERCENT = 60;
/** About one op in this many is a fresh assign or subscribe: a consumer changing its mind mid-run, as Jepsen's do. */
const REJOIN_EVERY = 50;

/** How a process consumes: `assign` reads chosen partitions from its own positions; `subscribe` joins the group. */
type Join = { f: 'assign'; value: number[] } | { f: 'subscribe'; value: null };

/**
 * Each process first joins, by assigning itself partitions (a random non-empty subset, or all) or subscribing to the
 * consumer group (about half each), and only then mixes sends and polls: a poll before either has nothing to read
 * from. A join that failed is tried again; an `info` retires the process and its successor joins afresh. Values come
 * from one counter for every process, from 1, so a read names the very send it saw.
 */
function logGenerator(seed: number, partitions: number): ProcessGenerator {
  const rng = new Rng(seed);
  const joined = new Set<number>();
  /** The processes whose last join was a subscribe: members of the consumer group. */
  const members = new Set<number>();
  let next = 1;
  const join = (): Join => {
    if (rng.chance(0.5)) return { f: 'subscribe', value: null };
    if (rng.chance(0.25)) return { f: 'assign', value: Array.from({ length: partitions }, (_, p) => p) };
    let subset: number[] = [];
    while (subset.length === 0) subset = Array.from({ length: partitions }, (_, p) => p).filter(() => rng.chance(0.5));
    return { f: 'assign', value: subset };
  };
  return {
    next(process) {
      if (!joined.has(process) || rng.int(REJOIN_EVERY) === 0) return { op: join() };
      if (rng.int(100) < SEND_PERCENT) return { op: { f: 'send', key: rng.pick(LOG_KEYS), value: next++ } };
      return { op: { f: 'poll', value: null } };
    },
    update(process, op: ClientOp, c: Completion) {
      if (c.type === 'info') {
        joined.delete(process);
        members.delete(process);
      } else if (c.type === 'ok' && (op.f === 'assign' || op.f === 'subscribe')) {
        joined.add(process);
        if (op.f === 'subscribe') members.add(process);
        else members.delete(process);
      }
    },
    /**
     * The group's members: a member that dies between reading a batch and acknowledging or committing it leaves
     * entries that only the group can deliver again (another member claims them, or reads from the committed offset).
     * Crashing one there (`crash-client`) is what tells at-least-once delivery from at-most-once; an assigning
     * consumer's positions die with it and its successor starts over, which loses nothing.
     */
    critical: () => [...members],
  };
}

/** The workload's option `partitions`, or its default (the registry has checked its shape against the spec below). */
function partitionsOf(options: Readonly<Record<string, unknown>> | undefined): number {
  const p = options?.partitions;
  return typeof p === 'number' ? p : DEFAULT_PARTITIONS;
}

/**
 * A Kafka-style partitioned log (issue 20), after Jepsen's Kafka workload: processes send unique integers under
 * message keys k0…k15 (the target's producer picks the partition from the key's hash and acknowledges the partition
 * and offset), and consume them by polling, either from partitions they assign themselves or as members of one
 * consumer group. After the faults, one `drain` reads every partition whole, and one `drain-group` takes from the
 * consumer group everything it has yet to deliver (what a crashed member left pending or uncommitted included), so
 * that an entry the group never gave any member shows. Checked by the `log` checker (lost writes, duplicates,
 * inconsistent offsets, polls going backwards or skipping, values never sent, entries the group skipped).
 */
export const log: Workload = {
  name: 'log',
  description:
    'send unique integers under 16 keys to a partitioned log and poll them back (assigned partitions or a consumer group), then drain every partition and what the group has yet to deliver; checked by the log checker (lost writes, duplicates, inconsistent offsets, nonmonotonic and skipping polls, phantoms, entries the group skipped)',
  checker: 'log',
  operations: {
    send: z.int(),
    poll: z.null(),
    assign: z.array(z.int()),
    subscribe: z.null(),
    drain: z.null(),
    'drain-group': z.null(),
  },
  options: {
    partitions: {
      schema: z.int().min(1).max(1024),
      description: `the partitions assigns choose from, 0 to partitions - 1 (default ${DEFAULT_PARTITIONS}); must match the target's own option of the same name, which the one --options value sets for both`,
    },
  },
  generator: (seed, options) => logGenerator(seed, partitionsOf(options)),
  finalOps: () => [
    { f: 'drain', value: null },
    { f: 'drain-group', value: null },
  ],
};
