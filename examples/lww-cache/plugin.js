// A faultline plugin: a small last-writer-wins cache with asynchronous replication, and a workload for it.
//
//   faultline run --plugin examples/lww-cache/plugin.js --target lww-cache --workload cache
//
// Each node holds, per key, the value with the newest timestamp it has seen. A client talks to its own node: a
// write is stamped there, acknowledged at once and sent to the peers `replicationDelay` ms later; a read answers
// from the node's copy. Fast and available under any partition, and not linearizable: a read at one node can miss
// a write another node acknowledged long ago. faultline finds those stale reads. (See docs/extending.md.)
import { z } from 'zod';

/** How long a client waits for its node before the outcome is unknown (ms, the runtime's time). */
const TIMEOUT_MS = 100;

/** The newer of two stamped values: later time first, then the node id, so every node picks the same one. */
const newer = (a, b) => (!b || a.at > b.at || (a.at === b.at && a.node > b.node) ? a : b);

/** The node program: what one node does with each message (a client's op, or a peer's replicated write). */
function cacheNode(options) {
  const delay = options.replicationDelay ?? 50;
  return (ctx) => ({
    receive(from, msg) {
      if (msg.replicate) {
        const { key, entry } = msg.replicate;
        const mine = ctx.storage.get(key);
        if (newer(entry, mine) === entry) ctx.storage.put(key, entry);
        return;
      }
      const { rid, op } = msg;
      const key = `k:${String(op.key)}`;
      if (op.f === 'read') return ctx.send(from, { rid, type: 'ok', value: ctx.storage.get(key)?.value ?? null });
      const entry = { value: op.value, at: ctx.now(), node: ctx.id };
      ctx.storage.put(key, newer(entry, ctx.storage.get(key)));
      ctx.send(from, { rid, type: 'ok', value: op.value });
      ctx.setTimer(delay, () => {
        for (const peer of ctx.peers) ctx.send(peer, { replicate: { key, entry } });
      });
    },
  });
}

/** The client of one logical process: every op goes to the process's own node; no reply in time is `info`. */
function cacheClient(transport, nodes, process) {
  const node = nodes[process % nodes.length];
  return {
    invoke(op, done) {
      transport.request(node, { op }, TIMEOUT_MS, (reply) => {
        if (!reply) return done({ type: 'info', error: 'timeout' });
        done({ type: reply.type, value: reply.value });
      });
    },
    close() {},
  };
}

export const lwwCache = {
  name: 'lww-cache',
  description: 'a last-writer-wins cache, replicated asynchronously; clients read and write at their own node',
  bugs: [],
  defaultNodes: 3,
  operations: ['read', 'write'],
  options: {
    replicationDelay: { schema: z.int().min(0), description: 'ms between a write and its replication to the peers' },
  },
  nodeIds: (n) => Array.from({ length: n }, (_, i) => `n${i + 1}`),
  node: (_bug, options) => cacheNode(options),
  client: (transport, nodes, _bug, process) => cacheClient(transport, nodes, process),
};

/** Reads and writes of three keys, judged as a register per key (the linearizable checker's cas-register). */
export const cacheWorkload = {
  name: 'cache',
  description: 'reads and writes of 3 keys, checked as a register per key',
  checker: 'linearizable',
  model: 'cas-register',
  operations: { read: z.null(), write: z.int() },
  generator(seed) {
    // A small seeded generator of its own (xorshift32): a plugin needs nothing from faultline's internals.
    let s = seed >>> 0 || 1;
    const next = () => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) / 2 ** 32;
    };
    let write = 0;
    return () => {
      const key = `k${Math.floor(next() * 3)}`;
      return next() < 0.5 ? { f: 'read', key, value: null } : { f: 'write', key, value: write++ };
    };
  },
  finalOps: () => ['k0', 'k1', 'k2'].map((key) => ({ f: 'read', key, value: null })),
};

export default { name: 'lww-cache-example', simTargets: [lwwCache], workloads: [cacheWorkload] };
