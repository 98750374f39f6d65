import type { Redis } from 'ioredis';
import type { Answer, ServerLink } from '../redlock/server-link.js';
import type { RingConfig } from './configuration.js';
import type { Placement } from './ring.js';
import { DELIVER_SCRIPT, EPOCH_KEY, FENCE_SCRIPT, historyKey, KEY_PREFIX } from './redis-scripts.js';

/** One key as a shard holds it: its value's JSON text and its version. */
export interface Held {
  value: string;
  version: number;
}

/** How long one collection (fence, SCAN, reads) or one delivery may take on a shard. */
export const HANDOFF_BUDGET_MS = 2000;
/** Keys a SCAN step asks for. */
const SCAN_COUNT = 1000;

/**
 * One command on a shard's link; a link whose command went unanswered is closed, so that the next opens a new
 * connection: a connection to a killed container whose network namespace went with it never hears a FIN, and
 * would time out every command after. What was sent on it may still run: every command of the director's is safe
 * to run late (a fence only raises the epoch; a delivery is put only over a lower version).
 */
export async function ask<T>(link: ServerLink, command: (r: Redis) => Promise<T>, budgetMs: number): Promise<Answer<T>> {
  const a = await link.ask(command, budgetMs);
  if (a.kind === 'unknown') link.close();
  return a;
}

/**
 * The fence and the collection of one old member, on one connection so that Redis runs them in this order: raise
 * its epoch to the new one (from then on it refuses the old epoch's routers), then SCAN its keys and read each. A
 * write of the old epoch either ran before the fence, and is read here, or is refused.
 */
export async function collect(link: ServerLink, epoch: number): Promise<Map<string, Held> | undefined> {
  const a = await ask(link, async (r: Redis) => {
    await r.eval(FENCE_SCRIPT, 1, EPOCH_KEY, String(epoch));
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await r.scan(cursor, 'MATCH', `${KEY_PREFIX}*`, 'COUNT', SCAN_COUNT);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const held = new Map<string, Held>();
    const fields = await Promise.all(keys.map((k) => r.hmget(k, 'v', 'n')));
    keys.forEach((k, i) => {
      const [v, n] = fields[i];
      if (v !== null) held.set(k, { value: v, version: Number(n ?? 0) });
    });
    return held;
  }, HANDOFF_BUDGET_MS);
  return a.kind === 'reply' ? a.value : undefined;
}

/** One delivery: the new owner moves to the epoch, and takes the value unless it holds this version or a later one. */
export async function deliver(link: ServerLink, epoch: number, key: string, held: Held): Promise<boolean> {
  const a = await ask(link, (r: Redis) => r.eval(DELIVER_SCRIPT, 2, EPOCH_KEY, key, String(epoch), held.value, String(held.version)), HANDOFF_BUDGET_MS);
  return a.kind === 'reply';
}

/** Raises a shard's epoch (the fence alone): a member told of a settled epoch, or the first one. */
export async function raise(link: ServerLink, epoch: number): Promise<boolean> {
  const a = await ask(link, (r: Redis) => r.eval(FENCE_SCRIPT, 1, EPOCH_KEY, String(epoch)), HANDOFF_BUDGET_MS);
  return a.kind === 'reply';
}

/** A delivery to make: a key, where it goes, and what it carries. */
export interface Move {
  key: string;
  owner: string;
  held: Held;
}

/**
 * Which keys a hand-off from `config.from` to `config.members` moves, from what each old member holds (replication
 * 1: a key's one old owner has it). A copy on a member that did not own the key under `from` is a leftover of an
 * earlier epoch, not the key's data; of the owners' copies the highest version wins. A key moves when its owner
 * changes; the no-handoff bug sends nothing to joiners. `handoff` is the placement the hand-off reasons by, `serve`
 * the one keys are served by (the seed-ring bug's differ).
 */
export function planMoves(
  config: RingConfig,
  answers: ReadonlyMap<string, ReadonlyMap<string, Held>>,
  handoff: Placement,
  serve: Placement,
  toJoiners: boolean,
): Move[] {
  const from = config.from ?? [];
  const joiners = config.members.filter((m) => !from.includes(m));
  const newest = new Map<string, Held>();
  for (const [m, held] of answers) {
    for (const [key, h] of held) {
      if (handoff.owners(from, historyKey(key), 1)[0] !== m) continue;
      const best = newest.get(key);
      if (!best || h.version > best.version) newest.set(key, h);
    }
  }
  const moves: Move[] = [];
  for (const [key, held] of newest) {
    const k = historyKey(key);
    if (handoff.owners(from, k, 1)[0] === handoff.owners(config.members, k, 1)[0]) continue;
    const owner = serve.owners(config.members, k, 1)[0];
    if (!toJoiners && joiners.includes(owner)) continue;
    moves.push({ key, owner, held });
  }
  return moves;
}
