import { z } from 'zod';
import { connectClient, type ProcessClient } from '../../harness/hosting/client.js';
import { numberedNodes } from '../../harness/node.js';
import type { Client } from '../../harness/runtime.js';
import { endpointsOf, faultlineContainer, NODE_PROGRAM_IMAGE, probeClient } from '../../harness/runtimes/docker/node-process.js';
import type { ClusterView, ContainerSpec, DockerTarget, TargetSession } from '../../harness/runtimes/docker/target.js';
import type { RequestTransport } from '../../harness/transport.js';
import { behaviourWith } from '../bugs.js';
import { raftClient } from '../raft-kv/client.js';
import { DOCKER_CLIENT_TIMING, PORT as RAFT_PORT } from '../raft-kv/docker.js';
import { raftReady } from '../raft-kv/ready.js';
import { authOf } from '../redis/auth.js';
import { OpenClients } from '../redis/client.js';
import { untilPong } from '../redis/probe.js';
import { dataDir, durableArgs, REDIS_IMAGE, REDIS_PORT, serverBinary } from '../redis/server.js';
import { ServerLink } from '../redlock/server-link.js';
import { BUGS, CORRECT, OPTIONS, placementOf, settingsOf } from './behaviour.js';
import { Director } from './director.js';
import { observeShards } from './observe.js';
import { redisRouter } from './redis-router.js';
import { CONFIG_NODES, initialMembers, minMembersOf, shardedKv } from './sim.js';
import { REGISTER_OPERATIONS } from '../register-ops.js';

/** How long the director may take to have epoch 1 decided and every first member told of it. */
const START_MS = 30_000;
/** The director's raft-kv client session (the routers' are their process numbers). */
const DIRECTOR_PROCESS = 1_000_000;

const isConfigNode = (n: string) => (CONFIG_NODES as readonly string[]).includes(n);
const shardsOf = (nodes: readonly string[]) => nodes.filter((n) => !isConfigNode(n));

/** A node program's transport from the harness: raft-kv's client speaks over it. */
function transportOf(pc: ProcessClient): RequestTransport {
  return { request: (node, msg, timeoutMs, done) => void pc.request(node, msg, timeoutMs).then(done) };
}

/**
 * sharded-kv on real servers: the shards n1…nN (N = --nodes, 5 by default; the last a spare outside the first ring)
 * are independent Redis servers, one owner per key (replication 1), every write fsynced before its reply; the config
 * group cfg1–cfg3 are `faultline node raft-kv` processes, the very Raft the simulation runs, peers of each other only.
 * The ring, the epochs and the hand-offs are faultline's (client-side sharding, as in practice): each process's
 * router (redis-router.ts) routes by the ring it read from the config group and names its epoch in every Lua script,
 * which the shard checks; the director (director.ts) detects failed shards, decides changes by cas in Raft and hands
 * keys off, fencing every old member first. The nemesis may hit the config nodes too: Raft tolerates a minority.
 */
