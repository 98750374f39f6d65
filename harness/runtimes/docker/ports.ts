import { createServer } from 'node:net';

/**
 * A free loopback port, chosen by the OS and released for Docker to publish. Ports are chosen here rather than by
 * Docker because a killed container is started again with the same bindings only when they are explicit: clients
 * then reach a restarted node where they reached it before.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
