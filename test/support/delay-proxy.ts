import net from 'node:net';
import type { Endpoint } from './host-servers.js';

/**
 * A TCP forwarder that holds every chunk `delayMs` before passing it on, both ways, in order: on loopback, a link as
 * slow as one between data centres. Put between a Redis replica and its primary, it makes asynchronous replication
 * lag observable: what the primary acknowledged reaches the replica `delayMs` later.
 */
export interface DelayProxy extends Endpoint {
  close(): Promise<void>;
}

export async function startDelayProxy(upstream: Endpoint, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect(upstream);
    for (const s of [down, up]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('error', () => {});
      s.once('close', () => {
        sockets.delete(s);
        // One side gone: the other goes too, once what is held for it has been passed on.
        setTimeout(() => (s === down ? up : down).destroy(), delayMs);
      });
    }
    delayed(down, up, delayMs);
    delayed(up, down, delayMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Passes `from`'s data to `to`, each chunk `delayMs` after it came (timers of equal delay fire in order). */
function delayed(from: net.Socket, to: net.Socket, delayMs: number): void {
  from.on('data', (chunk) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
}
