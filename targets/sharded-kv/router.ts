import type { Client, ClientOp, Clock, Completion } from '../../harness/runtime.js';
import type { RequestTransport } from '../../harness/transport.js';
import { raftClient } from '../raft-kv/client.js';
import { placementOf, type Behaviour, type Settings } from './behaviour.js';
import { CONFIG_KEY, decodeConfig, later, type RingConfig } from './configuration.js';
import { Balancer } from './balancer.js';

/** The router's timing, in the runtime's milliseconds. */
export interface RouterTiming {
  /** How long one request to a shard waits for its answer. */
  requestMs: number;
  /** The pause before trying again after a refusal (a hand-off under way, a shard behind). */
  retryMs: number;
  /** Refused attempts before the op fails (a refusal is certain: nothing happened). */
  attempts: number;
  /** The stale-ring bug's router reads the ring again once its copy is this old (a cache with a time to live). */
  ringTtlMs: number;
}

export const SIM_ROUTER_TIMING: RouterTiming = Object.freeze({ requestMs: 1000, retryMs: 50, attempts: 20, ringTtlMs: 1000 });

/**
 * What a router of one cluster shares with the others: the balancer (least-outstanding must see every router's
 * requests) and the per-node load it counted.
 */
export interface RouterShared {
  readonly balancer: Balancer;
}

/**
 * A process's router (client-side sharding, as a smart client does it): it learns the ring from the config group's
 * Raft, sends each op to an owner of its key (writes and cas to the primary, reads to the owner the balancer picks)
 * with the ring's epoch, and when a shard says its epoch is newer, takes that ring and tries again. A refusal
 * happened before anything did, so it is retried, and the op fails after too many; a time-out leaves a write unknown
 * (info) and a read failed (a read that was not answered changed nothing anyone saw).
 *
 * The stale-ring bug's router keeps the ring it read until its copy is `ringTtlMs` old, and its shards do not check
 * epochs: after a change, routers that read the ring at different times send a key to different owners.
 */
export function shardRouter(
  transport: RequestTransport,
  configNodes: readonly string[],
  process: number,
  behaviour: Behaviour,
  settings: Settings,
  shared: RouterShared,
  clock: Clock,
  timing: RouterTiming = SIM_ROUTER_TIMING,
): Client {
  const placement = placementOf(behaviour, settings);
  const raft = raftClient(transport, configNodes, process);
  let config: RingConfig | undefined;
  let readAt = -Infinity;

  const take = (c: unknown) => {
    config = later(config, c as RingConfig | undefined);
  };
  const fetch = (then: () => void) =>
    raft.invoke({ f: 'read', key: CONFIG_KEY, value: null }, (c) => {
      if (c.type === 'ok') {
        take(decodeConfig(c.value));
        readAt = clock.now();
      }
      then();
    });

  return {
    invoke(op: ClientOp, done: (c: Completion) => void) {
      let attempts = 0;
      const retry = (refetch: boolean) => {
        if (++attempts >= timing.attempts) return done({ type: 'fail', value: op.value, error: 'no owner would take it' });
        clock.at(timing.retryMs, () => (refetch ? fetch(attempt) : attempt()));
      };
      const attempt = (): void => {
        if (!config) return retry(true);
        const owners = placement.owners(config.members, op.key, settings.replication);
        const node = op.f === 'read' ? shared.balancer.pick(owners, process) : owners[0];
        shared.balancer.started(node);
        transport.request(node, { kind: 'op', epoch: config.epoch, owners, op }, timing.requestMs, (reply) => {
          shared.balancer.finished(node);
          if (!reply) return done(op.f === 'read' ? { type: 'fail', value: op.value, error: 'timeout' } : { type: 'info', value: op.value, error: 'timeout' });
          const type = reply.type as Completion['type'];
          const error = reply.error as string | undefined;
          if (type === 'fail' && error !== undefined && REFUSED.has(error)) {
            if (reply.config) take(reply.config);
            return retry(error !== 'epoch' && error !== 'behind');
          }
          done(error === undefined ? { type, value: reply.value ?? op.value } : { type, value: reply.value ?? op.value, error });
        });
      };
      if (!behaviour.epochFencing && clock.now() - readAt >= timing.ringTtlMs) fetch(attempt);
      else attempt();
    },
    close() {},
  };
}

/** The shard's refusals: nothing happened, the router may go elsewhere. */
const REFUSED = new Set(['epoch', 'behind', 'moving', 'not-owner', 'not-primary', 'unavailable']);
