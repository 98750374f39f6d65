import { usageError } from '../../harness/errors.js';
import type { SimTarget } from '../../harness/runtimes/sim/target.js';
import type { ClusterView, ContainerSpec, DockerTarget, TargetSession } from '../../harness/runtimes/docker/target.js';
import { endpointsOf, faultlineContainer, NODE_PROGRAM_IMAGE, probeClient } from '../../harness/runtimes/docker/node-process.js';
import { connectClient, type ProcessClient } from '../../harness/hosting/client.js';
import type { RequestTransport } from '../../harness/transport.js';
import { raftClient, type RaftClientTiming } from './client.js';
import { NOT_LEADER } from './messages.js';
import { findLeader, raftReady } from './ready.js';
import { raftKv } from './sim.js';

/** The port every node listens on, inside its container, for peers and clients alike (an external node's default). */
export const PORT = 7000;
/**
 * The client's timing in real ms. An attempt waits 500 ms where the simulation's waits 200: the nodes keep the
 * simulation's election time-outs (150–300 ms), but a real round trip is slower (through docker-proxy, with each
 * log append fsynced on an overlay filesystem), and a node that was just killed is an election plus a restart away
 * from serving. 500 ms (2.5 times the simulation's) lets a failover fit in one retry here too.
 */
export const DOCKER_CLIENT_TIMING: RaftClientTiming = Object.freeze({ attemptTimeoutMs: 500 });

/**
 * A replicated register store of faultline's own in containers (raft-kv, paxos-kv: any whose nodes speak raft-kv's
 * client protocol, a leader that serves and followers that redirect): each node is the very program the simulation
 * runs, as a `faultline node <target>` process over TCP, its durable state in the container's own filesystem (so a
 * SIGKILLed node restarts with what it persisted).
 *
 * On a cluster the user runs (`--runtime external`): the nodes are `faultline node <target> --id <name> --listen
 * host:port --peers <the others> --data-dir <dir>` processes, and the test names each node exactly by its process's
 * `--id` (nodes address each other, and clients them, by id). A bug is the processes' own (`faultline node … --bug`):
 * the run cannot give them one.
 */
export function leaderRegisterDocker(sim: SimTarget): DockerTarget<'node'> {
  const name = sim.name;
  const target: DockerTarget<'node'> = {
    name,
    description: `${sim.description}; external: faultline node ${name} processes, each node named by its --id (default port ${PORT})`,
    bugs: sim.bugs,
    defaultNodes: sim.defaultNodes,
    operations: sim.operations,
    images: { node: NODE_PROGRAM_IMAGE },
    nodeIds: sim.nodeIds,
    containers({ nodes, image, ips, bug }) {
      const specs: Record<string, ContainerSpec> = {};
      for (const n of nodes) {
        const peers = nodes.filter((p) => p !== n).map((p) => `${p}=${ips[p]}:${PORT}`).join(',');
        specs[n] = faultlineContainer(image('node'), ['node', name, '--id', n, '--listen', `0.0.0.0:${PORT}`, '--peers', peers, '--data-dir', '/data'], PORT, bug);
      }
      return specs;
    },
    async ready(view, deadline) {
      const probe = probeClient(endpoints(view));
      try {
        await raftReady(probe, view.nodes, endpoints(view), deadline, name);
      } finally {
        await probe.close();
      }
    },
    external: {
      services: [{ name: 'raft', port: PORT }],
      async ready(view, deadline) {
        if (view.bug !== undefined) {
          throw usageError(`${name}: on an external cluster a bug is the nodes' own: start them with 'faultline node ${name} --bug ${view.bug}' and run without --bug`);
        }
        await target.ready(view, deadline);
      },
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
          leader = await findLeader(probe, view.nodes, leader ?? view.nodes[0], name);
          return leader ? [leader] : [];
        },
        async close() {
          await Promise.all([...clients].map((c) => c.close()));
          await probe.close();
        },
      };
    },
  };
  return target;
}

export const raftKvDocker = leaderRegisterDocker(raftKv);

const endpoints = (view: ClusterView) => endpointsOf(view, view.nodes, PORT);
