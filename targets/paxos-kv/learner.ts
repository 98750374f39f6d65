import type { DurableStorage } from '../../harness/node.js';
import type { Completion } from '../../harness/runtime.js';
import { applyRegisterOp } from '../register-ops.js';
import type { Command } from './messages.js';

/** The per-client session of the state machine: the last request applied and its result. */
interface Session {
  seq: number;
  result: Completion;
}

/**
 * A Paxos learner: the values it knows chosen, per instance (durable, so a restarted node need not learn them
 * again), and the register store they build, applied in instance order. A client's request may be chosen in two
 * instances (it retried at another leader): a session per client applies it once, and the later instance answers
 * with the first one's result.
 */
export class Learner {
  private readonly chosen = new Map<number, Command>();
  private readonly data = new Map<string, unknown>();
  private readonly sessions = new Map<string, Session>();
  /** The first instance not known chosen: every one below is. */
  private firstUnchosen = 0;
  /** Instances applied to the store: 0 … applied - 1. */
  private applied = 0;
  private top: number;

  constructor(
    private readonly storage: DurableStorage,
    /** Called with each applied instance and its result (undefined for a no-op). */
    private readonly onApply: (instance: number, result: Completion | undefined) => void,
  ) {
    this.top = storage.get<number>('chosenTop') ?? -1;
    for (let i = 0; i <= this.top; i++) {
      const v = storage.get<Command>(`chosen:${i}`);
      if (v) this.chosen.set(i, v);
    }
    this.advance();
  }

  /** The first instance not known chosen. */
  get frontier(): number {
    return this.firstUnchosen;
  }

  /** The value known chosen in an instance. */
  chosenIn(instance: number): Command | undefined {
    return this.chosen.get(instance);
  }

  /** Records a chosen value (once; a value is chosen for good) and applies what is now in order. */
  learn(instance: number, value: Command): void {
    if (this.chosen.has(instance)) return;
    this.chosen.set(instance, value);
    this.storage.put(`chosen:${instance}`, value);
    if (instance > this.top) {
      this.top = instance;
      this.storage.put('chosenTop', instance);
    }
    this.advance();
  }

  /** A key's value in the store, as applied so far. */
  value(key: string | number): unknown {
    return this.data.get(String(key)) ?? null;
  }

  /** A read answered from this node's own store, without the log (local-read). */
  readLocal(key: string | number): Completion {
    return { type: 'ok', value: this.value(key) };
  }

  private advance(): void {
    while (this.chosen.has(this.firstUnchosen)) this.firstUnchosen++;
    while (this.applied < this.firstUnchosen) {
      const instance = this.applied++;
      this.onApply(instance, this.applyCommand(this.chosen.get(instance)!));
    }
  }

  private applyCommand(c: Command): Completion | undefined {
    if (c.kind === 'noop') return undefined;
    const session = this.sessions.get(c.clientId);
    if (session && session.seq >= c.seq) return session.result; // a retry chosen again: applied once
    const key = String(c.op.key);
    const r = applyRegisterOp(this.data.get(key) ?? null, c.op);
    if (r.next !== undefined) this.data.set(key, r.next);
    this.sessions.set(c.clientId, { seq: c.seq, result: r.completion });
    return r.completion;
  }
}