export const shardedKvDocker: DockerTarget<'redis' | 'node'> = {
  name: 'sharded-kv',
  description:
    'Redis shards n1…nN (the last a spare) on a consistent-hash ring kept by faultline (epochs decided in a raft-kv config group cfg1–cfg3, fenced hand-offs, a phi-accrual detector over PINGs); options vnodes, replication (1 only here) (bugs: seed-ring, no-handoff, stale-ring, eager-detector)',
  bugs: shardedKv.bugs,
  defaultNodes: shardedKv.defaultNodes,
  operations: REGISTER_OPERATIONS,
  options: {
    ...OPTIONS,
    replication: { schema: z.literal(1, { error: 'only 1 in Docker (each key on one Redis server)' }), description: 'owners per key: 1 in Docker' },
  },
  membership: true,
  images: { redis: REDIS_IMAGE, node: NODE_PROGRAM_IMAGE },
  nodeIds: (n) => [...numberedNodes(n, shardedKv.defaultNodes), ...CONFIG_NODES],
  containers(ctx) {
    const specs: Record<string, ContainerSpec> = {};
    for (const n of shardsOf(ctx.nodes)) {
      // Every write fsynced before its reply: a shard killed and restarted keeps its keys and its epoch (its fence).
      specs[n] = { image: ctx.image('redis'), cmd: [serverBinary(ctx.flavour), ...durableArgs(dataDir(ctx.flavour))], ports: [REDIS_PORT] };
    }
    for (const n of CONFIG_NODES) {
      const peers = CONFIG_NODES.filter((p) => p !== n).map((p) => `${p}=${ctx.ips[p]}:${RAFT_PORT}`).join(',');
      // raft-kv's correct nodes whatever the bug: sharded-kv's bugs are the ring's, which lives in faultline.
      specs[n] = faultlineContainer(ctx.image('node'), ['node', 'raft-kv', '--id', n, '--listen', `0.0.0.0:${RAFT_PORT}`, '--peers', peers, '--data-dir', '/data'], RAFT_PORT, undefined);
    }
    return specs;
  },
  async ready(view, deadline) {
    const cfg = endpointsOf(view, CONFIG_NODES, RAFT_PORT);
    const probe = probeClient(cfg);
    try {
      await Promise.all([raftReady(probe, CONFIG_NODES, cfg, deadline), ...shardsOf(view.nodes).map((n) => untilPong(view, n, deadline))]);
    } finally {
      await probe.close();
    }
  },
  async open(view: ClusterView): Promise<TargetSession> {
    const behaviour = behaviourWith(CORRECT, BUGS, view.bug);
    const settings = settingsOf(view.options);
    const shards = shardsOf(view.nodes);
    const cfg = endpointsOf(view, CONFIG_NODES, RAFT_PORT);
    const connections = new Set<ProcessClient>();
    // One connection per shard for each user of them (a router, the director's hand-offs, its PINGs), opened when first needed.
    const lazyLinks = () => {
      const mine = new Map<string, ServerLink>();
      return {
        link: (s: string) => mine.get(s) ?? mine.set(s, new ServerLink(s, view.endpoint(s, REDIS_PORT), authOf(view, s))).get(s)!,
        close: () => {
          for (const l of mine.values()) l.close();
        },
      };
    };
    const raftOf = (id: string, process: number) => {
      const pc = connectClient(id, cfg);
      connections.add(pc);
      return { raft: raftClient(transportOf(pc), CONFIG_NODES, process, DOCKER_CLIENT_TIMING), pc };
    };
    const work = lazyLinks();
    const pings = lazyLinks();
    const director = new Director({
      shards,
      initial: initialMembers(shards),
      minMembers: minMembersOf(settings),
      behaviour,
      settings,
      link: work.link,
      pingLink: pings.link,
      raft: raftOf('faultline-director', DIRECTOR_PROCESS).raft,
    });
    const clients = new OpenClients();
    const closeAll = async () => {
      const stopped = director.close();
      clients.closeAll();
      work.close();
      pings.close();
      await Promise.all([...connections].map((c) => c.close()));
      await stopped;
    };
    try {
      await director.start(Date.now() + START_MS);
    } catch (e) {
      await closeAll();
      throw e;
    }
    return {
      client(process): Client {
        const { raft, pc } = raftOf(`c${process}`, process);
        const own = lazyLinks();
        const router = redisRouter(own.link, raft, behaviour, settings);
        return clients.add({
          invoke: (op, done) => router.invoke(op, done),
          close() {
            router.close();
            own.close();
            connections.delete(pc);
            void pc.close();
          },
        });
      },
      membership: director.membership,
      // The director's account, on the run's clock: the history's last op completed just now.
      observe(history) {
        const runStart = performance.now() - (history.at(-1)?.time ?? 0) / 1e6;
        const journal = director.journal.map((e) => ({ ...e, t: e.t - runStart })).filter((e) => e.t >= 0 || e.kind === 'epoch');
        return observeShards(
          { shards, journals: new Map([['faultline', journal]]), placement: placementOf(behaviour, settings), replication: settings.replication },
          history,
        );
      },
      close: closeAll,
    };
  },
};
