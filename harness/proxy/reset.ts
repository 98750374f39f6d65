import type { Socket } from 'node:net';

/**
 * Closes with RST where TCP still can. A socket we have already ended is only destroyed: while its shutdown is
 * under way libuv refuses a reset (EINVAL), and Node 20 then leaves the handle open for ever, which a worker
 * thread's exit waits on (spinning).
 */
export function reset(s: Socket): void {
  if (s.destroyed) return;
  if (s.writableEnded) {
    s.destroy();
    return;
  }
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}
