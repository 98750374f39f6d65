import { createServer, type Server } from 'node:net';
import { Rng } from '../rng.js';
import { Connection } from './connection.js';
import type { Endpoint, LinkFaults, Reply, Request } from './protocol.js';

interface Front {
  readonly node: string;
  readonly service: string;
  upstream: Endpoint;
  readonly server: Server;
  readonly address: Endpoint;
  /** Connections accepted so far: numbers each one's random streams. */
  accepted: number;
}

const NONE: LinkFaults = Object.freeze({});

/**
 * The proxy itself, as it runs in its worker: a front (a listening socket on loopback) per node service, each
 * relaying to the service's address; the link faults of each node; the connections through each. It does what a
 * request asks and answers once that is in force; whatever one connection does, the others and the worker go on.
 */
export class ProxyCore {
  private readonly fronts = new Map<string, Front>();
  private readonly links = new Map<string, LinkFaults>();
  private readonly connections = new Map<string, Set<Connection>>();
  private closing = false;

  constructor(private readonly seed: number) {}

  async handle(req: Request): Promise<Reply> {
    try {
      switch (req.op) {
        case 'front':
          return { id: req.id, ok: true, front: await this.front(req.node, req.service, req.upstream) };
        case 'retarget':
          this.frontOf(req.node, req.service).upstream = { ...req.upstream };
          break;
        case 'set':
          this.set(req.nodes, req.faults);
          break;
        case 'heal':
          this.heal(req.nodes);
          break;
        case 'close':
          await this.close();
          break;
      }
      return { id: req.id, ok: true };
    } catch (e) {
      return { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  private async front(node: string, service: string, upstream: Endpoint): Promise<Endpoint> {
    if (this.closing) throw new Error('the fault proxy is closed');
    const key = keyOf(node, service);
    if (this.fronts.has(key)) throw new Error(`node ${node}'s ${service} already has a front`);
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Past listening, a server error (too many open files) is the accept's: the front keeps listening.
    server.on('error', () => undefined);
    const a = server.address();
    if (a === null || typeof a === 'string') throw new Error('the front has no TCP address');
    const f: Front = { node, service, upstream: { ...upstream }, server, address: { host: '127.0.0.1', port: a.port }, accepted: 0 };
    this.fronts.set(key, f);
    server.on('connection', (socket) => {
      // Cut with reset: refused at once, as a node behind a firewall that answers with RST.
      if (this.linkOf(node).cut === 'reset' || this.closing) {
        socket.on('error', () => undefined);
        socket.resetAndDestroy();
        return;
      }
      const n = f.accepted++;
      const conns = this.connectionsOf(node);
      const c = new Connection(socket, {
        upstream: () => f.upstream,
        faults: () => this.linkOf(node),
        rng: (direction) => new Rng(streamSeed(this.seed, `${node}/${service}/${n}/${direction}`)),
        closed: (done) => conns.delete(done),
      });
      conns.add(c);
      c.refresh();
    });
    return f.address;
  }

  /** Each kind given replaces that kind on these nodes; the others stay (a delay and a throttle compose). */
  private set(nodes: readonly string[], faults: LinkFaults): void {
    for (const n of nodes) this.nodeFronted(n);
    for (const n of nodes) {
      const merged: LinkFaults = { ...this.linkOf(n) };
      for (const [k, v] of Object.entries(faults)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
      this.links.set(n, Object.freeze(merged));
    }
    this.refresh(nodes);
  }

  private heal(nodes?: readonly string[]): void {
    const healed = nodes ?? [...this.links.keys()];
    for (const n of nodes ?? []) this.nodeFronted(n);
    for (const n of healed) this.links.delete(n);
    this.refresh(healed);
  }

  private refresh(nodes: readonly string[]): void {
    // A copy: a reset removes connections from the set while it is walked.
    for (const n of nodes) for (const c of [...this.connectionsOf(n)]) c.refresh();
  }

  private async close(): Promise<void> {
    this.closing = true;
    for (const conns of this.connections.values()) for (const c of [...conns]) c.abort();
    await Promise.all([...this.fronts.values()].map((f) => new Promise<void>((resolve) => f.server.close(() => resolve()))));
    this.fronts.clear();
  }

  private linkOf(node: string): LinkFaults {
    return this.links.get(node) ?? NONE;
  }

  private connectionsOf(node: string): Set<Connection> {
    let s = this.connections.get(node);
    if (!s) this.connections.set(node, (s = new Set()));
    return s;
  }

  private frontOf(node: string, service: string): Front {
    const f = this.fronts.get(keyOf(node, service));
    if (!f) throw new Error(`node ${node}'s ${service} has no front`);
    return f;
  }

  /** A fault on a node no front serves is a mistake of the caller's (a misspelt node), not a no-op. */
  private nodeFronted(node: string): void {
    for (const f of this.fronts.values()) if (f.node === node) return;
    throw new Error(`no front serves node ${node}`);
  }
}

function keyOf(node: string, service: string): string {
  return `${node}\u0000${service}`;
}

/** The run's seed and a stream's name folded into one seed (FNV-1a): each direction of each connection draws alone. */
function streamSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
