import type { z } from 'zod';

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
   * Nodes of its cluster the nemesis leaves alone: not the system under test but what it is tested against (a lock's
   * protected resource). A fault aimed at random, a minority or all never hits them.
   */
  readonly bystanders?: readonly string[];
  /** Nodes can join and leave its ring while it runs (the membership nemesis asks them to). */
  readonly membership?: true;
}
