import { TcpTransport } from './tcp-transport.js';

export interface ProcessClient {
  readonly id: string;
  /**
   * Sends `msg` (with a fresh request id `rid`) to `node` and resolves with the reply that echoes that `rid`, or
   * with undefined after `timeoutMs` (a lost request, a lost reply, a dead node: the client cannot tell which).
   */
  request(node: string, msg: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown> | undefined>;
  /** Fails every request in flight (undefined) and closes the connections. */
  close(): Promise<void>;
}

/**
 * A client of nodes run as OS processes (tests, and Docker targets whose nodes are faultline node programs): it connects out to each node
 * it talks to and gets replies on the same connection, matched by `rid` — the convention of the simulated
 * runtime's transport. Ids must be unique among a cluster's clients (a node answers the latest connection of an id).
 */
export function connectClient(id: string, nodes: Readonly<Record<string, string>>, options: { log?: (line: string) => void } = {}): ProcessClient {
  const pending = new Map<number, { resolve: (reply: Record<string, unknown> | undefined) => void; timer: NodeJS.Timeout }>();
  let next = 1;
  let closed = false;
  const transport = new TcpTransport({
    id,
    peers: nodes,
    log: options.log,
    onMessage: (_from, msg) => {
      if (!msg || typeof msg !== 'object') return;
      const reply = msg as Record<string, unknown>;
      const p = typeof reply.rid === 'number' ? pending.get(reply.rid) : undefined;
      if (!p) return; // a reply after its timeout, or not a reply
      pending.delete(reply.rid as number);
      clearTimeout(p.timer);
      p.resolve(reply);
    },
  });
  return {
    id,
    request(node, msg, timeoutMs) {
      if (closed) return Promise.resolve(undefined);
      if (!(node in nodes)) return Promise.reject(new Error(`client ${id} knows no node ${node}`));
      const rid = next++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          if (pending.delete(rid)) resolve(undefined);
        }, Math.max(0, timeoutMs));
        pending.set(rid, { resolve, timer });
        transport.send(node, { ...msg, rid });
      });
    },
    async close() {
      closed = true;
      for (const [rid, p] of pending) {
        clearTimeout(p.timer);
        pending.delete(rid);
        p.resolve(undefined);
      }
      await transport.close();
    },
  };
}
