import type { Redis } from 'ioredis';
import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import type { ServerLink } from '../redlock/server-link.js';
import { placementOf, type Behaviour, type Settings } from './behaviour.js';
import { CONFIG_KEY, decodeConfig, isMoving, later, type RingConfig } from './configuration.js';
import { ask } from './redis-handoff.js';
import { CAS_SCRIPT, EPOCH_KEY, READ_SCRIPT, redisKey, refusalOf, WRITE_SCRIPT } from './redis-scripts.js';
import type { RouterTiming } from './router.js';

/**
 * The router's timing over real Redis: a command's budget is ioredis's own command time-out (1 s); a refusal is
 * tried again after 100 ms, 10 times at most: a join's or a leave's hand-off takes tens of ms, and one waiting for a
 * killed shard takes until it is back, which no process should wait out (with one owner per key, every process
 * would soon be stuck on the dead shard's keys, and the live ones' served by nobody).
 */
export const DOCKER_ROUTER_TIMING: RouterTiming = Object.freeze({ requestMs: 1000, retryMs: 100, attempts: 10, ringTtlMs: 1000 });

/**
 * A process's router over Redis shards, as router.ts's is over simulated ones (client-side sharding): it learns the
 * ring from the config group's Raft, sends each op to its key's owner as one Lua script that first checks the
 * shard's epoch against the router's (redis-scripts.ts), and on `EPOCH` (the shard moved on) reads the ring again
 * and retries. `BEHIND` (the shard was not yet told of the router's epoch), a key whose owner changes while the ring
 * is moving, and a shard it cannot connect to (once, with the ring read again) are retried too: nothing was done. A sent op with no answer is a write
 * unknown (info) and a read failed. One connection per shard, opened when the process first needs it.
 *
 * The stale-ring bug's router keeps the ring it read until its copy is `ringTtlMs` old (a cache with a time to live,
 * as router.ts's), and sends no epoch: the scripts skip the check.
 */
export function redisRouter(
  link: (shard: string) => ServerLink,
  raft: Client,
  behaviour: Behaviour,
  settings: Settings,
  timing: RouterTiming = DOCKER_ROUTER_TIMING,
): Client {
  const placement = placementOf(behaviour, settings);
  let config: RingConfig | undefined;
  let readAt = -Infinity;
  let closed = false;

  const fetch = () =>
    new Promise<void>((resolve) =>
      raft.invoke({ f: 'read', key: CONFIG_KEY, value: null }, (c) => {
        if (c.type === 'ok') {
          config = later(config, decodeConfig(c.value));
          readAt = Date.now();
        }
        resolve();
      }),
    );

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  const perform = async (op: ClientOp): Promise<Completion> => {
    let why = 'no ring';
    /** The shard last found unreachable: if the ring read again still puts the key there, the op fails at once. */
    let unreachable: { shard: string; error: string } | undefined;
    // Reading the ring can itself take seconds (the config group without a majority): the op's retries end by a
    // deadline too, not only by their count.
    const deadline = Date.now() + timing.attempts * timing.retryMs + timing.requestMs;
    for (let attempt = 0; attempt < timing.attempts && !closed && Date.now() < deadline; attempt++) {
      if (attempt > 0) await sleep(timing.retryMs);
      if (!config || why === 'epoch' || why === 'moving' || why === 'unsent') {
        if (!config || behaviour.epochFencing) await fetch();
      }
      if (!behaviour.epochFencing && Date.now() - readAt >= timing.ringTtlMs) await fetch();
      const c = config;
      if (!c) {
        why = 'no ring';
        continue;
      }
      const owner = placement.owners(c.members, op.key, settings.replication)[0];
      // A key whose owner changes waits for its hand-off: the new owner may not have it yet, the old is fenced.
      if (behaviour.epochFencing && isMoving(c) && placement.owners(c.from!, op.key, settings.replication)[0] !== owner) {
        why = 'moving';
        continue;
      }
      if (unreachable?.shard === owner) return { type: 'fail', value: op.value, error: unreachable.error };
      const epoch = behaviour.epochFencing ? String(c.epoch) : '';
      // A link whose command went unanswered is closed (ask): a write sent on it is unknown, and may still land.
      const a = await ask(link(owner), (r: Redis) => script(r, op, epoch), timing.requestMs);
      switch (a.kind) {
        case 'reply':
          return completion(op, a.value);
        case 'refused': {
          const r = refusalOf(a.error);
          if (!r) return { type: 'fail', value: op.value, error: a.error };
          why = r.kind;
          continue;
        }
        case 'unsent':
          why = 'unsent';
          unreachable = { shard: owner, error: a.error };
          continue;
        case 'unknown':
          return op.f === 'read' ? { type: 'fail', value: op.value, error: a.error } : { type: 'info', value: op.value, error: a.error };
      }
    }
    return { type: 'fail', value: op.value, error: `not served (last: ${why})` };
  };

  return {
    invoke(op, done) {
      void perform(op).then(done);
    },
    close() {
      closed = true;
    },
  };
}

function script(r: Redis, op: ClientOp, epoch: string): Promise<unknown> {
  const key = redisKey(op.key);
  switch (op.f) {
    case 'read':
      return r.eval(READ_SCRIPT, 2, EPOCH_KEY, key, epoch);
    case 'write':
      return r.eval(WRITE_SCRIPT, 2, EPOCH_KEY, key, epoch, JSON.stringify(op.value));
    case 'cas': {
      const [expected, next] = op.value as [unknown, unknown];
      return r.eval(CAS_SCRIPT, 2, EPOCH_KEY, key, epoch, JSON.stringify(expected), JSON.stringify(next));
    }
    default:
      return Promise.reject(new Error(`unknown operation ${op.f}`));
  }
}

function completion(op: ClientOp, reply: unknown): Completion {
  switch (op.f) {
    case 'read':
      return { type: 'ok', value: reply === null ? null : (JSON.parse(String(reply)) as unknown) };
    case 'cas':
      return reply === 1 ? { type: 'ok', value: op.value } : { type: 'fail', value: op.value, error: 'cas mismatch' };
    default:
      return { type: 'ok', value: op.value };
  }
}
