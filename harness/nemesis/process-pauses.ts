/**
 * The harness's own logical processes as the nemesis sees them, and how it stalls them (`pause-client`): a stalled
 * process invokes nothing until it is resumed, whatever it was about to do, as a client in a GC pause or a
 * descheduled VM does nothing. An op already in flight completes as it would; the pause takes effect at the next.
 */
export interface ProcessControl {
  /** Processes that are running now (not retired), between ops or with one in flight. */
  running(): readonly number[];
  /**
   * Running processes inside a critical section (the workload's word, see ProcessGenerator.critical): between ops
   * only, unless `inFlight` is set — a stall takes effect at a process's next op, so one in flight may have left the section
   * by then; a crash takes effect wherever the client next dies worst, which may be in the op in flight.
   */
  critical(options?: { inFlight?: boolean }): readonly number[];
  stall(processes: readonly number[]): void;
  /** Resumes these processes (all stalled ones when none are named). */
  resume(processes?: readonly number[]): void;
  /** Crashes these processes (`crash-client`, see process-crashes.ts): each op that dies ends `info`. */
  crash(processes: readonly number[]): void;
}

/** The run's pauses: which processes are stalled, and what each will do once resumed. */
export class ProcessPauses {
  private readonly stalled = new Set<number>();
  private readonly waiting = new Map<number, () => void>();

  stall(processes: readonly number[]): void {
    for (const p of processes) this.stalled.add(p);
  }

  resume(processes?: readonly number[]): void {
    for (const p of processes ?? [...this.stalled]) {
      this.stalled.delete(p);
      const go = this.waiting.get(p);
      this.waiting.delete(p);
      go?.();
    }
  }

  /** Runs `go` now, or once the process is resumed. */
  whenRunning(process: number, go: () => void): void {
    if (this.stalled.has(process)) this.waiting.set(process, go);
    else go();
  }

  isStalled(process: number): boolean {
    return this.stalled.has(process);
  }
}
