import net from 'node:net';
import { Redis } from 'ioredis';
import { FaultProxy } from '../../harness/proxy/fault-proxy.js';
import { startRedis, type Endpoint, type HostServer } from './host-servers.js';
import { commandName, valueEnd } from './resp.js';

/**
 * A Redis deployment that answers reads from an asynchronously replicated replica, as a "read from replicas" proxy
 * does: a primary, a replica of it (real Redis replication, `replicaof`) whose link runs through a forwarder that
 * delays it, and a router in front of both that sends the reads the redis target's clients make (GET for the
 * register, SMEMBERS for the set; targets/redis/ops.ts) to the replica and every other command (SET, EVAL for cas,
 * SADD, and the harness's own PING, INFO, ROLE) to the primary. A client that reads what it has just written
 * reads the value before it: the stale read a linearizability checker must report.
 */

/** The commands the redis target's clients read with. */
export const READ_COMMANDS: ReadonlySet<string> = new Set(['GET', 'SMEMBERS']);

export interface StaleReadRedis extends Endpoint {
  /** The router's `host:port`: what a test names as the node. */
  readonly address: string;
  readonly primary: HostServer;
  readonly replica: HostServer;
  stop(): Promise<void>;
}

/** One answer awaited by a client, in the order it asked: from which server, and the reply once it has come. */
interface Pending {
  to: 'primary' | 'replica';
  reply?: Buffer;
}

export interface ReadRouter {
  readonly endpoint: Endpoint;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/** The RESP router: for each client connection, one connection to each server; replies go back in request order. */
export async function startReadRouter(primary: Endpoint, replica: Endpoint, reads: ReadonlySet<string> = READ_COMMANDS): Promise<ReadRouter> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const up = { primary: net.connect(primary), replica: net.connect(replica) };
    const all = [client, up.primary, up.replica];
    const closeAll = () => all.forEach((s) => s.destroy());
    for (const s of all) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.setNoDelay(true);
      s.on('error', closeAll);
      s.once('close', closeAll);
    }
    const pending: Pending[] = [];
    let requests = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      requests = Buffer.concat([requests, chunk]);
      let at = 0;
      for (let end; (end = valueEnd(requests, at)) > 0; at = end) {
        const to = reads.has(commandName(requests, at, end)) ? 'replica' : 'primary';
        pending.push({ to });
        up[to].write(requests.subarray(at, end));
      }
      requests = requests.subarray(at);
    });
    for (const to of ['primary', 'replica'] as const) {
      let replies = Buffer.alloc(0);
      up[to].on('data', (chunk: Buffer) => {
        replies = Buffer.concat([replies, chunk]);
        let at = 0;
        for (let end; (end = valueEnd(replies, at)) > 0; at = end) {
          const waiting = pending.find((p) => p.to === to && p.reply === undefined);
          if (!waiting) return closeAll(); // a reply nobody asked for: out of step, give up the connection
          waiting.reply = Buffer.from(replies.subarray(at, end));
        }
        replies = replies.subarray(at);
        while (pending.length && pending[0].reply !== undefined) client.write(pending.shift()!.reply!);
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: { host: '127.0.0.1', port },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Waits until the replica has synchronised with its primary (its link is up). */
async function inSync(replica: Endpoint, deadlineMs: number): Promise<void> {
  const conn = new Redis({ ...replica, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  conn.on('error', () => {});
  try {
    await conn.connect();
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      if (/master_link_status:up/.test(await conn.info('replication'))) return;
      if (Date.now() > deadline) throw new Error(`the replica on ${replica.host}:${replica.port} did not synchronise within ${deadlineMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    conn.disconnect();
  }
}

/**
 * Starts the deployment: the primary, the delaying link (`lagMs` each way), the replica, and the router. Everything
 * is stopped by `stop()`, also what was started when a later step fails.
 */
export async function startStaleReadRedis(o: { lagMs?: number } = {}): Promise<StaleReadRedis> {
  const lagMs = o.lagMs ?? 50;
  const parts: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const p of parts.reverse()) await p.stop().catch(() => undefined);
  };
  try {
    const primary = await startRedis();
    parts.push(primary);
    // The replication link through faultline's own fault proxy, every chunk held `lagMs` each way, in order.
    const proxy = await FaultProxy.start();
    parts.push({ stop: () => proxy.close() });
    const link = await proxy.front('replication', 'redis', { host: primary.host, port: primary.port });
    await proxy.delay(['replication'], { min: lagMs, max: lagMs });
    const replica = await startRedis({ replicaOf: link });
    parts.push(replica);
    await inSync(replica, 30_000);
    const router = await startReadRouter(primary, replica);
    parts.push({ stop: () => router.close() });
    return { ...router.endpoint, address: `${router.endpoint.host}:${router.endpoint.port}`, primary, replica, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
