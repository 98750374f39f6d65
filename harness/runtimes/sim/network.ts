import type { DurableStorage, NodeContext, NodeFactory, NodeProgram } from '../../node.js';
import { Rng } from '../../rng.js';
import { completeGrudge, drops, type Grudge } from '../../nemesis/grudge.js';
import { EventHeap } from './event-heap.js';

/** Delay range of a link, in virtual milliseconds. */
export interface Latency {
  min: number;
  max: number;
}

export interface NetworkOptions {
  seed: number;
  /** Every message's one-way delay (default 1–5 ms). */
  latency?: Latency;
  /** Keep a trace of every network event (tests and debugging; costs memory on long runs). */
  trace?: boolean;
}

export type NetworkEvent =
  | { t: number; kind: 'send' | 'deliver'; from: string; to: string }
  | { t: number; kind: 'drop'; from: string; to: string; reason: 'partition' | 'loss' | 'down' }
  | { t: number; kind: 'fault'; fault: string; targets: readonly string[] };

type Scheduled =
  | { time: number; seq: number; kind: 'deliver'; from: string; to: string; msg: unknown }
  | { time: number; seq: number; kind: 'timer'; node: string; incarnation: number; fn: () => void; cancelled: boolean }
  | { time: number; seq: number; kind: 'call'; fn: () => void };

/** A node's life: its program (absent while dead), what survives it, and what waits while it is paused. */
interface Member {
  id: string;
  factory?: NodeFactory;
  program?: NodeProgram;
  /** The program it ran when last killed (what a dead node saw, for the target's observations). */
  last?: NodeProgram;
  /** Bumped by every kill: timers of an earlier life never fire. */
  incarnation: number;
  alive: boolean;
  paused: boolean;
  /** Deliveries and timers that came due while paused, in order. */
  held: Scheduled[];
  storage: Map<string, unknown>;
  /** Endpoints (clients) are not nodes: they cannot be killed or paused. */
  endpoint?: (from: string, msg: unknown) => void;
}

/**
 * A simulated network in virtual time. Nodes are in-process state machines that only talk through it; the
 * harness decides every delay, loss and partition from one seeded PRNG, and events run one at a time in
 * (time, sequence) order, so the same seed and the same calls give the same run, message for message.
 *
 * Faults: a partition (any grouping: members of different groups cannot exchange messages, and messages in
 * flight when it starts are lost on arrival); a kill (the program and its timers are gone, its durable storage
 * stays; messages to it are lost); a restart (a new program on the same storage); a pause (nothing runs: messages
 * and timers wait, and all happen at the resume, in order — a SIGSTOP); extra latency and loss on chosen members.
 */
export class SimNetwork {
  private readonly rng: Rng;
  private readonly queue = new EventHeap<Scheduled>();
  private readonly members = new Map<string, Member>();
  private seq = 0;
  private time = 0;
  private latency: Latency;
  /** The partition in force: who drops whose messages. */
  private grudge: Grudge = {};
  private readonly extraLatency = new Map<string, Latency>();
  private readonly loss = new Map<string, number>();
  readonly trace: NetworkEvent[] | undefined;

  constructor(options: NetworkOptions) {
    this.rng = new Rng(options.seed);
    this.latency = options.latency ?? { min: 1, max: 5 };
    this.trace = options.trace ? [] : undefined;
  }

  /** Virtual milliseconds since the start. */
  now(): number {
    return this.time;
  }

  /** Adds a node and starts it. */
  addNode(id: string, peers: readonly string[], factory: NodeFactory): void {
    this.assertNew(id);
    const m: Member = { id, factory, incarnation: 0, alive: false, paused: false, held: [], storage: new Map() };
    this.members.set(id, m);
    this.boot(m, peers);
  }

  /** Adds an endpoint (a client's connection): it sends with send() and receives through `onMessage`. */
  addEndpoint(id: string, onMessage: (from: string, msg: unknown) => void): void {
    this.assertNew(id);
    this.members.set(id, { id, incarnation: 0, alive: true, paused: false, held: [], storage: new Map(), endpoint: onMessage });
  }

