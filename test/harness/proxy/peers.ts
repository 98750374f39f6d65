import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Endpoint } from '../../../harness/proxy/fault-proxy.js';

/**
 * A node's service for the proxy's tests: a real TCP server on loopback that echoes what it reads, prefixed with
 * its name when it has one (so a test can tell which upstream answered), and counts what it has read.
 */
export class EchoServer {
  received = 0;
  accepted = 0;
  /** FINs read: with `halfOpen` the server keeps its own side open after one. */
  ended = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly endpoint: Endpoint,
  ) {}

  static async start(name = '', options: { halfOpen?: boolean } = {}): Promise<EchoServer> {
    const server = createServer({ allowHalfOpen: options.halfOpen ?? false });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const a = server.address();
    if (a === null || typeof a === 'string') throw new Error('no address');
    const e = new EchoServer(server, { host: '127.0.0.1', port: a.port });
    server.on('connection', (s) => {
      e.accepted++;
      e.sockets.add(s);
      s.on('close', () => e.sockets.delete(s));
      s.on('error', () => undefined);
      s.on('end', () => e.ended++);
      s.on('data', (d: Buffer) => {
        e.received += d.length;
        s.write(name ? Buffer.concat([Buffer.from(name), d]) : d);
      });
    });
    return e;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A client's end of a connection: what it has received, when each byte count was reached, and how it ended. */
export class Peer {
  data = Buffer.alloc(0);
  error: NodeJS.ErrnoException | undefined;
  closed = false;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.data = Buffer.concat([this.data, d]);
      this.wakeAll();
    });
    socket.on('error', (e) => {
      this.error = e;
      this.wakeAll();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wakeAll();
    });
  }

  static connect(to: Endpoint): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const s = connect({ ...to, noDelay: true });
      s.once('connect', () => resolve(new Peer(s)));
      s.once('error', reject);
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Resolves once `n` bytes in all have come; rejects if the connection ends first. */
  received(n: number): Promise<Buffer> {
    return this.until(() => this.data.length >= n, `${n} bytes (got ${this.data.length})`).then(() => this.data);
  }

  /** Resolves with the error that ended the connection (ECONNRESET for a reset). */
  failed(): Promise<NodeJS.ErrnoException> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.error) resolve(this.error);
        else if (this.closed) reject(new Error('closed without an error'));
        else this.waiters.push(check);
      };
      check();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private until(cond: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (cond()) resolve();
        else if (this.closed || this.error) reject(new Error(`connection ended before ${what}: ${this.error?.code ?? 'closed'}`));
        else this.waiters.push(check);
      };
      check();
    });
  }

  private wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
