import type { z } from 'zod';
import type { FaultKind } from './config/vocabulary.js';

/**
 * One option a target or a workload takes (`--options '{"wait": 1}'`, `options:` in a config file): the schema its
 * value must fit and what it does. Options nobody declared are refused, so a typo is never silently ignored.
 */
export interface OptionSpec {
  readonly schema: z.ZodType;
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/**
 * What every target declares, whichever runtime runs it (the simulation's SimTarget and Docker's DockerTarget add
 * how it starts there). The registry checks a test against these before anything starts.
 */
export interface TargetInfo {
  readonly name: string;
  readonly description: string;
  /** Named bugs (`--bug`) this target can run with. */
  readonly bugs: readonly string[];
  /** Its own cluster size, used when a test gives none. */
  readonly defaultNodes: number;
  /**
   * The operations (`f`) its clients perform. A workload runs against it only if every operation the workload
   * generates is among them: a client that answers an op it does not know with `fail` makes any history look fine.
   */
  readonly operations: readonly string[];
  readonly options?: OptionSpecs;
  /**
   * The workload a test of it runs when the test names none, for a target whose operations fit only its own (the
   * cache workload for cache-aside). Absent: the register workload.
   */
  readonly workload?: string;
  /**
   * Nodes of its cluster the nemesis leaves alone: not the system under test but what it is tested against (a lock's
   * protected resource). A fault aimed at random, a minority or all never hits them.
   */
  readonly bystanders?: readonly string[];
  /**
   * The target's nodes can join and leave its membership during a run (the membership nemesis). `true`, or the
   * runtime's own description of how, which declares it as well (a SimTarget's `membership` is its SimMembership).
   */
  readonly membership?: true | object;
  /**
   * Named groups of its nodes (`{ cache: ['cache'], db: ['db'] }`), which a fault may aim at by name
   * (`latency:db`, `kill:cache`, `partition:cache`): exactly the role's nodes (a partition cuts them off from the
   * rest). Given the cluster's node ids (as the runtime started them), so a target whose nodes follow `--nodes` can
   * compute its groups; the names (the keys) must not depend on them: the registry checks a fault's role against the
   * names before anything starts. A name may not be a built-in target's (`primary`, `all`, …).
   */
  roles?(nodes: readonly string[]): Readonly<Record<string, readonly string[]>>;
  /**
   * The role each kind of fault aims at when the test names no target (`latency` → `db`), instead of the varied
   * choice (harness/nemesis/aim.ts VARIED_TARGETS); the history's fault values name the role. Not for `pause-client`,
   * `crash-client` and `membership`, which aim at no nodes.
   */
  readonly aims?: Readonly<Partial<Record<FaultKind, string>>>;
  /**
   * Its nodes never talk among themselves (only the clients talk to each of them: a cache and a database under
   * cache-aside): a network fault on a node is a fault between it and the clients. On a runtime with the TCP fault
   * proxy (Docker, external) `partition`, `latency` and `loss` are then made by the proxy, as `client-partition`,
   * `client-latency` and `client-loss` are, and recorded under their own names with `via: 'proxy'`; a partition's
   * shapes (`ring`, `bridge`) are refused. The simulation, which makes every fault itself, is unchanged.
   */
  readonly peerless?: true;
}
