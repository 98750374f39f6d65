import type { Cluster, Runtime, StartOptions } from '../runtime.js';

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

/**
 * A runtime of real servers in real time: the clock's calls, and the time of a run starting once its cluster serves.
 * Subclasses start their cluster in `startCluster`, giving it `onStopped` (which cancels the run's timers).
 */
export abstract class RealTimeRuntime implements Runtime {
  abstract readonly name: string;
  protected readonly clock = new WallClock();

  now(): number {
    return this.clock.now();
  }

  at(ms: number, fn: () => void): void {
    this.clock.at(ms, fn);
  }

  async start(target: string, options: StartOptions): Promise<Cluster> {
    const cluster = await this.startCluster(target, options, () => this.clock.cancelTimers());
    this.clock.reset();
    return cluster;
  }

  drive(finished: () => boolean): Promise<void> {
    return this.clock.drive(finished);
  }

  protected abstract startCluster(target: string, options: StartOptions, onStopped: () => void): Promise<Cluster>;
}
