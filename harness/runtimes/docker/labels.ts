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
} as const;

export function runLabels(runId: string): Record<string, string> {
  return { [LABELS.run]: runId, [LABELS.pid]: String(process.pid) };
}

/** Docker's label filter for one run, or for every run. */
export function runFilter(runId?: string): { label: string[] } {
  return { label: [runId ? `${LABELS.run}=${runId}` : LABELS.run] };
}
