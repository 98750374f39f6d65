/**
 * Cleanup you can trust: every live cluster registers its teardown here, and SIGINT or SIGTERM tears every one
 * down before the process exits with 130 or 143 — Docker's removes its containers and network, an external
 * cluster's heals every fault in force and copies the nodes' logs. Then every live run writes its record (results
 * with status `interrupted`, the store's index, `latest`), after the teardowns so that run.log ends with the
 * signal's line. A second signal exits at once; what is left is `faultline cleanup`'s (containers) or
 * `faultline heal`'s (faults, from the run's journal).
 */
const live = new Map<string, () => Promise<void>>();
const records = new Set<(signal: string) => Promise<void>>();
let installed = false;
let stopping = false;
/** A teardown that hangs (a wedged engine) must not keep the process from exiting. */
const SIGNAL_TEARDOWN_MS = 30_000;
/** Writing a run's record is a few small files: a store that hangs (a dead NFS mount) must not hold the exit either. */
const SIGNAL_RECORD_MS = 10_000;

export function trackCluster(runId: string, teardown: () => Promise<void>): () => void {
  live.set(runId, teardown);
  install();
  return () => live.delete(runId);
}

/**
 * A run's record of being stopped by a signal (`signal` is 'SIGINT' or 'SIGTERM'), written once the clusters are
 * torn down and before the process exits. Returns the call that withdraws it (the run ended on its own).
 */
export function recordOnSignal(record: (signal: string) => Promise<void>): () => void {
  records.add(record);
  install();
  return () => records.delete(record);
}

/**
 * What else must be done before a signal's exit, alongside the teardowns: `faultline suite` stops scheduling and
 * writes its table and reports of what ran. Called at once when the signal comes; the exit waits for it.
 */
const hooks = new Set<() => Promise<void>>();
export function onInterrupt(hook: () => Promise<void>): () => void {
  hooks.add(hook);
  install();
  return () => hooks.delete(hook);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => void onSignal('SIGINT', 130));
  process.on('SIGTERM', () => void onSignal('SIGTERM', 143));
}

async function onSignal(signal: string, code: number): Promise<void> {
  if (stopping) process.exit(code);
  stopping = true;
  if (live.size > 0) process.stderr.write(`faultline: ${signal}: tearing down ${[...live.keys()].join(', ')}\n`);
  await within(SIGNAL_TEARDOWN_MS, [...live.values(), ...hooks].map((t) => t()));
  await within(SIGNAL_RECORD_MS, [...records].map((r) => r(signal)));
  process.exit(code);
}

function within(ms: number, work: Promise<void>[]): Promise<unknown> {
  return Promise.race([Promise.allSettled(work), new Promise((r) => setTimeout(r, ms).unref())]);
}
