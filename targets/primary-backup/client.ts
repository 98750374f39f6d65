import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import type { RequestTransport } from '../../harness/transport.js';
import { NOT_PRIMARY, type ClientReply } from './messages.js';

/** How long a client waits for a reply before the outcome is unknown (virtual ms), as kv-single. */
export const TIMEOUT_MS = 100;

export interface ClientOptions {
  /** The primary can move (lost-failover): fresh clients start at different nodes so none keeps asking a dead one. */
  primaryMoves: boolean;
  /** Reads go to any node, in turn (async-replication): replicas answer them from their own state. */
  readAnywhere: boolean;
}

/**
 * A process's connection. Writes (and, unless `readAnywhere`, reads) go to the node it believes is primary. A
 * 'not primary' fail did not happen, so it is safe to retry where the replier points (at most once per node); a
 * time-out is info, and the next op tries the next node, since the primary may be the one that is gone.
 */
export function primaryBackupClient(transport: RequestTransport, nodes: readonly string[], process: number, options: ClientOptions): Client {
  const next = (node: string) => nodes[(nodes.indexOf(node) + 1) % nodes.length];
  let primary = options.primaryMoves ? nodes[process % nodes.length] : nodes[0];
  let reads = 0;

  const attempt = (node: string, op: ClientOp, hops: number, done: (c: Completion) => void): void => {
    transport.request(node, { op }, TIMEOUT_MS, (reply) => {
      if (!reply) {
        if (node === primary) primary = next(node);
        return done({ type: 'info', error: 'timeout' });
      }
      const r = reply as unknown as ClientReply;
      if (r.error === NOT_PRIMARY && hops + 1 < nodes.length) {
        primary = r.primary !== undefined && r.primary !== node ? r.primary : next(node);
        return attempt(primary, op, hops + 1, done);
      }
      done(r.error === undefined ? { type: r.type, value: r.value } : { type: r.type, value: r.value, error: r.error });
    });
  };

  return {
    invoke(op, done) {
      const node = options.readAnywhere && op.f === 'read' ? nodes[(process + reads++) % nodes.length] : primary;
      attempt(node, op, 0, done);
    },
    close() {},
  };
}
