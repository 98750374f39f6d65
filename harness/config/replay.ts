import { externalNodesOf, formatFaultList, type TestDefinition } from './definition.js';
import { formatExternalNodes } from './external.js';
import { RUN_FLAGS, type RunFlagKey } from './flags.js';

/**
 * The command that runs a definition again: every flag, the seed included, so it needs no config file and no
 * defaults that might change (STYLE.md 10: a failure prints the exact command that replays it).
 */

/** The flag values of a definition, as `faultline run` reads them (RUN_FLAGS order; unset optional fields left out). */
export function replayArgs(def: TestDefinition): string[] {
  const value: Record<RunFlagKey, string | readonly string[] | undefined> = {
    name: def.name,
    target: def.target,
    workload: def.workload,
    runtime: def.runtime,
    nodes: def.runtime === 'external' ? formatExternalNodes(externalNodesOf(def)) : Array.isArray(def.nodes) ? def.nodes.join(',') : String(def.nodes),
    concurrency: String(def.concurrency),
    timeLimit: String(def.timeLimit),
    rate: def.rate === undefined ? undefined : String(def.rate),
    nemesis: formatFaultList(def.nemesis.faults),
    nemesisInterval: String(def.nemesis.interval),
    // References only (`{"env": …}`): the schema refuses a secret's value, so none can reach the line.
    faults: def.faults && JSON.stringify(def.faults),
    ssh: def.ssh && JSON.stringify(def.ssh),
    seed: String(def.seed),
    bug: def.bug,
    images: def.images,
    store: def.store,
    options: Object.keys(def.options).length ? JSON.stringify(def.options) : undefined,
    plugin: def.plugins,
  };
  const args: string[] = [];
  for (const f of RUN_FLAGS) {
    const v = value[f.key];
    for (const one of typeof v === 'string' ? [v] : (v ?? [])) args.push(f.flag, one);
  }
  return args;
}

/** `faultline run --name … --seed 1234 …`, each argument quoted for a POSIX shell when it needs to be. */
export function replayCommand(def: TestDefinition, program = 'faultline run'): string {
  return [program, ...replayArgs(def).map(shellQuote)].join(' ');
}

/** POSIX sh quoting: bare when only safe characters, else single quotes (a ' inside becomes '\''). */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_\-+=.,/:@%^]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
