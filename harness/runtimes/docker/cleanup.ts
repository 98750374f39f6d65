import type Dockerode from 'dockerode';
import { LABELS, ORIGIN, runFilter } from './labels.js';

export { trackCluster } from '../teardown.js';

export interface Leftovers {
  containers: string[];
  networks: string[];
  /** Runs skipped because the faultline process that made them is still alive. */
  liveRuns: string[];
  /** Runs skipped because another machine or pid namespace made them, with where: their liveness is unknown here. */
  foreignRuns: { run: string; origin: string }[];
}

/**
 * Removes the containers and networks of runs whose faultline process is gone (or of one run, or, with `all`,
 * of every run): what a crashed or SIGKILLed run left behind. `dryRun` only lists them.
 */
export async function removeLeftovers(docker: Dockerode, options: { runId?: string; all?: boolean; dryRun?: boolean } = {}): Promise<Leftovers> {
  const filters = runFilter(options.runId);
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  const liveRuns = new Set<string>();
  const foreignRuns = new Map<string, string>();
  const isLive = (labels: Record<string, string> | undefined): boolean => {
    if (options.all || options.runId || !labels) return false;
    const origin = labels[LABELS.origin];
    if (origin !== undefined && origin !== ORIGIN) {
      // Made by a process on another machine or in another pid namespace: its pid cannot be checked from here,
      // so the run may well be alive. Only --all (or its run id) removes it.
      foreignRuns.set(labels[LABELS.run], origin);
      return true;
    }
    const pid = Number(labels[LABELS.pid]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    liveRuns.add(labels[LABELS.run]);
    return true;
  };
  const doomedContainers = containers.filter((c) => !isLive(c.Labels));
  const doomedNetworks = networks.filter((n) => !isLive(n.Labels));
  if (!options.dryRun) {
    await removeResources(
      docker,
      doomedContainers.map((c) => c.Id),
      doomedNetworks.map((n) => () => docker.getNetwork(n.Id).remove()),
    );
  }
  return {
    containers: doomedContainers.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')),
    networks: doomedNetworks.map((n) => n.Name),
    liveRuns: [...liveRuns],
    foreignRuns: [...foreignRuns].map(([run, origin]) => ({ run, origin })),
  };
}

/** Force-removes containers (with their volumes), then networks (once their endpoints are gone); what is already gone is success. */
export async function removeResources(docker: Dockerode, containerIds: Iterable<string>, networks: readonly (() => Promise<unknown>)[]): Promise<void> {
  await Promise.all([...new Set(containerIds)].map((id) => docker.getContainer(id).remove({ force: true, v: true }).catch(ignoreGone)));
  await Promise.all(networks.map((remove) => removeNetwork(remove)));
}

/** Removing what is already gone is success. */
export function ignoreGone(e: unknown): void {
  const status = (e as { statusCode?: number }).statusCode;
  if (status === 404 || status === 409) return; // 409: removal already in progress
  throw e;
}

/** A network cannot go while an endpoint is attached: a container whose removal is still under way. Retry briefly. */
export async function removeNetwork(remove: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await remove();
      return;
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 404) return;
      if (attempt >= 20 || !/active endpoints|in use/i.test(String((e as Error).message))) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
