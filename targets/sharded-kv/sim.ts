import type { NodeContext } from '../../harness/node.js';
import { numberedNodes } from '../../harness/node.js';
import type { SimTarget } from '../../harness/runtimes/sim/target.js';
import { behaviourWith } from '../bugs.js';
import { CORRECT as RAFT_CORRECT, RaftNode } from '../raft-kv/node.js';
import { REGISTER_OPERATIONS } from '../register-ops.js';
import { Balancer } from './balancer.js';
import { BUGS, CORRECT, OPTIONS, placementOf, settingsOf, type Settings } from './behaviour.js';
import { observeShards } from './observe.js';
import { shardRouter, type RouterShared } from './router.js';
import { ShardNode } from './shard.js';

/** The config group: three Raft nodes that hold the ring's configuration (never members of the ring). */
export const CONFIG_NODES = ['cfg1', 'cfg2', 'cfg3'] as const;

const isConfigNode = (id: string) => (CONFIG_NODES as readonly string[]).includes(id);

/** The shards of a cluster, from any node's view of it. */
const shardsOf = (ids: readonly string[]) => ids.filter((id) => !isConfigNode(id)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

/** The members at the start: every shard but the last, which is a spare that can join (so a join is possible at once). */
export const initialMembers = (shards: readonly string[]): string[] => (shards.length >= 3 ? shards.slice(0, -1) : [...shards]);

/** The fewest members: a key's owners must all be distinct nodes, and a ring of one is no test of sharding. */
export const minMembersOf = (s: Settings): number => Math.max(2, s.replication);

/** The routers of one cluster share their balancer (keyed by the cluster's node list, one per start). */
const sharedOf = new WeakMap<readonly string[], RouterShared>();

/**
 * A sharded register store (a cas-register per key): shards n1…nN on a consistent-hash ring (N = --nodes, 5 by
 * default, the last a spare that joins later), and a Raft group cfg1–cfg3 that decides the ring's configuration.
 * Routers in the harness's clients; hand-off on every membership change; a phi-accrual failure detector whose
 * removals are fenced by the epoch.
 */
export const shardedKv: SimTarget = {
  name: 'sharded-kv',
  description:
    'consistent-hash ring of shards with epochs decided in Raft, hand-off on joins and leaves, a phi-accrual failure detector; options replication, vnodes, balance (bugs: seed-ring, no-handoff, stale-ring, eager-detector)',
  bugs: Object.keys(BUGS),
  defaultNodes: 5,
  operations: REGISTER_OPERATIONS,
  options: OPTIONS,
  nodeIds: (n) => [...numberedNodes(n, 5), ...CONFIG_NODES],
  node: (bug, options) => {
    const behaviour = behaviourWith(CORRECT, BUGS, bug);
    const settings = settingsOf(options);
    return (ctx: NodeContext) => {
      const all = [ctx.id, ...ctx.peers];
      if (isConfigNode(ctx.id)) {
        // The config group is a Raft of its own three: the shards are its clients, not its peers.
        return new RaftNode({ ...ctx, peers: CONFIG_NODES.filter((c) => c !== ctx.id) }, RAFT_CORRECT);
      }
      const shards = shardsOf(all);
      return new ShardNode(ctx, { shards, configNodes: CONFIG_NODES, initial: initialMembers(shards), minMembers: minMembersOf(settings), behaviour, settings });
    };
  },
  // The membership nemesis asks a shard to join or leave; the shard proposes the change itself (control.ts).
  membership: {
    initial: (nodes) => initialMembers(shardsOf(nodes)),
    candidates: (nodes) => shardsOf(nodes),
    // The ring's own floor is max(2, replication): a leave below it waits in the shard until a join makes room.
    minMembers: 2,
    request: (op) => ({ kind: op }),
  },
  // What the shards journaled and the routers' balancer counted: the report's ring, detector and load figures.
  observe: (programs, history, nodes) => {
    const shards = [...programs].filter((e): e is [string, ShardNode] => e[1] instanceof ShardNode);
    const first = shards[0]?.[1];
    if (!first) return { figures: [] };
    return observeShards(
      {
        shards: first.setup.shards,
        journals: new Map(shards.map(([id, p]) => [id, p.journal.events])),
        placement: placementOf(first.behaviour, first.setup.settings),
        replication: first.setup.settings.replication,
        balancer: sharedOf.get(nodes)?.balancer,
      },
      history,
    );
  },
  client: (transport, nodes, bug, process, options, clock) => {
    const behaviour = behaviourWith(CORRECT, BUGS, bug);
    const settings = settingsOf(options);
    let shared = sharedOf.get(nodes);
    if (!shared) {
      shared = { balancer: new Balancer(settings.balance, nodes.length) };
      sharedOf.set(nodes, shared);
    }
    return shardRouter(transport, CONFIG_NODES, process, behaviour, settings, shared, clock);
  },
};
