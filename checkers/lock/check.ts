import { Calls } from '../history/calls.js';
import type { History } from '../history/history.js';
import { isClientProcess, type Op } from '../history/op.js';
import { check as checkLinearizable } from '../linearizability/index.js';
import { valueKey } from '../values/key.js';
import type { Candidate } from '../linearizability/result.js';
import type { AccessRef, FencingViolation, Hold, LockKeyResult, LockResult, LostUpdate, Overlap, Overwritten } from './result.js';

/** A key as a map key, compared by value (values/key.ts). */
const keyOf = (k: unknown) => valueKey(k ?? null);

/** The operations of a lock history (workloads/lock.ts); anything else is an input error, never skipped. */
const LOCK_FS = new Set(['acquire', 'read', 'write', 'release', 'final-read']);
/** Evidence kept per kind: counts stay exact. */
const MAX_LISTED = 1_000;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isToken = (v: unknown): v is number | null => v === null || Number.isSafeInteger(v);

/**
 * Checks a lock history: the resource's safety is the verdict, mutual exclusion as the clients saw it is reported
 * beside it (see LockResult). A hold runs from an acquire's ok to the invocation of its release; a process that
 * crashed holding (an info) stops holding then, as a lease outlives its holder by design. A hold never released
 * (open: the workload stopped before its process got to the release) ends at the last thing its process did, the
 * completion of its last op: after that the history shows no act under it, and its lease runs out unseen (an op
 * still in flight at the end keeps it to the end, since that op may yet act). Two holds of one lock that
 * overlap are a certain violation of mutual exclusion; the mutex model (Knossos's, via the linearizability checker)
 * is run over the acquires and releases too, a failed release counting as a release at an unknown time (the lease
 * had expired: the client learnt it had lost the lock).
 */
export async function checkLock(history: History | Op[]): Promise<LockResult> {
  const start = performance.now();
  const calls = new Calls(history);
  const ops = calls.ops;
  // The invocation each completion answers.
  const invocationOf = new Int32Array(ops.length).fill(-1);
  for (let i = 0; i < ops.length; i++) if (calls.completion[i] >= 0) invocationOf[calls.completion[i]] = i;

  const holding = new Map<number, Hold & { key: unknown }>();
  const holds: (Hold & { key: unknown })[] = [];
  const releases = new Map<number, Hold>();
  const accesses: (AccessRef & { key: unknown })[] = [];
  const finals = new Map<string, { key: unknown; value: number }>();
  const keys = new Map<string, unknown>();
  let clientOps = 0;
  const lastTime = ops.length ? ops[ops.length - 1].time : 0;
  // Per process: when its last op completed, and whether one is still in flight (for the end of an open hold).
  const lastDone = new Map<number, number>();
  const inFlight = new Set<number>();

  for (let p = 0; p < ops.length; p++) {
    const op = ops[p];
    if (!isClientProcess(op.process)) continue;
    const process = op.process;
    if (op.type === 'invoke') {
      clientOps++;
      inFlight.add(process);
      if (!LOCK_FS.has(op.f)) throw calls.error(p, `the lock checker knows acquire, read, write, release and final-read, not '${op.f}'`);
      keys.set(keyOf(op.key), op.key);
      const h = holding.get(process);
      if (op.f === 'release' && h) {
        h.to = op.time;
        h.release = calls.ref(p);
        holding.delete(process);
        releases.set(p, h);
      }
      continue;
    }
    inFlight.delete(process);
    lastDone.set(process, op.time);
    const inv = invocationOf[p];
    const f = ops[inv].f;
    if (op.type === 'ok') {
      if (f === 'acquire') {
        const v = op.value;
        if (!isObject(v) || !isToken(v.token)) throw calls.error(p, `an acquire's ok value must be {token, …} with an integer or null token, got ${JSON.stringify(v)}`);
        const nodes = Array.isArray(v.nodes) ? v.nodes.map(String) : [];
        const hold: Hold & { key: unknown } = {
          key: ops[inv].key,
          process,
          acquire: calls.ref(inv),
          token: v.token,
          nodes,
          from: op.time,
          to: lastTime,
          end: 'open',
          ...(typeof v.lease === 'string' && { lease: v.lease }),
          ...(typeof v.redisKey === 'string' && { redisKey: v.redisKey }),
        };
        holds.push(hold);
        holding.set(process, hold);
      } else if (f === 'read' || f === 'write') {
        const v = op.value;
        if (!isObject(v) || !Number.isSafeInteger(v.value) || !isToken(v.token) || typeof v.fenced !== 'boolean') {
          throw calls.error(p, `a ${f}'s ok value must be {value, token, fenced}, got ${JSON.stringify(v)}`);
        }
        accesses.push({ ...calls.ref(inv), key: ops[inv].key, f, value: v.value as number, token: v.token, fenced: v.fenced });
      } else if (f === 'final-read') {
        if (!Number.isSafeInteger(op.value)) throw calls.error(p, `a final-read's ok value must be an integer, got ${JSON.stringify(op.value)}`);
        finals.set(keyOf(ops[inv].key), { key: ops[inv].key, value: op.value as number });
      }
    }
    const released = releases.get(inv);
    if (released) released.end = op.type === 'ok' ? 'released' : op.type === 'fail' ? 'lost' : 'crashed';
    if (op.type === 'info') {
      const h = holding.get(process);
      if (h) {
        h.to = op.time;
        h.end = 'crashed';
        holding.delete(process);
      }
    }
  }

  for (const [process, h] of holding) if (!inFlight.has(process)) h.to = Math.max(h.from, lastDone.get(process) ?? h.from);

  const overlaps = findOverlaps(holds);
  const { lostUpdates, overwritten } = lostIncrements(accesses, finals);
  const fencingViolations = fencingOrder(accesses);
  const mutex = await mutexModel(ops, calls, holds);

  const keyResults: LockKeyResult[] = [...keys].map(([k, key]) => ({
    key,
    acquired: holds.filter((h) => keyOf(h.key) === k).length,
    okWrites: accesses.filter((a) => a.f === 'write' && keyOf(a.key) === k).length,
    refused: 0,
    ...(finals.has(k) && { final: finals.get(k)!.value }),
    mutex: mutex.byKey.get(k) ?? true,
    overlaps: overlaps.filter((o) => keyOf(o.key) === k).length,
  }));
  for (let i = 0; i < ops.length; i++) {
    const j = calls.completion[i];
    if (j >= 0 && ops[j].type === 'fail' && (ops[i].f === 'read' || ops[i].f === 'write') && /^fenced/.test(String(ops[j].error ?? ''))) {
      const kr = keyResults.find((r) => keyOf(r.key) === keyOf(ops[i].key));
      if (kr) kr.refused++;
    }
  }

  const unsafe = lostUpdates.length + overwritten.length + fencingViolations.length > 0;
  const wrote = keyResults.filter((k) => k.okWrites > 0 && k.final === undefined);
  const fenced = accesses.filter((a) => a.fenced).length;
  return {
    checker: 'lock',
    valid: unsafe ? false : wrote.length > 0 ? 'unknown' : true,
    ...(!unsafe && wrote.length > 0 && { unknownReason: `no final read of lock ${keyOf(wrote[0].key)}'s counter: lost increments cannot be ruled out` }),
    ops: clientOps,
    keys: keyResults,
    mutualExclusion: overlaps.length === 0 && [...mutex.byKey.values()].every((v) => v === true),
    fencing: fenced === 0 ? 'none' : fenced === accesses.length ? 'all' : 'some',
    overlaps: overlaps.slice(0, MAX_LISTED),
    lostUpdates: lostUpdates.slice(0, MAX_LISTED),
    overwritten: overwritten.slice(0, MAX_LISTED),
    fencingViolations: fencingViolations.slice(0, MAX_LISTED),
    mutexAnomalies: overlaps.length === 0 ? mutex.anomalies : [],
    ms: performance.now() - start,
  };
}

