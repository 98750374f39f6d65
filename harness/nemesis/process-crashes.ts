import type { Client } from '../runtime.js';

/** The error of an op the harness crashed at its invocation (a client without a crash hook). */
export const HARNESS_CRASH_ERROR = 'crashed (crash-client)';

/**
 * The run's crashes of its own logical processes (`crash-client`, as Jepsen's Kafka test crashes its clients). A
 * client that knows where dying loses the most (Client.crash: a consumer between reading a batch and acknowledging
 * it) is told, and ends that op `info` itself. Any other process is crashed by the harness at its next op: the op is
 * sent, so whether it took effect is unknown, and it is recorded `info` at once. Either way the run retires the
 * process as it does after any `info`, and a fresh one takes its place: what a crashed consumer held is the group's
 * to redeliver.
 */
export class ProcessCrashes {
  /** Processes the harness crashes at their next op (their clients have no crash hook). */
  private readonly armed = new Set<number>();

  /** Crashes `process`, whose client is `client`: now if the client dies on its own, else at its next op. */
  crash(process: number, client: Client): void {
    if (client.crash) client.crash();
    else this.armed.add(process);
  }

  /** Whether the harness crashes this op of the process (and so its process): true once per crash. */
  dueAt(process: number): boolean {
    return this.armed.delete(process);
  }
}
