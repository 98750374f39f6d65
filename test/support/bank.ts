import type { Op } from '../../checkers/history/op.js';

/** One participant as a read returns it: its markers, and its balances (none unless given), and prepared ids. */
export interface PartSpec {
  markers: number[];
  balances?: Record<string, number>;
  prepared?: number[];
}

/** Participants by name: just the markers (`[1, 2]`), or the whole spec. */
export type Parts = Record<string, number[] | PartSpec>;

const part = (p: number[] | PartSpec) => (Array.isArray(p) ? { balances: {}, markers: p } : { balances: p.balances ?? {}, markers: p.markers, ...(p.prepared && { prepared: p.prepared }) });
const partsOf = (parts: Parts) => Object.fromEntries(Object.entries(parts).map(([name, p]) => [name, part(p)]));

/**
 * A tiny language for hand-built histories of the bank workload (the 2PC checker's contract): each call appends
 * events, one op each, indices and times counting up.
 *
 *   new Bank().transfer(0, 1, ['p1', 'p2'], 'ok')          // process 0: invoke + ok, transfer id 1 over p1 and p2
 *     .begin(1, 2, ['p1']).read(3, 0, { p1: [1], p2: [1] }).end(1, 2, 'info')
 *     .final({ p1: { markers: [1], prepared: [2] }, p2: [1] })
 */
export class Bank {
  readonly ops: Op[] = [];
  private readonly open = new Map<number, { f: string; value: unknown }>();

  event(process: number | string, type: Op['type'], f: string, value: unknown): this {
    this.ops.push({ index: this.ops.length, time: this.ops.length * 1000, process, type, f, value });
    return this;
  }

  /** Invokes a transfer (participants on the invocation unless `where` says 'completion' or 'none'). */
  begin(process: number, id: number, participants: string[] | undefined, where: 'invoke' | 'completion' = 'invoke'): this {
    const value = { id, from: id % 7, to: (id + 1) % 7, amount: 1 + (id % 5) };
    this.open.set(process, { f: 'transfer', value: participants && where === 'completion' ? { ...value, participants } : value });
    return this.event(process, 'invoke', 'transfer', participants && where === 'invoke' ? { ...value, participants } : value);
  }

  /** Completes the process's transfer (the completion's value: the invocation's, with participants if it had them). */
  end(process: number, _id: number, type: 'ok' | 'fail' | 'info'): this {
    const o = this.open.get(process);
    if (!o) throw new Error(`process ${process} has no transfer open`);
    this.open.delete(process);
    return this.event(process, type, o.f, o.value);
  }

  /** A transfer invoked and completed at once; 'pending' leaves it invoked. */
  transfer(process: number, id: number, participants: string[] | undefined, type: 'ok' | 'fail' | 'info' | 'pending', where: 'invoke' | 'completion' = 'invoke'): this {
    this.begin(process, id, participants, where);
    return type === 'pending' ? this : this.end(process, id, type);
  }

  /** An ok read of the given participants, returning markers ≥ since (the caller's lists are taken as given). */
  read(process: number, since: number, parts: Parts, type: 'ok' | 'fail' | 'info' = 'ok'): this {
    this.event(process, 'invoke', 'read', null);
    return this.event(process, type, 'read', type === 'ok' ? { since, participants: partsOf(parts) } : null);
  }

  final(parts: Parts, process = 99): this {
    this.event(process, 'invoke', 'final-read', null);
    return this.event(process, 'ok', 'final-read', { participants: partsOf(parts) });
  }

  nemesis(f: string): this {
    return this.event('nemesis', 'info', f, null);
  }
}

/** The parameters of a simulated bank run (see `simulateBank`). */
export interface BankSimOptions {
  seed: number;
  /** Participants p0…p{n-1}; account a lives on participant a mod n. */
  participants: number;
  accounts: number;
  transfers: number;
  /** Client processes issuing transfers, and reader processes. */
  clients: number;
  readers: number;
  /** Chance that a transfer aborts, and that its client times out (info) whatever happened. */
  abortRate: number;
  infoRate: number;
}

/**
 * A history of a correct (atomic) two-phase-commit bank, by construction: a discrete-event simulation where each
 * transfer takes effect at one instant between its invocation and its completion, at all of its participants or
 * at none (its fate drawn up front), and is reported truthfully (ok only if it committed, fail only if it aborted,
 * info either way; a client that got info is retired, Jepsen's rule). Reads take a snapshot at one instant inside
 * their interval (a serializable prefix) and return the markers ≥ their since. At the end every transfer in flight
 * is resolved, some of them left pending, and a final read returns everything. Seeded: the same options, the
 * same history.
 */