/** Every pair of holds of one lock that overlap in time: both clients believed they held it. */
function findOverlaps(holds: readonly (Hold & { key: unknown })[]): Overlap[] {
  const out: Overlap[] = [];
  const byKey = new Map<string, (Hold & { key: unknown })[]>();
  for (const h of holds) byKey.set(keyOf(h.key), [...(byKey.get(keyOf(h.key)) ?? []), h]);
  for (const list of byKey.values()) {
    const sorted = [...list].sort((a, b) => a.from - b.from);
    const active: (Hold & { key: unknown })[] = [];
    for (const h of sorted) {
      for (let i = active.length - 1; i >= 0; i--) if (active[i].to <= h.from) active.splice(i, 1);
      for (const a of active) out.push({ key: h.key, first: strip(a), second: strip(h), from: h.from, to: Math.min(a.to, h.to) });
      active.push(h);
    }
  }
  return out.sort((a, b) => a.from - b.from);
}

function strip(h: Hold & { key: unknown }): Hold {
  const { key: _key, ...hold } = h;
  return hold;
}

/** Acknowledged writes of one value (one overwrote the other's increment), and acknowledged writes above the final value. */
function lostIncrements(accesses: readonly (AccessRef & { key: unknown })[], finals: Map<string, { key: unknown; value: number }>) {
  const lostUpdates: LostUpdate[] = [];
  const overwritten: Overwritten[] = [];
  const byValue = new Map<string, (AccessRef & { key: unknown })[]>();
  for (const a of accesses) {
    if (a.f !== 'write') continue;
    const k = `${keyOf(a.key)}\u0000${a.value}`;
    byValue.set(k, [...(byValue.get(k) ?? []), a]);
    const final = finals.get(keyOf(a.key));
    if (final !== undefined && a.value > final.value) overwritten.push({ key: a.key, write: refOf(a), final: final.value });
  }
  for (const ws of byValue.values()) if (ws.length > 1) lostUpdates.push({ key: ws[0].key, value: ws[0].value, writes: ws.map(refOf) });
  lostUpdates.sort((a, b) => a.writes[1].time - b.writes[1].time);
  return { lostUpdates, overwritten };
}

