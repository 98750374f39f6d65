import { performance } from 'node:perf_hooks';
import type { InputError } from '../errors.js';
import { IntTable } from '../int-table.js';
import { stringifyExact } from '../values/json.js';
import { Calls } from '../history/calls.js';
import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import {
  ANOMALY_KINDS,
  type AnomalyKind,
  type AtomicityAnomaly,
  type BalanceNotConserved,
  type ReadRef,
  type TotalFrom,
  type TransferRef,
  type TransferStatus,
  type TwoPhaseCommitCounts,
  type TwoPhaseCommitOptions,
  type TwoPhaseCommitResult,
} from './result.js';

const MAX_LISTED = 1_000;

/** How a call ended, as a small number (a million transfers must not mean a million strings). */
const PENDING = 0;
const OK = 1;
const FAIL = 2;
const INFO = 3;
const STATUS: TransferStatus[] = ['pending', 'ok', 'fail', 'info'];
const TYPE_CODE: Record<string, number> = { ok: OK, fail: FAIL, info: INFO };

interface TrieNode {
  set: number;
  next: Map<string, TrieNode>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One participant's part of a read, as the history gives it (checked against the contract before use). */
interface ParticipantRead {
  balances: Record<string, unknown>;
  markers: unknown[];
  prepared?: unknown[];
}

/**
 * The 2PC-atomicity checker. A `transfer` is a distributed transaction over the participants it names; it writes a
 * marker row (its id) at each. The last ok `final-read` (after healing and recovery) returns every participant's
 * markers, balances and still-prepared transactions; ok `read`s, taken while the test ran, return each
 * participant's balances and the markers with an id ≥ their `since`.
 *
 * Judged by the final read, every transfer must be all-or-nothing (else a partial commit); an acknowledged one
 * present everywhere (else a lost commit); a failed one nowhere (else an aborted transfer is visible); one of
 * unknown outcome either. Nothing may stay prepared; every marker must belong to a transfer, at a participant it
 * touches. A read must not see a transfer at some of its participants and not others (a fractured read), and the
 * total of all balances must stay what it was (the `total` option, else the first ok read's).
 *
 * Three passes over the history (pairing the calls, finding the transfers and reads, judging them), and one over
 * the markers of each read: linear in the size of the history and its reads (only the anomalies are sorted). An
 * ill-formed history (a completion with no invocation, two invocations in flight on one process, a transfer
 * without an integer id, an id used twice, a read whose value
 * is not the documented shape) is an input error naming the line; anything well-formed gets a verdict.
 */
export function checkTwoPhaseCommit(history: History | Op[], opts: TwoPhaseCommitOptions = {}): TwoPhaseCommitResult {
  const start = performance.now();
  const calls = new Calls(history);
  const { ops, completion: comp } = calls;
  const maxListed = opts.maxListed ?? MAX_LISTED;
  const bad = (i: number, what: string): InputError => calls.error(i, what);

  // Every client call is named by the position of its invocation; comp[i] is the position of its completion (-1:
  // none). Only transfers and reads are judged (every call is paired, so an ill-formed history is caught).
  // Typed arrays over positions: a million transfers must not mean a million objects.
  const transferList = new Int32Array(ops.length);
  let nT = 0;
  const readCalls: number[] = [];
  let finalCall = -1;
  let looked = 0;
  for (let i = 0; i < ops.length; i++) {
    if (!calls.isInvocation(i)) continue;
    const f = ops[i].f;
    if (f === 'transfer') {
      transferList[nT++] = i;
      looked++;
    } else if (f === 'read' || f === 'final-read') {
      looked++;
      const j = comp[i];
      if (j < 0 || ops[j].type !== 'ok') continue;
      if (f === 'read') readCalls.push(i);
      // The last ok final read to complete.
      else if (finalCall < 0 || j > comp[finalCall]) finalCall = i;
    }
  }
  const transferCalls = transferList.subarray(0, nT);
  // Reads in the order they completed: "the first ok read" is the first to return.
  readCalls.sort((a, b) => comp[a] - comp[b]);
  const statusOf = (c: number): number => (comp[c] < 0 ? PENDING : (TYPE_CODE[ops[comp[c]].type] ?? INFO));

  // Participants by name → a small index; each distinct list of participants (a transfer's) → a "set" index.
  const participantIndex = new Map<string, number>();
  const participantNames: string[] = [];
  const intern = (name: string): number => {
    let k = participantIndex.get(name);
    if (k === undefined) {
      k = participantNames.length;
      participantIndex.set(name, k);
      participantNames.push(name);
    }
    return k;
  };
  // Lists of participants are interned through a trie of names (no key string built per transfer).
  const sets: Int32Array[] = [];
  const setNames: string[][] = [];
  const trie: TrieNode = { set: -1, next: new Map() };
  const internSet = (names: string[]): number => {
    let node = trie;
    for (let k = 0; k < names.length; k++) {
      let child = node.next.get(names[k]);
      if (!child) node.next.set(names[k], (child = { set: -1, next: new Map() }));
      node = child;
    }
    if (node.set < 0) {
      const distinct = [...new Set(names)];
      node.set = sets.length;
      sets.push(Int32Array.from(distinct, intern));
      setNames.push(distinct);
    }
    return node.set;
  };
  const inSet = (s: Int32Array, p: number): boolean => {
    for (let j = 0; j < s.length; j++) if (s[j] === p) return true;
    return false;
  };

  // The transfers: each one's id, outcome and participant set (-1: none named), validated against the contract.
  const tId = new Float64Array(nT);
  const tSet = new Int32Array(nT);
  const tStatus = new Uint8Array(nT);
  let maxId = -1;
  for (let t = 0; t < nT; t++) {
    const i = transferCalls[t];
    tStatus[t] = statusOf(i);
    const v = ops[i].value;
    const id = isObject(v) ? idOf(v.id) : undefined;
    if (id === undefined) {
      if (isObject(v) && isBeyond(v.id)) throw bad(i, `transfer id ${String(v.id)} is beyond 2^53: ids must be integers of at most 2^53`);
      throw bad(i, `transfer invoked with ${clip(json(v))}: its value must be {id: <integer>, from, to, amount, participants?}`);
    }
    tId[t] = id;
    if (id > maxId) maxId = id;
    let names = participantsOf(v as Record<string, unknown>, i);
    const j = comp[i];
    if (j >= 0) {
      const w = ops[j].value;
      if (isObject(w)) {
        if (w.id !== undefined && idOf(w.id) !== id) throw bad(j, `transfer ${id} (invoked at line ${calls.lineOf(i)}) completes with id ${clip(json(w.id))}`);
        if (names === undefined) names = participantsOf(w, j);
      }
    }
    tSet[t] = names === undefined ? -1 : internSet(names);
  }
  function participantsOf(v: Record<string, unknown>, i: number): string[] | undefined {
    const ps = v.participants;
    if (ps === undefined || ps === null) return undefined;
    const list = Array.isArray(ps) ? (ps as unknown[]) : [];
    let names = list.length > 0;
    for (let k = 0; names && k < list.length; k++) names = typeof list[k] === 'string';
    if (!names) throw bad(i, `transfer ${json(v.id)}: participants must be a non-empty list of participant names, got ${clip(json(ps))}`);
    return ps as string[];
  }
  // Transaction id → transfer. The bank workload numbers transfers 0, 1, 2, …: those are a typed array's slots.
  const ids = new IntTable(-1, maxId >= 0 && maxId < 4 * nT + 1024 ? maxId + 1 : 0);
  for (let t = 0; t < nT; t++) {
    const prior = ids.get(tId[t]);
    if (prior >= 0) throw bad(transferCalls[t], `transfer id ${tId[t]} is used again (first at line ${calls.lineOf(transferCalls[prior])}): ids must be unique`);
    ids.set(tId[t], t);
  }

  // Evidence: the ops, as refs (only built for the anomalies listed).
  const transferRef = (t: number): TransferRef => {
    const i = transferCalls[t];
    const v = ops[i].value as Record<string, unknown>;
    return {
      id: tId[t],
      status: STATUS[tStatus[t]],
      ...(v.from !== undefined && { from: v.from }),
      ...(v.to !== undefined && { to: v.to }),
      ...(v.amount !== undefined && { amount: v.amount }),
      ...(tSet[t] >= 0 && { participants: setNames[tSet[t]] }),
      ...calls.ref(i),
    };
  };
  const readRef = (c: number, since?: number): ReadRef => ({
    f: ops[c].f,
    ...(since !== undefined && { since }),
    ...calls.ref(c),
    completeTime: ops[comp[c]].time,
  });

  /** A read's value, checked against the contract: each participant's balances, markers (and prepared ids). */
  const readValue = (c: number): { since: number; parts: [string, ParticipantRead][] } => {
    const j = comp[c];
    const v = ops[j].value;
    const f = ops[c].f;
    const final = f === 'final-read';
    const shape = final ? '{participants: {<name>: {balances, markers, prepared}}}' : '{since: <integer>, participants: {<name>: {balances, markers}}}';
    if (!isObject(v) || !isObject(v.participants)) throw bad(j, `${f} returned ${clip(json(v))}: its value must be ${shape}`);
    let since = -Infinity;
    if (!final) {
      const at = idOf(v.since);
      if (at === undefined) throw bad(j, isBeyond(v.since) ? `read: since ${String(v.since)} is beyond 2^53` : `read: since must be an integer id, got ${clip(json(v.since))}`);
      since = at;
    }
    const parts: [string, ParticipantRead][] = [];
    for (const [name, part] of Object.entries(v.participants)) {
      const what = `${f}: participant ${name}`;
      if (!isObject(part)) throw bad(j, `${what} returned ${clip(json(part))}: it must be {balances: {<account>: <number>}, markers: [<id>…]}`);
      if (!isObject(part.balances)) throw bad(j, `${what}: balances must be an object of account → number, got ${clip(json(part.balances))}`);
      for (const b of Object.values(part.balances)) if (typeof b !== 'number' || !Number.isFinite(b)) throw bad(j, `${what}: balance ${clip(json(b))} is not a number`);
      if (!Array.isArray(part.markers)) throw bad(j, `${what}: markers must be a list of transfer ids, got ${clip(json(part.markers))}`);
      idsIn(part.markers, (m) => bad(j, `${what}: marker ${isBeyond(m) ? `${String(m)} is beyond 2^53` : `${clip(json(m))} is not an integer id`}`));
      if (part.prepared !== undefined) {
        if (!Array.isArray(part.prepared)) throw bad(j, `${what}: prepared must be a list of transfer ids, got ${clip(json(part.prepared))}`);
        idsIn(part.prepared, (m) => bad(j, `${what}: prepared id ${isBeyond(m) ? `${String(m)} is beyond 2^53` : `${clip(json(m))} is not an integer id`}`));
      }
      parts.push([name, part as unknown as ParticipantRead]);
    }
    return { since, parts };
  };
  const totalOf = (parts: [string, ParticipantRead][]): number => {
    let sum = 0;
    for (const [, part] of parts) for (const k in part.balances) sum += part.balances[k] as number;
    return sum;
  };

  const counts: TwoPhaseCommitCounts = {
    transfers: nT,
    ok: 0,
    fail: 0,
    info: 0,
    withoutParticipants: 0,
    uncovered: 0,
    concurrentWithFinalRead: 0,
    judged: 0,
    committed: 0,
    aborted: 0,
    partial: 0,
    infoCommitted: 0,
    infoAborted: 0,
    reads: readCalls.length,
    partialReads: 0,
    readMarkers: 0,
    finalMarkers: 0,
    prepared: 0,
  };
  for (let t = 0; t < nT; t++) {
    const s = tStatus[t];
    if (s === OK) counts.ok++;
    else if (s === FAIL) counts.fail++;
    else counts.info++;
    if (tSet[t] < 0) counts.withoutParticipants++;
  }

  // The final read first (it says which participants there are), checked before anything is judged.
  const final = finalCall >= 0 ? readValue(finalCall) : undefined;
  const allParticipants: number[] = [];
  if (final) for (const [name] of final.parts) allParticipants.push(intern(name));
  else {
    // No final read: every participant a transfer or a read names.
    const named = (p: number) => !allParticipants.includes(p) && allParticipants.push(p);
    for (const s of sets) s.forEach(named);
    for (const c of readCalls) {
      const v = ops[comp[c]].value;
      if (isObject(v) && isObject(v.participants)) for (const name in v.participants) named(intern(name));
    }
  }

  // ---- The reads: totals, and fractured reads. ----
  const expected: { total?: number; from?: TotalFrom } = {};
  if (opts.total !== undefined) Object.assign(expected, { total: opts.total, from: 'option' });
  const balances: { c: number; since?: number; observed: number }[] = [];
  let balanceCount = 0;
  const fractured: { c: number; since: number; t: number }[] = [];
  let fracturedCount = 0;
  const readStamp = new Int32Array(nT).fill(-1);
  const readCount = new Int32Array(nT);
  const readLastP = new Int32Array(nT);
  let inRead = new Int32Array(64).fill(-1); // participant → the last read that covered it
  for (let r = 0; r < readCalls.length; r++) {
    const c = readCalls[r];
    const { since, parts } = readValue(c);
    for (const [name] of parts) {
      const p = intern(name);
      if (p >= inRead.length) {
        const grown = new Int32Array(2 * p + 2).fill(-1);
        grown.set(inRead);
        inRead = grown;
      }
      inRead[p] = r;
    }
    const covers = (p: number) => p < inRead.length && inRead[p] === r;
    if (allParticipants.every(covers) && allParticipants.length > 0) {
      const total = totalOf(parts);
      if (expected.total === undefined) Object.assign(expected, { total, from: 'first-read' });
      else if (total !== expected.total) {
        balanceCount++;
        if (balances.length < maxListed) balances.push({ c, since, observed: total });
      }
    } else counts.partialReads++;

    // Each transfer this read saw (at a participant it touches), and at how many of its participants.
    const touched: number[] = [];
    for (const [name, part] of parts) {
      const p = participantIndex.get(name)!;
      const markers = part.markers as number[];
      counts.readMarkers += markers.length;
      for (let k = 0; k < markers.length; k++) {
        const m = markers[k];
        if (m < since) continue;
        const t = ids.get(m);
        if (t < 0 || tSet[t] < 0 || !inSet(sets[tSet[t]], p)) continue; // the final read judges these
        if (readStamp[t] !== r) {
          readStamp[t] = r;
          readCount[t] = 0;
          readLastP[t] = -1;
          touched.push(t);
        }
        if (readLastP[t] === p) continue; // listed twice by one participant
        readLastP[t] = p;
        readCount[t]++;
      }
    }
    const halves = touched.filter((t) => readCount[t] < sets[tSet[t]].length && sets[tSet[t]].every(covers));
    fracturedCount += halves.length;
    if (fractured.length < maxListed) {
      for (const t of halves.sort((a, b) => tId[a] - tId[b]).slice(0, maxListed - fractured.length)) fractured.push({ c, since, t });
    }
  }

  // ---- The final read: commitment of every transfer, stray markers, in-doubt transactions. ----
  const anomalies = new Map<AnomalyKind, AtomicityAnomaly[]>(ANOMALY_KINDS.map((k) => [k, []]));
  const anomalyCounts = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as Record<AnomalyKind, number>;
  const inDoubt: Record<string, number[]> = {};
  let finalTotal: number | undefined;
  let finalBalance: BalanceNotConserved | undefined;
  const markerSets = new Map<string, Set<number>>(); // "read call/participant" → its markers, built for evidence only
  const markersAt = (c: number, name: string, markers: number[]): Set<number> => {
    const key = `${c}/${name}`;
    let s = markerSets.get(key);
    if (!s) markerSets.set(key, (s = new Set(markers)));
    return s;
  };
  const presence = (t: number, c: number, parts: [string, ParticipantRead][]) => {
    const byName = new Map(parts);
    const presentAt: string[] = [];
    const absentAt: string[] = [];
    for (const name of setNames[tSet[t]]) {
      const part = byName.get(name);
      (part && markersAt(c, name, part.markers as number[]).has(tId[t]) ? presentAt : absentAt).push(name);
    }
    return { presentAt, absentAt };
  };

  if (final) {
    const fc = finalCall;
    const fi = fc;
    const fr = readRef(fc);
    finalTotal = totalOf(final.parts);
    if (expected.total === undefined) Object.assign(expected, { total: finalTotal, from: 'final-read' });
    else if (finalTotal !== expected.total) finalBalance = { kind: 'balance-not-conserved', read: fr, final: true, expected: expected.total, observed: finalTotal };

    const finalCount = new Int32Array(nT);
    const finalLastP = new Int32Array(nT).fill(-1);
    const unexpected = new Map<number, string[]>();
    const misplaced = new Map<number, string[]>();
    const prepared = new Map<number, string[]>();
    const note = (map: Map<number, string[]>, key: number, name: string) => {
      const at = map.get(key);
      if (!at) map.set(key, [name]);
      else if (at[at.length - 1] !== name) at.push(name);
    };
    for (const [name, part] of final.parts) {
      const p = participantIndex.get(name)!;
      const markers = part.markers as number[];
      counts.finalMarkers += markers.length;
      for (let k = 0; k < markers.length; k++) {
        const m = markers[k];
        const t = ids.get(m);
        if (t < 0) note(unexpected, m, name);
        else if (tSet[t] < 0) continue; // no participants named: nothing to hold it to
        else if (!inSet(sets[tSet[t]], p)) note(misplaced, t, name);
        else if (finalLastP[t] !== p) {
          finalLastP[t] = p;
          finalCount[t]++;
        }
      }
      const held = (part.prepared ?? []) as number[];
      if (held.length > 0) inDoubt[name] = [...new Set(held)].sort((a, b) => a - b).slice(0, maxListed);
      for (const m of held) note(prepared, m, name);
    }

    // Each transfer, judged: anomalous ones collected by kind, as slots (sorted by id, then cut, below).
    const partial: number[] = [];
    const lost: number[] = [];
    const abortedVisible: number[] = [];
    // A transfer naming a participant the final read did not read cannot be judged by it.
    const covered = sets.map((s) => s.every((p) => allParticipants.includes(p)));
    for (let t = 0; t < nT; t++) {
      if (tSet[t] < 0) continue;
      if (!covered[tSet[t]]) {
        counts.uncovered++;
        continue;
      }
      const c = transferCalls[t];
      if (c > fi || comp[c] > fi) {
        counts.concurrentWithFinalRead++;
        continue;
      }
      counts.judged++;
      const n = sets[tSet[t]].length;
      const present = finalCount[t];
      const s = tStatus[t];
      if (present === n) {
        counts.committed++;
        if (s === FAIL) abortedVisible.push(t);
        else if (s !== OK) counts.infoCommitted++;
      } else if (present === 0) {
        counts.aborted++;
        if (s === OK) lost.push(t);
        else if (s !== FAIL) counts.infoAborted++;
      } else {
        counts.partial++;
        partial.push(t);
        if (s === OK) lost.push(t);
        if (s === FAIL) abortedVisible.push(t);
      }
    }
    const byId = (a: number, b: number) => tId[a] - tId[b];
    const listTransfers = (kind: 'partial-commit' | 'lost-commit' | 'aborted-visible', slots: number[]) => {
      anomalyCounts[kind] = slots.length;
      const out = anomalies.get(kind)!;
      for (const t of slots.sort(byId).slice(0, maxListed)) out.push({ kind, id: tId[t], transfer: transferRef(t), ...presence(t, fc, final.parts) });
    };
    listTransfers('partial-commit', partial);
    listTransfers('lost-commit', lost);
    listTransfers('aborted-visible', abortedVisible);

    counts.prepared = prepared.size;
    anomalyCounts['in-doubt-left'] = prepared.size;
    for (const id of [...prepared.keys()].sort((a, b) => a - b).slice(0, maxListed)) {
      const t = ids.get(id);
      anomalies.get('in-doubt-left')!.push({ kind: 'in-doubt-left', id, ...(t >= 0 && { transfer: transferRef(t) }), preparedAt: prepared.get(id)! });
    }
    anomalyCounts['unexpected-marker'] = unexpected.size;
    for (const id of [...unexpected.keys()].sort((a, b) => a - b).slice(0, maxListed)) {
      anomalies.get('unexpected-marker')!.push({ kind: 'unexpected-marker', id, presentAt: unexpected.get(id)! });
    }
    anomalyCounts['misplaced-marker'] = misplaced.size;
    for (const t of [...misplaced.keys()].sort(byId).slice(0, maxListed)) {
      anomalies.get('misplaced-marker')!.push({ kind: 'misplaced-marker', id: tId[t], transfer: transferRef(t), presentAt: misplaced.get(t)! });
    }
  }

  anomalyCounts['fractured-read'] = fracturedCount;
  const readParts = new Map<number, [string, ParticipantRead][]>();
  for (const { c, since, t } of fractured) {
    let parts = readParts.get(c);
    if (!parts) readParts.set(c, (parts = readValue(c).parts));
    anomalies.get('fractured-read')!.push({ kind: 'fractured-read', id: tId[t], transfer: transferRef(t), read: readRef(c, since), ...presence(t, c, parts) });
  }
  anomalyCounts['balance-not-conserved'] = balanceCount + (finalBalance ? 1 : 0);
  const balanceList = anomalies.get('balance-not-conserved')!;
  if (finalBalance) balanceList.push(finalBalance);
  for (const b of balances.slice(0, maxListed - balanceList.length)) {
    balanceList.push({ kind: 'balance-not-conserved', read: readRef(b.c, b.since), final: false, expected: expected.total!, observed: b.observed });
  }

  const found = ANOMALY_KINDS.some((k) => anomalyCounts[k] > 0);
  const valid = found ? false : final ? true : 'unknown';
  const names = final ? allParticipants.map((p) => participantNames[p]) : [...participantNames];
  return {
    checker: '2pc',
    valid,
    ...(valid === 'unknown' && { unknownReason: 'no final read: no final-read completed ok, so nothing says which transfers committed where' }),
    ops: looked,
    counts,
    anomalyCounts,
    anomalies: ANOMALY_KINDS.flatMap((k) => anomalies.get(k)!),
    participants: names.sort(),
    ...(finalCall >= 0 && { finalRead: readRef(finalCall) }),
    ...(expected.total !== undefined && { expectedTotal: expected.total, totalFrom: expected.from }),
    ...(finalTotal !== undefined && { finalTotal }),
    inDoubt,
    ms: performance.now() - start,
  };
}

/** A value as it reads in a JSONL history (integers beyond 2^53 with every digit). */
function json(v: unknown): string {
  if (v === undefined) return 'nothing';
  try {
    return stringifyExact(v);
  } catch {
    return String(v);
  }
}

/** A transfer id as a number: an integer of at most 2^53, a bigint that small too; undefined for anything else. */
function idOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === 'bigint' && v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return undefined;
}

/** An integer too large to be an id (quoted as written, not rounded, in the error). */
function isBeyond(v: unknown): boolean {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v));
}

/** Every element of `ids` made a number id in place; the first that is not one is `refuse`d. */
function idsIn(ids: unknown[], refuse: (v: unknown) => Error): void {
  for (let k = 0; k < ids.length; k++) {
    const id = idOf(ids[k]);
    if (id === undefined) throw refuse(ids[k]);
    ids[k] = id;
  }
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}
