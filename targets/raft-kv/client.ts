import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import type { RequestTransport } from '../../harness/transport.js';
import { NOT_LEADER, type ClientReply } from './messages.js';

/** The client's timing, in the milliseconds of the runtime it runs in. */
export interface RaftClientTiming {
  /** How long one attempt waits for a reply before the client tries the next node. */
  attemptTimeoutMs: number;
}

/**
 * In the simulation's virtual ms: an attempt outlasts most elections (time-outs of 150–300 ms, node.ts), so a
 * failover fits in a retry.
 */
export const SIM_CLIENT_TIMING: RaftClientTiming = Object.freeze({ attemptTimeoutMs: 200 });
/** Attempts that may time out before the op is reported as info (the first and two retries). */
export const MAX_TIMEOUTS = 3;

/**
 * A process's connection to the Raft cluster. Every op carries (clientId, seq); a timed-out attempt is retried
 * at the next node with the same pair, so the leader's state machine applies it at most once. 'not leader' did
 * not happen: the client follows the hint, else tries the next node. After MAX_TIMEOUTS time-outs the op is info;
 * if no node will take it and none timed out, it certainly did not happen (fail).
 */
export function raftClient(transport: RequestTransport, nodes: readonly string[], process: number, timing: RaftClientTiming = SIM_CLIENT_TIMING): Client {
  const next = (node: string) => nodes[(nodes.indexOf(node) + 1) % nodes.length];
  const clientId = `c${process}`;
  // Like a Jepsen client, each process is bound to a home node and starts every op there (a load balancer's
  // choice), following redirects from it; after its home timed out it starts at the last leader it found, and
  // gives its home another chance every few ops.
  const home = nodes[process % nodes.length];
  let leader = home;
  let homeDownSince: number | undefined;
  let seq = 0;

  return {
    invoke(op: ClientOp, done: (c: Completion) => void) {
      const mySeq = ++seq;
      let timeouts = 0;
      let redirects = 0;
      /** Nodes that timed out on this op: their own claims to lead, or others' hints to them, are not trusted. */
      const suspects = new Set<string>();
      const nextTrusted = (node: string) => {
        let n = next(node);
        for (let i = 0; i < nodes.length && suspects.has(n); i++) n = next(n);
        return n;
      };
      const attempt = (node: string): void => {
        transport.request(node, { op, clientId, seq: mySeq }, timing.attemptTimeoutMs, (reply) => {
          if (!reply) {
            timeouts++;
            suspects.add(node);
            if (node === home) homeDownSince = mySeq;
            leader = nextTrusted(node);
            if (timeouts >= MAX_TIMEOUTS) return done({ type: 'info', error: 'timeout' });
            return attempt(leader);
          }
          const r = reply as unknown as ClientReply;
          if (r.error === NOT_LEADER) {
            if (++redirects > 10 * nodes.length) {
              // Nobody took it; an earlier attempt that timed out may still have happened.
              return done(timeouts > 0 ? { type: 'info', error: 'no leader' } : { type: 'fail', value: op.value, error: 'no leader' });
            }
            // Everyone still points at a node that timed out: perhaps only a reply was lost; trust it again.
            if (redirects % nodes.length === 0) suspects.clear();
            leader = r.leader !== undefined && r.leader !== node && !suspects.has(r.leader) ? r.leader : nextTrusted(node);
            return attempt(leader);
          }
          leader = node;
          done(r.error === undefined ? { type: r.type, value: r.value } : { type: r.type, value: r.value, error: r.error });
        });
      };
      if (homeDownSince !== undefined && mySeq - homeDownSince >= 5) homeDownSince = undefined;
      attempt(homeDownSince === undefined ? home : leader);
    },
    close() {},
  };
}
