import { connect, type Socket } from 'node:net';
import type { Rng } from '../rng.js';
import { Pipe } from './pipe.js';
import { reset } from './reset.js';
import type { Endpoint, LinkFaults } from './protocol.js';

export interface ConnectionContext {
  /** Where the node's service is now (read when the connection reaches it: a retarget moves later ones only). */
  upstream(): Endpoint;
  /** The node's link faults now. */
  faults(): LinkFaults;
  /** A seeded generator for one direction of this connection. */
  rng(direction: 'up' | 'down'): Rng;
  closed(c: Connection): void;
}

/**
 * A client's connection to a node's service through the proxy: the client's socket, the one to the node, and a
 * pipe each way. Whatever goes wrong stays inside it (an error on either side resets the other, as a reset from
 * the far end would); nothing of it escapes to the worker.
 */
export class Connection {
  private upstream: Socket | undefined;
  private pipes: Pipe[] = [];
  private gone = false;

  constructor(
    private readonly client: Socket,
    private readonly ctx: ConnectionContext,
  ) {
    client.setNoDelay(true);
    client.pause();
    client.on('error', () => this.abort());
    client.on('close', () => this.onClose(client));
  }

  /** Applies the node's faults as they are now: called at accept and whenever they change. */
  refresh(): void {
    if (this.gone) return;
    const f = this.ctx.faults();
    if (f.cut === 'reset') {
      this.abort();
      return;
    }
    // Accepted while the node is black-holed: the node hears of it once the path is back (its SYN, retransmitted).
    if (!this.upstream && f.cut === undefined) this.reach();
    for (const p of this.pipes) p.pump();
  }

  /** Both sides closed with RST, what is held thrown away. */
  abort(): void {
    if (this.gone) return;
    this.gone = true;
    for (const p of this.pipes) p.dispose();
    reset(this.client);
    if (this.upstream) reset(this.upstream);
    this.ctx.closed(this);
  }

  private reach(): void {
    const up = connect({ ...this.ctx.upstream(), allowHalfOpen: true, noDelay: true });
    this.upstream = up;
    // A node that refuses (down, restarting) refuses the client too: a reset is the nearest a proxy can say it.
    up.on('error', () => this.abort());
    up.on('close', () => this.onClose(up));
    this.pipes = [new Pipe(this.client, up, this.ctx.faults, this.ctx.rng('up')), new Pipe(up, this.client, this.ctx.faults, this.ctx.rng('down'))];
  }

  /**
   * A side closed. After its FIN (a clean close) its pipe ends the other side once what is held is written, and the
   * other closes in turn; without one (destroyed under us) the other side goes too. Done once both are closed.
   */
  private onClose(side: Socket): void {
    if (this.gone) return;
    const from = side === this.client ? this.pipes[0] : this.pipes[1];
    if (!from?.ended) {
      this.abort();
      return;
    }
    if (this.client.destroyed && (this.upstream?.destroyed ?? true)) {
      this.gone = true;
      for (const p of this.pipes) p.dispose();
      this.ctx.closed(this);
    }
  }
}
