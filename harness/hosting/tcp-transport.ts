import net from 'node:net';
import { formatAddress, parseAddress } from './address.js';

/**
 * Messages between nodes (and clients) over TCP: newline-delimited JSON frames `{"from","to","msg"}`.
 *
 * - One outgoing connection per peer, opened lazily by the first send and again after it breaks; a failed connect
 *   backs off (doubling, capped) and sends meanwhile are dropped, never thrown: the protocols on top tolerate loss.
 * - Incoming connections are accepted on the listen address. Every connection, either way, is read: the sender of
 *   each frame is remembered with the connection it came on, so `send(to)` to an id that is not a configured peer
 *   (a client) answers on that connection. This is how clients get replies without listening themselves.
 * - A transport without `listen` is a client: it only connects out.
 */
export interface TcpTransportOptions {
  id: string;
  /** `host:port` to accept connections on (port 0: any free port, see `address()`); absent for a client. */
  listen?: string;
  /** Peer id → `host:port`. */
  peers: Readonly<Record<string, string>>;
  /** Every frame addressed to this id. */
  onMessage: (from: string, msg: unknown) => void;
  /** Diagnostics (connection failures, malformed frames). Default: silent. */
  log?: (line: string) => void;
  /** Reconnect backoff after a failed connect, in ms (default 50 doubling to 1000). */
  backoff?: { min: number; max: number };
  /** Give up on a connect that hangs after this many ms (default 2000). */
  connectTimeoutMs?: number;
}

/** Frames waiting for a connection in progress, at most this many per peer (older ones are dropped first). */
const MAX_QUEUED = 10_000;
/** Bytes buffered in a socket not yet written before sends to it are dropped (a stuck peer must not eat memory). */
const MAX_UNWRITTEN = 64 * 1024 * 1024;
/** Longest accepted frame; a longer line is a broken or hostile peer and its connection is closed. */
const MAX_FRAME = 256 * 1024 * 1024;

interface Link {
  addr: { host: string; port: number };
  socket?: net.Socket;
  connected: boolean;
  queue: string[];
  /** No connect attempt before this time (ms, performance.now()). */
  retryAt: number;
  backoff: number;
}

export interface TransportStats {
  sent: number;
  dropped: number;
  received: number;
}

export class TcpTransport {
  readonly id: string;
  private readonly options: TcpTransportOptions;
  private readonly links = new Map<string, Link>();
  /** Sender id → the connection its latest frame came on. */
  private readonly routes = new Map<string, net.Socket>();
  private readonly sockets = new Set<net.Socket>();
  private server?: net.Server;
  private closed = false;
  private readonly log: (line: string) => void;
  readonly stats: TransportStats = { sent: 0, dropped: 0, received: 0 };

  constructor(options: TcpTransportOptions) {
    this.id = options.id;
    this.options = options;
    this.log = options.log ?? (() => {});
    for (const [peer, addr] of Object.entries(options.peers)) {
      if (peer === options.id) continue;
      this.links.set(peer, { addr: parseAddress(addr, `address of peer '${peer}'`), connected: false, queue: [], retryAt: 0, backoff: 0 });
    }
  }

