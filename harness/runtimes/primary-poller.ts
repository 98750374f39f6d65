import type { TargetSession } from './docker/target.js';

/** How often a real runtime asks the system which node is primary, for nemeses that aim at it. */
const PRIMARY_POLL_MS = 500;

/**
 * Which nodes act as primary, asked of the system every half second (a session's `primaries`) and kept, so the
 * nemesis's synchronous question is answered from the last answer. A failed question keeps the last answer.
 */
export class PrimaryPoller {
  private last: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(session: TargetSession) {
    if (!session.primaries) return;
    const poll = () => {
      void session.primaries!()
        .then((p) => (this.last = p))
        .catch(() => undefined)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(poll, PRIMARY_POLL_MS);
        });
    };
    poll();
  }

  get primaries(): string[] {
    return this.last;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
