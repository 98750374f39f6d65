import type { SimTarget } from '../../harness/runtimes/sim/target.js';
import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import type { RequestTransport } from '../../harness/transport.js';
import type { NodeContext, NodeProgram } from '../../harness/node.js';
import { applyRegisterOp, REGISTER_OPERATIONS } from '../register-ops.js';
import { applySetOp, isSetOp, SET_OPERATIONS } from '../set-ops.js';

/** How long a client waits for a reply before the outcome is unknown (virtual ms). */
const TIMEOUT_MS = 100;

/**
 * The control: one node holding a linearizable cas-register per key (or a set, for the set workload's adds). Every
 * write is made durable before it is acknowledged, so a kill loses nothing that was acknowledged. It must pass
 * under any nemesis.
 */
export const kvSingle: SimTarget = {
  name: 'kv-single',
  description: 'one node, a linearizable cas-register (or a set) per key (the control: always passes)',
  bugs: [],
  defaultNodes: 1,
  operations: [...REGISTER_OPERATIONS, ...SET_OPERATIONS],
  nodeIds: () => ['n1'],
  node: () => (ctx: NodeContext): NodeProgram => ({
    receive(from, msg) {
      const m = msg as { rid: number; op: ClientOp };
      const key = `k:${String(m.op.key)}`;
      if (isSetOp(ctx.storage, key, m.op)) return ctx.send(from, { rid: m.rid, ...applySetOp(ctx.storage, key, m.op) });
      const r = applyRegisterOp(ctx.storage.get(key) ?? null, m.op);
      if (r.next !== undefined) ctx.storage.put(key, r.next);
      ctx.send(from, { rid: m.rid, ...r.completion });
    },
  }),
  client: (transport) => requestClient(transport, () => 'n1'),
};

/** A client that sends each op to one node and maps a missing reply to info (the op may have happened). */
export function requestClient(transport: RequestTransport, nodeFor: (op: ClientOp) => string): Client {
  return {
    invoke(op, done) {
      transport.request(nodeFor(op), { op }, TIMEOUT_MS, (reply) => {
        if (!reply) return done({ type: 'info', error: 'timeout' });
        const { type, value, error } = reply as unknown as Completion;
        done(error === undefined ? { type, value } : { type, value, error });
      });
    },
    close() {},
  };
}