export function simulateBank(o: BankSimOptions): Op[] {
  let s = o.seed >>> 0;
  const rnd = () => {
    // mulberry32, inlined so that the support code stays independent of the harness.
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(rnd() * n);
  const names = Array.from({ length: o.participants }, (_, k) => `p${k}`);
  const home = (a: number) => names[a % o.participants];
  const balance = Array.from({ length: o.accounts }, () => 100);
  const markers = new Map<string, number[]>(names.map((n) => [n, []]));
  const ops: Op[] = [];
  const event = (process: number | string, type: Op['type'], f: string, value: unknown) => ops.push({ index: ops.length, time: ops.length * 1000, process, type, f, value });
  const snapshot = (since: number) =>
    Object.fromEntries(
      names.map((n) => [
        n,
        {
          balances: Object.fromEntries(balance.flatMap((b, a) => (home(a) === n ? [[String(a), b]] : []))),
          markers: markers.get(n)!.filter((m) => m >= since),
        },
      ]),
    );

  interface Transfer {
    value: { id: number; from: number; to: number; amount: number; participants: string[] };
    commits: boolean;
    applied: boolean;
  }
  const clients: (number | undefined)[] = Array.from({ length: o.clients }, (_, k) => k); // process id per slot
  const inFlight: (Transfer | undefined)[] = new Array(o.clients).fill(undefined);
  let nextProcess = o.clients + o.readers;
  const readers: ({ since: number; seen?: ReturnType<typeof snapshot> } | undefined)[] = new Array(o.readers).fill(undefined);
  let nextId = 0;
  const apply = (t: Transfer) => {
    t.applied = true;
    if (!t.commits) return;
    balance[t.value.from] -= t.value.amount;
    balance[t.value.to] += t.value.amount;
    for (const p of t.value.participants) markers.get(p)!.push(t.value.id);
  };

  let steps = 0;
  while ((nextId < o.transfers || inFlight.some(Boolean)) && steps++ < 100 * (o.transfers + 10)) {
    const k = int(o.clients + o.readers + 1);
    if (k === o.clients + o.readers) {
      if (rnd() < 0.05) event('nemesis', 'info', rnd() < 0.5 ? 'start-partition' : 'stop-partition', null);
      continue;
    }
    if (k >= o.clients) {
      // A reader: invoke, take its snapshot, complete.
      const r = k - o.clients;
      const process = o.clients + r;
      const st = readers[r];
      if (!st) {
        readers[r] = { since: int(nextId + 1) };
        event(process, 'invoke', 'read', null);
      } else if (!st.seen) st.seen = snapshot(st.since);
      else {
        event(process, 'ok', 'read', { since: st.since, participants: st.seen });
        readers[r] = undefined;
      }
      continue;
    }
    const t = inFlight[k];
    const process = clients[k]!;
    if (!t) {
      if (nextId >= o.transfers) continue;
      const from = int(o.accounts);
      const to = (from + 1 + int(Math.max(1, o.accounts - 1))) % o.accounts;
      const participants = [...new Set([home(from), home(to)])].sort();
      const value = { id: nextId++, from, to, amount: 1 + int(10), participants };
      inFlight[k] = { value, commits: rnd() >= o.abortRate, applied: false };
      event(process, 'invoke', 'transfer', value);
    } else if (!t.applied) apply(t);
    else {
      const type = rnd() < o.infoRate ? 'info' : t.commits ? 'ok' : 'fail';
      event(process, type, 'transfer', t.value);
      inFlight[k] = undefined;
      if (type === 'info') clients[k] = nextProcess++;
    }
  }
  // Readers still in flight time out; transfers in flight are resolved by recovery, some never answering.
  readers.forEach((st, r) => st && event(o.clients + r, 'info', 'read', null));
  inFlight.forEach((t, k) => {
    if (!t) return;
    if (!t.applied) apply(t);
    if (rnd() < 0.5) event(clients[k]!, 'info', 'transfer', t.value);
  });
  event('nemesis', 'info', 'stop-partition', null);
  const final = snapshot(-Infinity);
  event(nextProcess, 'invoke', 'final-read', null);
  event(nextProcess, 'ok', 'final-read', { participants: Object.fromEntries(Object.entries(final).map(([n, p]) => [n, { ...p, prepared: [] }])) });
  return ops;
}
