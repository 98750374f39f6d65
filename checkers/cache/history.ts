import { Calls, type CallRef } from '../history/calls.js';
import type { History } from '../history/history.js';
import { isClientProcess, type Op } from '../history/op.js';
import { valueKey } from '../values/key.js';
import { show } from '../values/show.js';

/** A key as a map key, compared by value (values/key.ts). */
export const keyOf = (k: unknown) => valueKey(k ?? null);
/** A key in prose: a string as itself ("k1"), anything else as the history wrote it. */
export const keyText = (k: unknown) => (typeof k === 'string' ? k : show(k));

/** A read that returned: what it saw, and whether the cache served it (absent: the client did not say). */
export interface Read {
  key: unknown;
  call: CallRef;
  /** Positions of its invocation and completion in the history: the order the linearizability checker uses. */
  at: number;
  done: number;
  value: number | null;
  hit?: boolean;
}

/** A write that may have happened (ok, info, or still pending at the end). */
export interface Write {
  key: unknown;
  call: CallRef;
  at: number;
  /** Position of its ok; Infinity when it was never acknowledged. */
  done: number;
  value: number;
}

/** What a settle's ok reports (the contract of targets/cache-aside's client). */
export interface SettleOutcome {
  db: number | null;
  cache: number | null;
  converged: boolean;
  staleMs: number;
}

export interface Settle {
  key: unknown;
  call: CallRef;
  type: 'ok' | 'fail' | 'info' | 'pending';
  outcome?: SettleOutcome;
  error?: unknown;
}

/** A cache history, read against its contract: every op checked, none skipped. */
export interface CacheHistory {
  calls: Calls;
  /** Every key the clients named, by its map key. */
  keys: Map<string, unknown>;
  reads: Read[];
  writes: Write[];
  /** The value written → its write (values are unique). */
  byValue: Map<number, Write>;
  settles: Settle[];
  /** Client invocations. */
  clientOps: number;
  /** Positions of the reads' and writes' invocations and completions: the register history. */
  registerPositions: number[];
}

const CACHE_FS = new Set(['read', 'write', 'settle']);
const SETTLE_FIELDS = ['db', 'cache', 'converged', 'staleMs'];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isValue = (v: unknown): v is number | null => v === null || Number.isSafeInteger(v);

/**
 * Reads a cache history (workloads/cache.ts): reads of a key return an integer or null and may say `hit`; writes
 * write an integer no other write wrote, and their ok returns it; a settle's ok is {db, cache, converged, staleMs}.
 * Anything else is an input error naming the op's index and line: a checker that skipped it could call valid a
 * history it never read.
 */
export function readCacheHistory(history: History | Op[]): CacheHistory {
  const calls = new Calls(history);
  const ops = calls.ops;
  const bad = (p: number, what: string) => calls.error(p, `op ${ops[p].index}: ${what}`);
  const keys = new Map<string, unknown>();
  const reads: Read[] = [];
  const writes: Write[] = [];
  const byValue = new Map<number, Write>();
  const settles: Settle[] = [];
  // Every value a write asked for, failed ones too: the workload never draws one twice.
  const seen = new Map<number, number>();
  const registerPositions: number[] = [];
  let clientOps = 0;

  for (let p = 0; p < ops.length; p++) {
    const op = ops[p];
    if (!isClientProcess(op.process) || op.type !== 'invoke') continue;
    clientOps++;
    const f = op.f;
    if (!CACHE_FS.has(f)) throw bad(p, `the cache checker knows read, write and settle, not '${f}'`);
    if (op.key === undefined || op.key === null) throw bad(p, `a cache ${f} names its key (k0…k3), and this one has none`);
    keys.set(keyOf(op.key), op.key);
    const q = calls.completion[p];
    const done = q >= 0 ? ops[q] : undefined;
    const call = calls.ref(p);
    if (f !== 'settle') {
      registerPositions.push(p);
      if (q >= 0) registerPositions.push(q);
    }
    if (f === 'write') {
      if (!Number.isSafeInteger(op.value)) throw bad(p, `a write's value must be an integer, got ${JSON.stringify(op.value)}`);
      const value = op.value as number;
      if (done?.type === 'ok' && done.value !== value) throw bad(q, `a write's ok returns the value written (${value}), got ${JSON.stringify(done.value)}`);
      const before = seen.get(value);
      if (before !== undefined) throw bad(p, `${value} was written before (op ${before}): the cache workload writes every value once, so that a read names its write`);
      seen.set(value, op.index);
      if (done?.type === 'fail') continue;
      const w: Write = { key: op.key, call, at: p, done: done?.type === 'ok' ? q : Infinity, value };
      writes.push(w);
      byValue.set(value, w);
    } else if (f === 'read') {
      if (done?.type !== 'ok') continue;
      if (!isValue(done.value)) throw bad(q, `a read's ok value must be an integer or null, got ${JSON.stringify(done.value)}`);
      const hit = done.hit;
      if (hit !== undefined && typeof hit !== 'boolean') throw bad(q, `a read's hit must be true or false, got ${JSON.stringify(hit)}`);
      reads.push({ key: op.key, call, at: p, done: q, value: done.value, ...(hit !== undefined && { hit }) });
    } else {
      const type = done?.type ?? 'pending';
      const s: Settle = { key: op.key, call, type: type as Settle['type'], ...(done?.error !== undefined && { error: done.error }) };
      if (type === 'ok') {
        const why = settleShape(done!.value);
        if (why) throw bad(q, why);
        s.outcome = done!.value as SettleOutcome;
      }
      settles.push(s);
    }
  }
  // In the history's order: an invocation is listed with its completion above, and pairs out of order would make
  // concurrent ops look sequential (a read concurrent with a write would seem to follow it).
  registerPositions.sort((a, b) => a - b);
  return { calls, keys, reads, writes, byValue, settles, clientOps, registerPositions };
}

/** Why a settle's ok value breaks the contract, or undefined when it keeps it. */
function settleShape(v: unknown): string | undefined {
  const got = `got ${JSON.stringify(v)}`;
  const shape = `a settle's ok value must be {db: integer|null, cache: integer|null, converged: boolean, staleMs: number ≥ 0}, ${got}`;
  if (!isObject(v)) return shape;
  const extra = Object.keys(v).find((k) => !SETTLE_FIELDS.includes(k));
  if (extra !== undefined) return `a settle's ok value has no field '${extra}' (known: ${SETTLE_FIELDS.join(', ')}), ${got}`;
  if (!isValue(v.db) || !isValue(v.cache) || typeof v.converged !== 'boolean' || typeof v.staleMs !== 'number' || !Number.isFinite(v.staleMs) || v.staleMs < 0) return shape;
  // A settle that says converged while its own values disagree would make a stale cache pass: refused, not believed.
  if (v.converged && v.cache !== null && v.cache !== v.db) return `a settle says converged, but the cache holds ${v.cache} and the database ${JSON.stringify(v.db)}`;
  return undefined;
}
