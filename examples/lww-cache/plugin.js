// A faultline plugin: a small last-writer-wins cache with asynchronous replication, workloads for it, a model and a
// checker.
//
//   faultline run --plugin examples/lww-cache/plugin.js --target lww-cache --workload cache-ops
//
// Each node holds, per key, the value with the newest timestamp it has seen. A client talks to its own node: a
// write is stamped there, acknowledged at once and sent to the peers `replicationDelay` ms later; a read answers
// from the node's copy. Fast and available under any partition, and not linearizable: a read at one node can miss
// a write another node acknowledged long ago. faultline finds those stale reads. (See docs/extending.md.)
import { defineModel } from 'faultline/checkers';
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

/**
 * A model of one's own: what a client of one key of the cache should see if it were linearizable, a register of
 * reads and writes starting empty (null). The linearizable checker holds each key's history to it. defineModel says
 * where worker threads find it again (this module, this export), so the search runs on every core.
 */
export const cacheRegister = defineModel(import.meta.url, 'cacheRegister', {
  name: 'cache-register',
  init: () => null,
  step(state, op) {
    if (op.f === 'write') return { ok: true, state: op.value };
    // A crashed read (status 'info') returned nothing: it constrains nothing.
    if (op.status === 'info' || op.value === state) return { ok: true, state };
    return { ok: false, reason: `read ${op.value ?? 'null'}, but the key holds ${state ?? 'null'}` };
  },
  // An op of another kind is bad input (exit 254), not an anomaly.
  validate: (op) => (op.f === 'read' || op.f === 'write' ? null : `the cache has no operation '${op.f}'`),
  isReadOnly: (op) => op.f === 'read',
});

/** Reads and writes of three keys, judged by the model above, per key. */
export const cacheWorkload = {
  name: 'cache-ops',
  description: 'reads and writes of 3 keys, checked as a register per key',
  checker: 'linearizable',
  model: 'cache-register',
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

/**
 * A checker of one's own: stale reads, in the real-time sense. Writes of a key are unique, so a read that returned
 * `v` read the write of `v`; it is stale when another write of the key was invoked after that write had completed
 * and was itself acknowledged before the read began (the read should have seen at least that one). A read of the
 * initial null is stale once any write of the key was acknowledged before it began. A weaker claim than
 * linearizability, with evidence a reader takes in at once: which read, which value, and the newer write it missed.
 */
export const staleReads = {
  name: 'stale-reads',
  description: 'reads that missed a write acknowledged before they began',
  async check(history) {
    const started = performance.now();
    const calls = pairCalls(history);
    const writes = new Map(); // key → the ok writes, each {value, invoke, complete, index}
    const written = new Map(); // key → value → its write (ok or not: an unknown write may still be read)
    for (const c of calls) {
      if (c.f !== 'write') continue;
      if (!written.has(c.key)) written.set(c.key, new Map());
      written.get(c.key).set(c.value, c);
      if (c.type === 'ok') (writes.get(c.key) ?? writes.set(c.key, []).get(c.key)).push(c);
    }
    const stale = [];
    let reads = 0;
    for (const r of calls) {
      if (r.f !== 'read' || r.type !== 'ok') continue;
      reads++;
      const source = r.result === null ? undefined : written.get(r.key)?.get(r.result);
      if (r.result !== null && source === undefined) {
        stale.push({ read: r, missed: undefined, why: `read ${r.result}, which no write of ${r.key} wrote` });
        continue;
      }
      // The newest write acknowledged before the read began that began after the read's source had completed.
      const after = source === undefined ? -Infinity : source.complete;
      let missed;
      for (const w of writes.get(r.key) ?? []) if (w.complete < r.invoke && w.invoke > after && (!missed || w.complete > missed.complete)) missed = w;
      if (missed) stale.push({ read: r, missed, why: `read ${r.result ?? 'null'}, but ${missed.value} was written after it and acknowledged before the read began` });
    }
    const worst = stale.reduce((m, s) => Math.max(m, s.missed ? (s.read.invoke - s.missed.complete) / 1e6 : 0), 0);
    return { checker: 'stale-reads', valid: stale.length === 0, ops: calls.length, reads, stale, worstMs: worst, ms: performance.now() - started };
  },
  explain(r) {
    if (r.valid) return `None of ${r.reads} reads missed a write acknowledged before it began.`;
    const s = r.stale[0];
    return `${r.stale.length} of ${r.reads} reads were stale. The first: process ${s.read.process} ${s.why}. The stalest read missed a write acknowledged ${r.worstMs.toFixed(1)} ms before it began.`;
  },
  // How the report and the terminal show the verdict: the same parts faultline's own checkers use.
  present(r) {
    return {
      title: 'Stale reads',
      facts: [['reads', String(r.reads)]],
      findings: r.valid ? [] : [`${r.stale.length} stale reads`],
      ...(!r.valid && { first: `First: process ${r.stale[0].read.process} ${r.stale[0].why}.` }),
      blocks: [
        {
          kind: 'facts',
          rows: [
            { label: 'ok reads', value: String(r.reads), what: 'reads that returned a value' },
            { label: 'stale', value: String(r.stale.length), what: 'missed a write acknowledged before they began', bad: !r.valid },
            { label: 'stalest', value: `${r.worstMs.toFixed(1)} ms`, what: 'from the missed write’s acknowledgement to the read', bad: !r.valid },
          ],
        },
        {
          kind: 'list',
          id: 'stale',
          title: 'Stale reads',
          total: r.stale.length,
          bad: true,
          items: r.stale.slice(0, 300).map((s) => ({
            text: `${s.read.key}: ${s.read.result ?? 'null'}`,
            where: `process ${s.read.process}, index ${s.read.index}`,
            links: [{ op: s.read.index }, ...(s.missed ? [{ op: s.missed.index, label: `the write of ${s.missed.value}` }] : [])],
          })),
        },
        { kind: 'prose', text: this.explain(r) },
      ],
      marks: r.stale.slice(0, 300).map((s) => ({ op: s.read.index, why: s.why })),
      markLegend: 'a stale read',
    };
  },
  summarize: (r) => [
    ['reads', r.reads],
    ['stale', r.stale.length],
    ['stalest ms', r.worstMs.toFixed(1)],
  ],
};

/** The client calls of a history: each invocation with its completion (a process has one call in flight). */
function pairCalls(history) {
  const ops = Array.isArray(history) ? history : history.ops;
  const open = new Map();
  const calls = [];
  for (const op of ops) {
    if (typeof op.process !== 'number') continue; // the nemesis
    if (op.type === 'invoke') {
      const c = { process: op.process, f: op.f, key: op.key, value: op.value, index: op.index, invoke: op.time, complete: Infinity, type: 'pending', result: undefined };
      open.set(op.process, c);
      calls.push(c);
    } else {
      const c = open.get(op.process);
      open.delete(op.process);
      if (c) Object.assign(c, { complete: op.time, type: op.type, result: op.value });
    }
  }
  return calls;
}

/** The same reads and writes, judged by the stale-reads checker above instead of linearizability. */
const { model: _linearizableOnly, ...sameOps } = cacheWorkload;
export const recencyWorkload = { ...sameOps, name: 'cache-recency', description: 'reads and writes of 3 keys, checked for stale reads', checker: 'stale-reads' };

export default { name: 'lww-cache-example', simTargets: [lwwCache], workloads: [cacheWorkload, recencyWorkload], checkers: [staleReads], models: [cacheRegister] };