function refOf(a: AccessRef & { key: unknown }): AccessRef {
  const { key: _key, ...ref } = a;
  return ref;
}

/**
 * Fenced accesses the resource took after it had taken one with a higher token: for each, the highest-token access
 * that completed before it was invoked (so the order is certain).
 */
function fencingOrder(accesses: readonly (AccessRef & { key: unknown })[]): FencingViolation[] {
  const out: FencingViolation[] = [];
  const byKey = new Map<string, (AccessRef & { key: unknown })[]>();
  for (const a of accesses) if (a.fenced && a.token !== null) byKey.set(keyOf(a.key), [...(byKey.get(keyOf(a.key)) ?? []), a]);
  for (const list of byKey.values()) {
    const byCompletion = [...list].sort((a, b) => (a.completeTime ?? Infinity) - (b.completeTime ?? Infinity));
    const byInvoke = [...list].sort((a, b) => a.time - b.time);
    let best: (AccessRef & { key: unknown }) | undefined;
    let c = 0;
    for (const a of byInvoke) {
      while (c < byCompletion.length && (byCompletion[c].completeTime ?? Infinity) < a.time) {
        const b = byCompletion[c++];
        if (best === undefined || (b.token ?? -Infinity) > (best.token ?? -Infinity)) best = b;
      }
      if (best !== undefined && best.token! > a.token!) out.push({ key: a.key, accepted: refOf(a), after: refOf(best) });
    }
  }
  return out.sort((a, b) => a.accepted.time - b.accepted.time);
}

/**
 * The mutex model over each lock's acquires and releases. A release that failed (the lock was no longer the
 * holder's) and a hold ended by a crash or left open count as releases at an unknown time after they began (info): the model
 * cannot speak of leases, and a lease that expired under a holder who never learnt it is what it must still find.
 */
async function mutexModel(ops: readonly Op[], calls: Calls, holds: readonly (Hold & { key: unknown })[]) {
  const derived: Op[] = [];
  const original: number[] = [];
  const push = (op: Omit<Op, 'index'>, from: number) => {
    original.push(from);
    derived.push({ ...op, index: derived.length } as Op);
  };
  // Events in time order; a synthetic release for each crashed hold goes on a process of its own.
  const events: { time: number; at: number; op: Omit<Op, 'index'>; from: number }[] = [];
  let synthetic = 0;
  const SYNTHETIC = 1_000_000_000;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (!isClientProcess(op.process) || op.type !== 'invoke' || (op.f !== 'acquire' && op.f !== 'release')) continue;
    const j = calls.completion[i];
    const type = j < 0 ? undefined : ops[j].type;
    if (type === 'fail' && op.f === 'acquire') continue;
    // A failed release becomes an info one, and its process goes on: the pair goes on a process of its own, as a
    // process that got info never issues again.
    const process = type === 'fail' ? SYNTHETIC + synthetic++ : op.process;
    const base = { process, f: op.f, key: op.key, value: null };
    events.push({ time: op.time, at: i, op: { ...base, time: op.time, type: 'invoke' }, from: op.index });
    if (j >= 0) {
      const done = type === 'fail' ? 'info' : type!;
      events.push({ time: ops[j].time, at: j, op: { ...base, time: ops[j].time, type: done }, from: op.index });
    }
  }
  for (const h of holds) {
    // An open hold too: its holder let go at some time after its last act (its lease ran out), as far as we know.
    if ((h.end !== 'crashed' && h.end !== 'open') || h.release) continue;
    const process = SYNTHETIC + synthetic++;
    const base = { process, f: 'release', key: h.key, value: null };
    events.push({ time: h.to, at: Infinity, op: { ...base, time: h.to, type: 'invoke' }, from: h.acquire.invokeIndex });
    events.push({ time: h.to, at: Infinity, op: { ...base, time: h.to, type: 'info' }, from: h.acquire.invokeIndex });
  }
  events.sort((a, b) => a.time - b.time || a.at - b.at);
  for (const e of events) push(e.op, e.from);
  const byKey = new Map<string, boolean | 'unknown'>();
  const anomalies: { key: unknown; op: number; reason: string }[] = [];
  if (derived.length === 0) return { byKey, anomalies };
  const r = await checkLinearizable(derived, 'mutex', { cancelOnInvalid: false });
  for (const p of r.partitions) byKey.set(keyOf(p.key), p.valid);
  for (const a of r.anomalies) {
    const reason = a.candidates.map((c: Candidate) => c.reason).find((x) => x !== undefined);
    anomalies.push({ key: a.key, op: original[a.op.invokeIndex] ?? -1, reason: reason ?? "no order of the acquires and releases is a lock's" });
  }
  return { byKey, anomalies };
}

