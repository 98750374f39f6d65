import type { ClusterView, ContainerSpec, DockerTarget, TargetSession } from '../../harness/runtimes/docker/target.js';
import { endpointsOf, faultlineContainer, NODE_PROGRAM_IMAGE, probeClient } from '../../harness/runtimes/docker/node-process.js';
import { pollUntil } from '../../harness/runtimes/docker/poll.js';
import { connectClient, type ProcessClient } from '../../harness/hosting/client.js';
import type { RequestTransport } from '../../harness/transport.js';
import { raftClient, type RaftClientTiming } from './client.js';
import { NOT_LEADER } from './messages.js';
import { raftKv } from './sim.js';

/** The port every node listens on, inside its container, for peers and clients alike. */
const PORT = 7000;
/**
 * The client's timing in real ms. An attempt waits 500 ms where the simulation's waits 200: the nodes keep the
 * simulation's election time-outs (150–300 ms), but a real round trip is slower (through docker-proxy, with each
 * log append fsynced on an overlay filesystem), and a node that was just killed is an election plus a restart away
 * from serving. 500 ms (2.5 times the simulation's) lets a failover fit in one retry here too.
 */
const DOCKER_CLIENT_TIMING: RaftClientTiming = Object.freeze({ attemptTimeoutMs: 500 });
const PROBE_TIMEOUT_MS = 300;

/**
 * raft-kv in containers: each node is the very program the simulation runs, as a `faultline node raft-kv` process
 * over TCP, its log in the container's own filesystem (so a SIGKILLed node restarts with what it persisted).
 */
export const raftKvDocker: DockerTarget<'node'> = {
  name: 'raft-kv',
  description: raftKv.description,
  bugs: raftKv.bugs,
  defaultNodes: raftKv.defaultNodes,
  operations: raftKv.operations,
  images: { node: NODE_PROGRAM_IMAGE },
  nodeIds: raftKv.nodeIds,
  containers({ nodes, image, ips, bug }) {
    const specs: Record<string, ContainerSpec> = {};
    for (const n of nodes) {
      const peers = nodes.filter((p) => p !== n).map((p) => `${p}=${ips[p]}:${PORT}`).join(',');
      specs[n] = faultlineContainer(image('node'), ['node', 'raft-kv', '--id', n, '--listen', `0.0.0.0:${PORT}`, '--peers', peers, '--data-dir', '/data'], PORT, bug);
    }
    return specs;
  },
  async ready(view, deadline) {
    const probe = probeClient(endpoints(view));
    try {
      // Every node answers (a redirect will do: it is up and knows a leader), then the leader serves a read.
      // A probe that gets no answer has already waited PROBE_TIMEOUT_MS: ask again at once.
      for (const n of view.nodes) {
        await pollUntil(deadline, async () => ((await probe.request(n, readProbe(), PROBE_TIMEOUT_MS)) ? undefined : `node ${n} does not answer on ${endpoints(view)[n]}`), 0);
      }
      await pollUntil(deadline, async () => ((await findLeader(probe, view.nodes, view.nodes[0])) === undefined ? 'no leader was elected' : undefined), 50);
    } finally {
      await probe.close();
    }
  },
  async open(view): Promise<TargetSession> {
    const probe = probeClient(endpoints(view));
    const clients = new Set<ProcessClient>();
    let leader: string | undefined = view.nodes[0];
    return {
      client(process) {
        const pc = connectClient(`c${process}`, endpoints(view));
        clients.add(pc);
        const transport: RequestTransport = {
          request(node, msg, timeoutMs, done) {
            void pc.request(node, msg, timeoutMs).then((reply) => {
              if (reply && reply.error !== NOT_LEADER) leader = node;
              done(reply);
            });
          },
        };
        const client = raftClient(transport, view.nodes, process, DOCKER_CLIENT_TIMING);
        return {
          invoke: (op, done) => client.invoke(op, done),
          close() {
            clients.delete(pc);
            void pc.close();
          },
        };
      },
      async primaries() {
        leader = await findLeader(probe, view.nodes, leader ?? view.nodes[0]);
        return leader ? [leader] : [];
      },
      async close() {
        await Promise.all([...clients].map((c) => c.close()));
        await probe.close();
      },
    };
  },
};

const endpoints = (view: ClusterView) => endpointsOf(view, view.nodes, PORT);

let probeSeq = 0;
/** A read of a key no workload uses: a leader answers it, anyone else redirects. */
const readProbe = () => ({ op: { f: 'read', key: '__faultline_probe', value: null }, clientId: 'faultline-probe', seq: ++probeSeq });

/** The node that serves a read, found from `start` by following redirects (a few hops at most). */
async function findLeader(probe: ProcessClient, nodes: readonly string[], start: string): Promise<string | undefined> {
  let node = start;
  for (let hop = 0; hop < nodes.length + 2; hop++) {
    const reply = await probe.request(node, readProbe(), PROBE_TIMEOUT_MS);
    if (reply && reply.error !== NOT_LEADER) return node;
    const hint = reply?.leader;
    node = typeof hint === 'string' && nodes.includes(hint) && hint !== node ? hint : nodes[(nodes.indexOf(node) + 1) % nodes.length];
  }
  return undefined;
}

