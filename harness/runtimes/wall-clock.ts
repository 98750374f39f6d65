/** How often `drive` looks at the run's condition: the run loop's own work happens in timers and I/O callbacks. */
const DRIVE_POLL_MS = 5;

/**
 * Real time for the runtimes that run real servers (Docker, external): milliseconds since `reset()` (called once the
 * cluster serves, so a test's time limit is spent testing, not starting), timers that a stopped cluster cancels (a
 * late client retry or crash-loop step must not fire after it), and `drive`, which only waits.
 */
export class WallClock {
  private t0 = performance.now();
  private readonly timers = new Set<NodeJS.Timeout>();

  now(): number {
    return performance.now() - this.t0;
  }

  at(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, Math.max(0, ms));
    this.timers.add(t);
  }

  async drive(finished: () => boolean): Promise<void> {
    while (!finished()) await new Promise((r) => setTimeout(r, DRIVE_POLL_MS));
  }

  reset(): void {
    this.t0 = performance.now();
  }

  cancelTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
