import net from 'node:net';
import { UsageError, usageError } from '../../harness/errors.js';
import { parseAddress } from '../../harness/hosting/address.js';
import type { ProcessClient } from '../../harness/hosting/client.js';
import { pollUntil } from '../../harness/runtimes/docker/poll.js';
import { NOT_LEADER } from './messages.js';

/** How long the harness waits for a node's answer to one of its own questions. */
export const PROBE_TIMEOUT_MS = 300;

let probeSeq = 0;
/** A read of a key no workload uses: a leader answers it, anyone else redirects. */
const readProbe = () => ({ op: { f: 'read', key: '__faultline_probe', value: null }, clientId: 'faultline-probe', seq: ++probeSeq });

/**
 * A leader a node names must be one of the nodes. The nodes name each other by their `--id`s, and a frame is only
 * taken by the node whose id it is addressed to, so the harness's names for the nodes must be those ids: a hint
 * naming another is that mistake, and no waiting mends it.
 */
function checkHint(nodes: readonly string[], from: string, hint: unknown, target: string): void {
  if (typeof hint === 'string' && !nodes.includes(hint)) {
    throw usageError(`${target}: node ${from} names its leader '${hint}', which is none of the nodes (${nodes.join(', ')}): name each node by its process's --id`);
  }
}

/** The node that serves a read, found from `start` by following redirects (a few hops at most). */
export async function findLeader(probe: ProcessClient, nodes: readonly string[], start: string, target = 'raft-kv'): Promise<string | undefined> {
  let node = start;
  for (let hop = 0; hop < nodes.length + 2; hop++) {
    const reply = await probe.request(node, readProbe(), PROBE_TIMEOUT_MS);
    if (reply && reply.error !== NOT_LEADER) return node;
    const hint = reply?.leader;
    checkHint(nodes, node, hint, target);
    node = typeof hint === 'string' && nodes.includes(hint) && hint !== node ? hint : nodes[(nodes.indexOf(node) + 1) % nodes.length];
  }
  return undefined;
}

/** Whether something accepts TCP connections at `address` (`host:port`). */
function accepts(address: string): Promise<boolean> {
  const { host, port } = parseAddress(address);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Ready when every node answers  (a redirect will do: it is up and knows a leader) and then a leader serves a read.
 * A node that accepts connections and never answers is most likely a process whose `--id` is not the name the test
 * gives it (it drops frames addressed to another id): the error says so.
 */
export async function raftReady(probe: ProcessClient, nodes: readonly string[], endpoints: Readonly<Record<string, string>>, deadline: number, target = 'raft-kv'): Promise<void> {
  for (const n of nodes) {
    try {
      // A probe that gets no answer has already waited PROBE_TIMEOUT_MS: ask again at once.
      await pollUntil(
        deadline,
        async () => {
          const reply = await probe.request(n, readProbe(), PROBE_TIMEOUT_MS);
          if (!reply) return `node ${n} does not answer on ${endpoints[n]}`;
          checkHint(nodes, n, reply.leader, target);
          return undefined;
        },
        0,
      );
    } catch (e) {
      if (e instanceof UsageError || !(await accepts(endpoints[n]))) throw e;
      throw new Error(`node ${n} accepts connections on ${endpoints[n]} but never answers: is it the process started with --id ${n}?`);
    }
  }
  await pollUntil(deadline, async () => ((await findLeader(probe, nodes, nodes[0], target)) === undefined ? 'no leader was elected' : undefined), 50);
}
