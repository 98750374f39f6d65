import type { NodeContext } from '../../harness/node.js';
import type { RequestTransport } from '../../harness/transport.js';

/**
 * Requests from a node to other nodes, over the node's own context: each request carries an `rid` and the reply
 * echoes it, the convention of the harness's client transports, so a node can be a client of a Raft group (raft-kv's
 * client) as well as of its peers. A reply that comes after its time-out is dropped.
 */
export class NodeRpc implements RequestTransport {
  private readonly pending = new Map<number, (reply: Record<string, unknown> | undefined) => void>();
  private next = 0;

  constructor(private readonly ctx: NodeContext) {}

  request(node: string, msg: Record<string, unknown>, timeoutMs: number, done: (reply: Record<string, unknown> | undefined) => void): void {
    const rid = this.next++;
    this.pending.set(rid, done);
    this.ctx.send(node, { ...msg, rid });
    this.ctx.setTimer(timeoutMs, () => {
      if (this.pending.delete(rid)) done(undefined);
    });
  }

  /** Settles the request a reply answers; false when the message is not a reply to a pending request. */
  settle(msg: Record<string, unknown>): boolean {
    const done = typeof msg.rid === 'number' ? this.pending.get(msg.rid) : undefined;
    if (!done) return false;
    this.pending.delete(msg.rid as number);
    done(msg);
    return true;
  }

  /** Asks every node and calls `each` with each reply (undefined for a time-out) as it comes. */
  broadcast(nodes: readonly string[], msg: Record<string, unknown>, timeoutMs: number, each: (node: string, reply: Record<string, unknown> | undefined) => void): void {
    for (const n of nodes) this.request(n, msg, timeoutMs, (r) => each(n, r));
  }
}
