import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Labels on everything the Docker runtime creates. Ryuk (testcontainers' reaper) cannot run where no registry is
 * reachable, so faultline cleans up after itself: a run removes what carries its run id, and `faultline cleanup`
 * removes whatever carries `faultline.run` from runs that crashed or were killed.
 */
export const LABELS = {
  /** The run's id: the key to everything one run created. */
  run: 'faultline.run',
  /** The node a container runs. */
  node: 'faultline.node',
  /** The pid of the faultline process that created it, so `faultline cleanup` can tell live runs from dead ones. */
  pid: 'faultline.pid',
  /**
   * Where that pid means something: the host name and the pid namespace. One engine can serve several machines or
   * containers (a shared socket, CI runners side by side); a pid from elsewhere says nothing about liveness here.
   */
  origin: 'faultline.origin',
} as const;

/** This process's host name and pid namespace (Linux names it in /proc; elsewhere the host name alone). */
export const ORIGIN = ((): string => {
  let ns = '';
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // Not Linux, or no /proc: the host name is the best we have.
  }
  return ns ? `${hostname()} ${ns}` : hostname();
})();

export function runLabels(runId: string): Record<string, string> {
  return { [LABELS.run]: runId, [LABELS.pid]: String(process.pid), [LABELS.origin]: ORIGIN };
}

/** Docker's label filter for one run, or for every run. */
export function runFilter(runId?: string): { label: string[] } {
  return { label: [runId ? `${LABELS.run}=${runId}` : LABELS.run] };
}