  send(from: string, to: string, msg: unknown): void {
    this.record({ t: this.time, kind: 'send', from, to });
    if (!this.members.has(to)) throw new Error(`no member ${to} in the network`);
    if (drops(this.grudge, from, to)) return this.record({ t: this.time, kind: 'drop', from, to, reason: 'partition' });
    const p = Math.max(this.loss.get(from) ?? 0, this.loss.get(to) ?? 0);
    if (p > 0 && this.rng.chance(p)) return this.record({ t: this.time, kind: 'drop', from, to, reason: 'loss' });
    this.schedule({ time: this.time + this.delay(from, to), seq: 0, kind: 'deliver', from, to, msg });
  }

  /** Runs `fn` at virtual time now + ms (harness-side timers: client timeouts, nemesis schedules). */
  at(ms: number, fn: () => void): void {
    this.schedule({ time: this.time + Math.max(0, ms), seq: 0, kind: 'call', fn });
  }

  /** Runs events in order until virtual time `until` (or the queue is empty); returns the events run. */
  runUntil(until: number): number {
    let n = 0;
    for (;;) {
      const next = this.peekTime();
      if (next === undefined || next > until) break;
      this.step();
      n++;
    }
    this.time = Math.max(this.time, until);
    return n;
  }

  /** Runs one event; false when there is none. */
  step(): boolean {
    const e = this.queue.pop();
    if (!e) return false;
    this.time = e.time;
    switch (e.kind) {
      case 'call':
        e.fn();
        break;
      case 'timer':
        this.fireTimer(e);
        break;
      case 'deliver':
        this.deliver(e);
        break;
    }
    return true;
  }

  // ---- faults -------------------------------------------------------------------------------------------------

  /** Cuts the network into groups: members of different groups cannot talk; members not listed reach everyone. */
  partition(groups: readonly (readonly string[])[]): void {
    this.cut(completeGrudge(groups));
  }

  /** Any partition: each member drops what the members its grudge names send it (messages in flight too). */
  cut(grudge: Grudge): void {
    for (const [id, from] of Object.entries(grudge)) {
      this.member(id);
      from.forEach((f) => this.member(f));
    }
    this.grudge = grudge;
    this.fault('partition', Object.entries(grudge).map(([id, from]) => `${id} drops ${from.join(' ')}`));
  }

  heal(): void {
    this.grudge = {};
    this.extraLatency.clear();
    this.loss.clear();
    this.fault('heal', []);
  }

  kill(id: string): void {
    const m = this.node(id);
    if (!m.alive) return;
    m.alive = false;
    m.paused = false;
    m.last = m.program;
    m.program = undefined;
    m.held = [];
    m.incarnation++;
    this.fault('kill', [id]);
  }

  /** Starts a killed node again: a new program over the storage it had made durable. */
  restart(id: string, peers: readonly string[]): void {
    const m = this.node(id);
    if (m.alive) return;
    this.fault('restart', [id]);
    this.boot(m, peers);
  }

  pause(id: string): void {
    const m = this.node(id);
    if (!m.alive || m.paused) return;
    m.paused = true;
    this.fault('pause', [id]);
  }

  resume(id: string): void {
    const m = this.node(id);
    if (!m.paused) return;
    m.paused = false;
    this.fault('resume', [id]);
    // What waited happens now, in the order it came due.
    const held = m.held;
    m.held = [];
    for (const e of held) this.schedule({ ...e, time: this.time, seq: 0 });
  }

  /** Extra one-way delay on every message to or from these members (the userspace proxy of the docker runtime). */
  slow(ids: readonly string[], extra: Latency): void {
    for (const id of ids) this.extraLatency.set(this.member(id).id, extra);
    this.fault('latency', ids);
  }

  /** Drops each message to or from these members with probability p. */
  lose(ids: readonly string[], p: number): void {
    for (const id of ids) this.loss.set(this.member(id).id, p);
    this.fault('loss', ids);
  }