  /** Starts accepting connections on `options.listen`; resolves with the bound address (`host:port`). */
  async listen(): Promise<string> {
    if (!this.options.listen) throw new Error(`transport ${this.id} has no listen address`);
    if (this.server) return this.address()!;
    const { host, port } = parseAddress(this.options.listen, 'listen address');
    const server = net.createServer((socket) => this.adopt(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.log(`listen: ${e.message}`));
    return this.address()!;
  }

  /** The bound listen address, once listening. */
  address(): string | undefined {
    const a = this.server?.address();
    if (!a || typeof a === 'string') return undefined;
    return formatAddress({ host: a.address, port: a.port });
  }

  /** Sends `msg` to `to` if it can; otherwise drops it. Never throws for network reasons. */
  send(to: string, msg: unknown): void {
    if (this.closed) return;
    let frame: string;
    try {
      frame = JSON.stringify({ from: this.id, to, msg }) + '\n';
    } catch (e) {
      // A program bug (a cycle, a bigint): loud in the log, but the node keeps running as a lost message would.
      this.log(`cannot encode a message to ${to}: ${(e as Error).message}`);
      return this.drop();
    }
    if (to === this.id) {
      // To itself, as the simulated network allows: delivered on a later turn, like any message.
      this.stats.sent++;
      setImmediate(() => {
        if (this.closed) return;
        this.stats.received++;
        this.options.onMessage(this.id, JSON.parse(frame).msg);
      });
      return;
    }
    const link = this.links.get(to);
    if (link) {
      if (link.connected && link.socket) return this.write(link.socket, frame);
      if (link.socket) {
        // Connecting: the frame goes out when it is up.
        if (link.queue.length >= MAX_QUEUED) {
          link.queue.shift();
          this.drop();
        }
        link.queue.push(frame);
        return;
      }
      if (performance.now() >= link.retryAt) {
        link.queue.push(frame);
        this.connect(to, link);
        return;
      }
    }
    // Not a peer (a client), or a peer we cannot reach ourselves just now but which reached us.
    const route = this.routes.get(to);
    if (route && !route.destroyed) return this.write(route, frame);
    this.drop();
  }

  /** Stops listening and closes every connection; later sends are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.routes.clear();
    for (const l of this.links.values()) {
      l.queue = [];
      l.socket = undefined;
      l.connected = false;
    }
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  private connect(peer: string, link: Link): void {
    const { host, port } = link.addr;
    const socket = net.connect({ host, port });
    link.socket = socket;
    link.connected = false;
    socket.setTimeout(this.options.connectTimeoutMs ?? 2000, () => {
      if (!link.connected) socket.destroy(new Error('connect timed out'));
    });
    socket.once('connect', () => {
      if (link.socket !== socket) return;
      socket.setTimeout(0);
      link.connected = true;
      link.backoff = 0;
      link.retryAt = 0;
      const queued = link.queue;
      link.queue = [];
      for (const f of queued) this.write(socket, f);
    });
    socket.once('close', () => {
      if (link.socket !== socket) return;
      const failed = !link.connected;
      link.socket = undefined;
      link.connected = false;
      this.stats.dropped += link.queue.length;
      link.queue = [];
      if (failed) {
        const { min, max } = this.options.backoff ?? { min: 50, max: 1000 };
        link.backoff = link.backoff ? Math.min(max, link.backoff * 2) : min;
        link.retryAt = performance.now() + link.backoff;
      } else {
        // It was up and broke (the peer died or restarted): the next send tries again at once.
        link.retryAt = 0;
      }
    });
    socket.on('error', (e) => {
      if (!this.closed) this.log(`connection to ${peer} at ${formatAddress(link.addr)}: ${e.message}`);
    });
    this.adopt(socket);
  }

  /** Reads frames from a connection (either direction) and keeps track of it until it closes. */
  private adopt(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let start = 0;
      let nl: number;
      while ((nl = buffer.indexOf('\n', start)) >= 0) {
        const line = buffer.slice(start, nl);
        start = nl + 1;
        if (line.trim()) this.frame(socket, line);
        if (this.closed || socket.destroyed) return;
      }
      if (start > 0) buffer = buffer.slice(start);
      if (buffer.length > MAX_FRAME) {
        this.log('frame too long: closing the connection');
        socket.destroy();
      }
    });
    socket.on('error', () => {}); // reported where it matters (outgoing links); a dead client is not news
    socket.once('close', () => {
      this.sockets.delete(socket);
      for (const [id, s] of this.routes) if (s === socket) this.routes.delete(id);
    });
  }

  private frame(socket: net.Socket, line: string): void {
    let f: unknown;
    try {
      f = JSON.parse(line);
    } catch {
      this.log('malformed frame: closing the connection');
      socket.destroy();
      return;
    }
    const { from, to, msg } = (f ?? {}) as { from?: unknown; to?: unknown; msg?: unknown };
    if (typeof from !== 'string' || typeof to !== 'string' || from === '') {
      this.log('frame without from/to: closing the connection');
      socket.destroy();
      return;
    }
    if (to !== this.id) {
      this.log(`frame for ${to} reached ${this.id}: dropped`);
      return;
    }
    this.routes.set(from, socket);
    this.stats.received++;
    this.options.onMessage(from, msg);
  }

  private write(socket: net.Socket, frame: string): void {
    if (socket.destroyed || !socket.writable || socket.writableLength > MAX_UNWRITTEN) return this.drop();
    this.stats.sent++;
    socket.write(frame);
  }

  private drop(): void {
    this.stats.dropped++;
  }
}
