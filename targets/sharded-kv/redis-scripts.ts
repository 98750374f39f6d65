import { keyText } from './ring.js';

/**
 * How sharded-kv keeps its data in a Redis shard, and the Lua scripts every command to a shard runs (Redis 7.0
 * commands only). A shard holds its epoch in EPOCH_KEY; every data op names the epoch its router routes by, and the
 * script refuses any other before it reads or writes: `EPOCH <n>` when the shard has moved on (the router's ring is
 * old), `BEHIND <n>` when the shard has not yet been told of the router's epoch. Redis runs a script atomically, so
 * no fence lands between the check and the op.
 */

/** The shard's epoch: raised (never lowered) by the director's fence and delivery, read by every data op's check. */
export const EPOCH_KEY = 'faultline:epoch';
/** The prefix of the workload's keys: a hand-off SCANs for it. */
export const KEY_PREFIX = 'faultline:k:';

/** A history key's Redis key: its canonical JSON text (the ring hashes the same text), so the key is recovered by JSON.parse. */
export const redisKey = (key: unknown): string => KEY_PREFIX + keyText(key);
export const historyKey = (redisKey: string): unknown => JSON.parse(redisKey.slice(KEY_PREFIX.length));

/**
 * Each key is a hash: `v` the value as JSON text (compared exactly as written), `n` its version, raised by each write
 * and carried by a hand-off. A key's versions grow along its history from owner to owner, so a delivery that arrives
 * late (a paused shard's socket) never overwrites a newer write: it is applied only over a lower version.
 */
const CHECK = `
local function refusal()
  if ARGV[1] == '' then return nil end
  local mine = tonumber(redis.call('GET', KEYS[1]) or '0')
  local want = tonumber(ARGV[1])
  if mine > want then return redis.error_reply('EPOCH ' .. mine) end
  if mine < want then return redis.error_reply('BEHIND ' .. mine) end
  return nil
end
local r = refusal()
if r then return r end
`;

/** KEYS: epoch, key. ARGV: epoch ('' skips the check: the stale-ring bug). The value's JSON text, or nil. */
export const READ_SCRIPT = `${CHECK}
return redis.call('HGET', KEYS[2], 'v')`;

/** KEYS: epoch, key. ARGV: epoch, the value's JSON text. */
export const WRITE_SCRIPT = `${CHECK}
redis.call('HSET', KEYS[2], 'v', ARGV[2])
redis.call('HINCRBY', KEYS[2], 'n', 1)
return 1`;

/** KEYS: epoch, key. ARGV: epoch, the expected value's JSON text, the new one's. 1 if swapped, 0 if not (absent included). */
export const CAS_SCRIPT = `${CHECK}
if redis.call('HGET', KEYS[2], 'v') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], 'v', ARGV[3])
redis.call('HINCRBY', KEYS[2], 'n', 1)
return 1`;

/** The fence: KEYS: epoch. ARGV: an epoch. Raises the shard's epoch to it (a max: never lowers); returns the shard's epoch. */
export const FENCE_SCRIPT = `
local mine = tonumber(redis.call('GET', KEYS[1]) or '0')
local e = tonumber(ARGV[1])
if e > mine then redis.call('SET', KEYS[1], ARGV[1]) return e end
return mine`;

/**
 * A hand-off's delivery: KEYS: epoch, key. ARGV: the epoch, the value's JSON text, its version. Raises the epoch
 * (as the fence), then puts the value unless the shard holds this version of the key or a later one. 1 if put.
 */
export const DELIVER_SCRIPT = `
local mine = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > mine then redis.call('SET', KEYS[1], ARGV[1]) end
local n = tonumber(redis.call('HGET', KEYS[2], 'n') or '-1')
if tonumber(ARGV[3]) <= n then return 0 end
redis.call('HSET', KEYS[2], 'v', ARGV[2], 'n', ARGV[3])
return 1`;

/** A refusal's reply (ioredis's ReplyError message): which, and the shard's epoch. */
export function refusalOf(message: string): { kind: 'epoch' | 'behind'; epoch: number } | undefined {
  const m = /\b(EPOCH|BEHIND) (\d+)/.exec(message);
  return m ? { kind: m[1] === 'EPOCH' ? 'epoch' : 'behind', epoch: Number(m[2]) } : undefined;
}
