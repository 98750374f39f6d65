import type { Redis } from 'ioredis';
import type { ClientOp, Completion } from '../../harness/runtime.js';
import { REGISTER_OPERATIONS } from '../register-ops.js';

/** The Redis key of the set workload's elements when an op names no key (the set workload's usual case). */
export const SET_KEY = 'faultline-set';

/**
 * Compare-and-set as one Lua script: Redis runs a script atomically, so no write lands between its GET and SET.
 * GET of an absent key is `false` in Lua, equal to no string: a cas on an absent key fails, as the model says.
 */
const CAS_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";

/** What an op came to, and whether it changed the data set (what a `WAIT` for replicas must then cover). */
export interface Applied {
  completion: Completion;
  wrote: boolean;
}

/** Values are small integers: Redis stores them as strings, the history holds numbers. */
function parseValue(s: string): unknown {
  return /^-?\d+$/.test(s) ? Number(s) : s;
}

function setKey(op: ClientOp): string {
  return op.key === undefined ? SET_KEY : `${SET_KEY}:${String(op.key)}`;
}

/** What applyOp performs: the register's operations and the set's. */
export const REDIS_OPERATIONS = [...REGISTER_OPERATIONS, 'add'] as const;

/**
 * One workload op as Redis commands. The register workload: `read` (GET, absent → null), `write` (SET) and `cas`
 * (the script). The set workload: `add` (SADD) and a `read` that names no key (SMEMBERS, sorted). Rejects with
 * whatever the connection met; a reply error (READONLY, a script error) is a rejection too: the caller tells them
 * apart.
 */
export async function applyOp(conn: Redis, op: ClientOp): Promise<Applied> {
  switch (op.f) {
    case 'read': {
      if (op.key === undefined) {
        const members = await conn.smembers(SET_KEY);
        return { completion: { type: 'ok', value: members.map(parseValue).sort(byValue) }, wrote: false };
      }
      const v = await conn.get(String(op.key));
      return { completion: { type: 'ok', value: v === null ? null : parseValue(v) }, wrote: false };
    }
    case 'write':
      await conn.set(String(op.key), String(op.value));
      return { completion: { type: 'ok', value: op.value }, wrote: true };
    case 'cas': {
      const [expected, next] = op.value as [unknown, unknown];
      const swapped = await conn.eval(CAS_SCRIPT, 1, String(op.key), String(expected), String(next));
      return swapped === 1
        ? { completion: { type: 'ok', value: op.value }, wrote: true }
        : { completion: { type: 'fail', value: op.value, error: 'cas mismatch' }, wrote: false };
    }
    case 'add':
      await conn.sadd(setKey(op), String(op.value));
      return { completion: { type: 'ok', value: op.value }, wrote: true };
    default:
      return { completion: { type: 'fail', value: op.value, error: `unknown operation ${op.f}` }, wrote: false };
  }
}

function byValue(a: unknown, b: unknown): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
