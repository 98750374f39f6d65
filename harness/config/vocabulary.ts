/*
 * The words a test definition is made of, without the schema that checks one (zod): what the registry and
 * `faultline check` need, loaded without the definition's parser.
 */

/** The runtimes a test can run on: the embedded simulation, and real servers in Docker containers. */
export const RUNTIMES = ['sim', 'docker'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/**
 * The faults the nemesis can inflict. `crash-loop` crash-restarts its nodes again and again while it lasts (a
 * process crash-looping under its supervisor): many elections, each with nodes that forget what they did not persist.
 */
export const FAULT_KINDS = ['partition', 'kill', 'pause', 'latency', 'loss', 'crash-loop'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What a name may be: of a test, a target, a workload, a bug (and, in the registry, whatever a plugin brings). */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** How a value is shown after "got": short, and the type when the value would not help. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

/** Commander's argument parser for a repeatable flag: every value, in order. */
export const collectFlag = (v: string, all: string[] | undefined): string[] => [...(all ?? []), v];