  /** The running program of every live node (targets read their roles from them, e.g. who is primary). */
  programs(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const m of this.members.values()) if (m.alive && m.program) out.set(m.id, m.program);
    return out;
  }

  /**
   * Every node's program, the dead ones' too: a live node's running program, a dead node's last (its state when it
   * was killed). For reading what the nodes saw once a run is over; roles (who is primary) come from `programs`.
   */
  lastPrograms(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const m of this.members.values()) {
      const p = m.alive ? m.program : m.last;
      if (!m.endpoint && p) out.set(m.id, p);
    }
    return out;
  }

  isAlive(id: string): boolean {
    return this.member(id).alive;
  }

  isPaused(id: string): boolean {
    return this.member(id).paused;
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  private boot(m: Member, peers: readonly string[]): void {
    m.alive = true;
    m.paused = false;
    const incarnation = m.incarnation;
    const ctx: NodeContext = {
      id: m.id,
      peers,
      now: () => this.time,
      setTimer: (ms, fn) => {
        const e: Scheduled = { time: this.time + Math.max(0, ms), seq: 0, kind: 'timer', node: m.id, incarnation, fn, cancelled: false };
        this.schedule(e);
        return () => {
          e.cancelled = true;
        };
      },
      send: (to, msg) => {
        // A node that has died (or been restarted since) sends nothing: its old closures may still be called.
        if (m.alive && m.incarnation === incarnation) this.send(m.id, to, msg);
      },
      storage: storageOf(m.storage),
      log: () => {},
    };
    m.program = m.factory!(ctx);
  }

  private fireTimer(e: Extract<Scheduled, { kind: 'timer' }>): void {
    const m = this.members.get(e.node)!;
    if (e.cancelled || !m.alive || m.incarnation !== e.incarnation) return;
    if (m.paused) {
      m.held.push(e);
      return;
    }
    e.fn();
  }

  private deliver(e: Extract<Scheduled, { kind: 'deliver' }>): void {
    const m = this.members.get(e.to)!;
    if (drops(this.grudge, e.from, e.to)) return this.record({ t: this.time, kind: 'drop', from: e.from, to: e.to, reason: 'partition' });
    if (!m.alive) return this.record({ t: this.time, kind: 'drop', from: e.from, to: e.to, reason: 'down' });
    if (m.paused) {
      m.held.push(e);
      return;
    }
    this.record({ t: this.time, kind: 'deliver', from: e.from, to: e.to });
    if (m.endpoint) m.endpoint(e.from, e.msg);
    else m.program!.receive(e.from, e.msg);
  }

  private delay(from: string, to: string): number {
    let d = this.uniform(this.latency);
    for (const id of [from, to]) {
      const extra = this.extraLatency.get(id);
      if (extra) d += this.uniform(extra);
    }
    return d;
  }

  private uniform(l: Latency): number {
    return l.min + this.rng.next() * (l.max - l.min);
  }

  private schedule(e: Scheduled): void {
    e.seq = this.seq++;
    this.queue.push(e);
  }

  private peekTime(): number | undefined {
    return this.queue.peek()?.time;
  }

  private fault(fault: string, targets: readonly string[]): void {
    this.record({ t: this.time, kind: 'fault', fault, targets });
  }

  private record(e: NetworkEvent): void {
    this.trace?.push(e);
  }

  private member(id: string): Member {
    const m = this.members.get(id);
    if (!m) throw new Error(`no member ${id} in the network`);
    return m;
  }

  private node(id: string): Member {
    const m = this.member(id);
    if (m.endpoint) throw new Error(`${id} is a client endpoint, not a node`);
    return m;
  }

  private assertNew(id: string): void {
    if (this.members.has(id)) throw new Error(`${id} is already in the network`);
  }
}

function storageOf(map: Map<string, unknown>): DurableStorage {
  return {
    // Copies both ways: what was written cannot change afterwards through an object the program still holds.
    get: <T>(key: string) => (map.has(key) ? structuredClone(map.get(key)) : undefined) as T | undefined,
    put: (key, value) => void map.set(key, structuredClone(value)),
  };
}
