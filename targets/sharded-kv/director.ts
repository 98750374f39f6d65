import type { Client, ClientOp, Completion, MembershipFaults } from '../../harness/runtime.js';
import type { ShardEvent } from './journal.js';
import type { ServerLink } from '../redlock/server-link.js';
import { handoffPlacementOf, placementOf, type Behaviour, type Settings } from './behaviour.js';
import { CONFIG_KEY, decodeConfig, encodeConfig, isMoving, nextConfig, settled, type RingConfig } from './configuration.js';
import { EAGER_TIMEOUT_MS, REJOIN_AFTER_MS } from './control.js';
import { HEARTBEAT_MS, phiAccrual, timeoutDetector, type FailureDetector, type PhiOptions } from './failure-detector.js';
import type { HandoffRecord } from './handoff.js';
import { ask, collect, deliver, planMoves, raise, type Held } from './redis-handoff.js';

/** How often the director considers a change, in ms (the simulation's Control ticks as often). */
export const DIRECT_MS = 250;
/** The pause before asking again the shards a hand-off step did not hear from. */
const ASK_MS = 200;
/** A PING's budget: one unanswered for longer is not waited for (the detector counts the silence). */
const PING_BUDGET_MS = 1000;

/**
 * Phi accrual as the simulation tunes it, but for PINGs to real servers: a σ floor of 100 ms rather than 25, so phi
 * crosses 8 after about 0.6 s of silence rather than 0.23 s. A Redis server that fsyncs every write answers a PING
 * behind the fsyncs queued before it, and the harness's own event loop stalls now and then: with the simulation's
 * floor a shard under no fault at all was removed in one of two 30 s runs under partitions alone (which never cut the
 * harness from a shard). A killed or paused shard is still removed within a second.
 */
export const REAL_PHI: Partial<PhiOptions> = Object.freeze({ minStdDevMs: 100 });

export interface DirectorSetup {
  /** Every shard, members and spares. */
  readonly shards: readonly string[];
  /** The members of epoch 1. */
  readonly initial: readonly string[];
  readonly minMembers: number;
  readonly behaviour: Behaviour;
  readonly settings: Settings;
  /** The director's connection to a shard for hand-offs (one per shard, kept). */
  link(shard: string): ServerLink;
  /** Its connection for PINGs, apart so that a heartbeat never waits behind a SCAN. */
  pingLink(shard: string): ServerLink;
  /** A client session of the config group's Raft (raft-kv's client). */
  readonly raft: Client;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The director of a sharded-kv cluster over Redis shards: what the simulation's shards do among themselves (Control
 * and Handoff) done once for the cluster by faultline, as a client-side-sharding deployment's coordinator does.
 *
 * It PINGs every shard every HEARTBEAT_MS and feeds the answers to a failure detector (phi accrual; the
 * eager-detector bug's fixed time-out). Every DIRECT_MS, from a stable configuration, it proposes at most one change
 * by cas on the config group's register (the epoch is a Raft decision): the removal of a suspected member, a leave
 * or a join asked through `membership`, or the re-admission of a removed shard that answers again. The change it
 * decided it hands off (redis-handoff.ts): it fences every old member at the new epoch and collects its keys (with
 * one owner per key, every old member must answer: each is the only holder of its keys), delivers each key whose
 * owner changed, settles the configuration by cas, and raises every member to the epoch (one it could not reach
 * refuses the new epoch's routers with BEHIND until it does: it keeps trying).
 */
export class Director {
  readonly detector: FailureDetector;
  readonly handoffs: HandoffRecord[] = [];
  /**
   * What the director saw, for the report (observe.ts), as a shard's journal is in the simulation: the
   * configurations it adopted, the shards its detector suspected and trusted again, the hand-offs it finished. Times
   * are performance.now() ms: the session turns them into the run's.
   */
  readonly journal: ShardEvent[] = [];
  private readonly suspecting = new Set<string>();
  /** Each shard's wish, as the membership nemesis left it: to be a member or not. */
  private readonly wishes = new Map<string, 'in' | 'out'>();
  private readonly outSince = new Map<string, number>();
  private readonly lastHeard = new Map<string, number>();
  private readonly pinging = new Set<string>();
  private config: RingConfig | undefined;
  /** The register's text as last read or written (a cas expects exactly it). */
  private text: string | null | undefined;
  /** The register must be read before the next decision (a cas whose outcome is unknown, or refused). */
  private stale = true;
  /** Members not yet raised to the settled epoch. */
  private readonly behind = new Set<string>();
  private raftChain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private beatTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private readonly t0 = performance.now();
  private readonly placement;
  private readonly handoffPlacement;

  constructor(private readonly setup: DirectorSetup) {
    this.detector = setup.behaviour.eagerDetector ? timeoutDetector(EAGER_TIMEOUT_MS) : phiAccrual(REAL_PHI);
    for (const s of setup.shards) this.wishes.set(s, setup.initial.includes(s) ? 'in' : 'out');
    this.placement = placementOf(setup.behaviour, setup.settings);
    this.handoffPlacement = handoffPlacementOf(setup.behaviour, setup.settings);
    this.membership = {
      members: () => this.config?.members ?? setup.initial,
      candidates: setup.shards,
      minMembers: setup.minMembers,
      join: (node) => this.want(node, 'in'),
      leave: (node) => this.want(node, 'out'),
    };
  }

  /** Joins and leaves as the nemesis asks them: the wish is recorded at once, the change made when the director can. */
  readonly membership: MembershipFaults;

  /**
   * Decides epoch 1 (unless the register holds a configuration already) and raises its members to it, then starts
   * the heartbeats and the decisions. Rejects if that is not done by `deadline` (ms since the epoch).
   */
  async start(deadline: number): Promise<void> {
    for (;;) {
      if (Date.now() > deadline) throw new Error('sharded-kv: the config group did not take the first configuration');
      await this.read();
      if (this.text === null) await this.propose({ epoch: 1, members: [...this.setup.initial].sort() });
      if (this.config) break;
      await sleep(ASK_MS);
    }
    for (const m of this.config.members) this.behind.add(m);
    while (this.behind.size > 0) {
      if (Date.now() > deadline) throw new Error(`sharded-kv: shards ${[...this.behind].join(', ')} did not take epoch ${this.config.epoch}`);
      await this.raiseBehind();
      if (this.behind.size > 0) await sleep(ASK_MS);
    }
    this.beat();
    this.loop = this.direct();
  }

  /**
   * Stops deciding and beating at once; resolves when the step under way has ended (closing the director's
   * connections first makes that quick: what it waits for then fails at once).
   */
  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.beatTimer);
    return (this.loop ?? Promise.resolve()).catch(() => undefined);
  }

  private now(): number {
    return performance.now() - this.t0;
  }

  private want(node: string, wish: 'in' | 'out'): Promise<void> {
    if (!this.setup.shards.includes(node)) return Promise.reject(new Error(`sharded-kv: no shard ${node} (shards: ${this.setup.shards.join(', ')})`));
    this.wishes.set(node, wish);
    return Promise.resolve();
  }

  private beat(): void {
    if (this.closed) return;
    for (const s of this.setup.shards) {
      if (this.pinging.has(s)) continue;
      this.pinging.add(s);
      void ask(this.setup.pingLink(s), (r) => r.ping(), PING_BUDGET_MS).then((a) => {
        this.pinging.delete(s);
        if (a.kind === 'reply' && !this.closed) {
          this.detector.heartbeat(s, this.now());
          this.lastHeard.set(s, this.now());
        }
      });
    }
    const now = this.now();
    for (const s of this.setup.shards) {
      const suspected = this.detector.suspected(s, now);
      if (suspected === this.suspecting.has(s)) continue;
      if (suspected) this.suspecting.add(s);
      else this.suspecting.delete(s);
      this.journal.push({ t: performance.now(), kind: suspected ? 'suspect' : 'trust', peer: s });
    }
    this.beatTimer = setTimeout(() => this.beat(), HEARTBEAT_MS);
  }

  private async direct(): Promise<void> {
    while (!this.closed) {
      await this.step().catch(() => undefined);
      await sleep(DIRECT_MS);
    }
  }

  private async step(): Promise<void> {
    if (this.stale) await this.read();
    const c = this.config;
    if (!c || this.closed) return;
    if (isMoving(c)) return this.handoff(c, undefined);
    await this.raiseBehind();
    const change = this.decide(c);
    if (change && (await this.propose(change.next))) await this.handoff(change.next, change.suspect);
  }

  /**
   * At most one change from the stable configuration `c`: removing a suspected member first (while the ring keeps
   * minMembers), then a leave that was asked, then a join that was asked or a removed shard's re-admission, of a
   * shard that answers PINGs and has been out for REJOIN_AFTER_MS (so a flapping shard does not churn the ring).
   */
  private decide(c: RingConfig): { next: RingConfig; suspect?: string } | undefined {
    const now = this.now();
    const members = c.members;
    const canShrink = members.length - 1 >= this.setup.minMembers;
    if (canShrink) {
      const suspect = [...members].sort().find((m) => this.detector.suspected(m, now));
      if (suspect) return { next: nextConfig(c, members.filter((m) => m !== suspect)), suspect };
      const leaver = members.find((m) => this.wishes.get(m) === 'out');
      if (leaver) return { next: nextConfig(c, members.filter((m) => m !== leaver)) };
    }
    const joiner = this.setup.shards.find(
      (s) => !members.includes(s) && this.wishes.get(s) === 'in' && this.answers(s, now) && now - (this.outSince.get(s) ?? -Infinity) >= REJOIN_AFTER_MS,
    );
    if (joiner) return { next: nextConfig(c, [...members, joiner]) };
    return undefined;
  }

  /** Answers PINGs now: heard lately and not suspected. */
  private answers(s: string, now: number): boolean {
    return !this.detector.suspected(s, now) && now - (this.lastHeard.get(s) ?? -Infinity) <= 4 * HEARTBEAT_MS;
  }

  /** The config group's register, one operation at a time (raft-kv's client session orders them). */
  private raftOp(op: ClientOp): Promise<Completion> {
    const next = this.raftChain.then(() => new Promise<Completion>((resolve) => this.setup.raft.invoke(op, resolve)));
    this.raftChain = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<void> {
    const c = await this.raftOp({ f: 'read', key: CONFIG_KEY, value: null });
    if (c.type !== 'ok') return;
    this.stale = false;
    this.text = (c.value ?? null) as string | null;
    this.adopt(decodeConfig(this.text));
  }

  private adopt(next: RingConfig | undefined): void {
    if (!next) return;
    const was = this.config?.members ?? [];
    const now = this.now();
    for (const m of was) if (!next.members.includes(m)) this.outSince.set(m, now);
    if (this.config === undefined || next.epoch !== this.config.epoch || isMoving(next) !== isMoving(this.config)) {
      this.journal.push({ t: performance.now(), kind: 'epoch', epoch: next.epoch, members: next.members, moving: isMoving(next) });
    }
    this.config = next;
    this.text = encodeConfig(next);
  }

  /** A cas from the register's text to `next`: true if it took; otherwise the register is read again before deciding. */
  private async propose(next: RingConfig): Promise<boolean> {
    const c = await this.raftOp({ f: 'cas', key: CONFIG_KEY, value: [this.text ?? null, encodeConfig(next)] });
    if (c.type !== 'ok') {
      this.stale = true;
      return false;
    }
    this.adopt(next);
    return true;
  }

  /**
   * The hand-off of the moving configuration `c`: collect from every old member (but the suspect, under the
   * eager-detector bug, which neither fences nor waits for it), deliver the keys that move, settle by cas, raise
   * the members. Each step is asked again until done; a closed director stops where it is (the register keeps the
   * moving configuration, which the next director would finish).
   */
  private async handoff(c: RingConfig, suspect: string | undefined): Promise<void> {
    const skip = this.setup.behaviour.fenceSuspects ? undefined : suspect;
    const from = (c.from ?? []).filter((m) => m !== skip);
    const answers = new Map<string, Map<string, Held>>();
    for (;;) {
      if (this.closed) return;
      await Promise.all(
        from
          .filter((m) => !answers.has(m))
          .map(async (m) => {
            const held = await collect(this.setup.link(m), c.epoch);
            if (held) answers.set(m, held);
          }),
      );
      if (answers.size === from.length) break;
      await sleep(ASK_MS);
    }
    const moves = planMoves(c, answers, this.handoffPlacement, this.placement, this.setup.behaviour.handoffToJoiners);
    let pending = moves;
    while (pending.length > 0) {
      if (this.closed) return;
      const done = await Promise.all(pending.map((m) => deliver(this.setup.link(m.owner), c.epoch, m.key, m.held)));
      pending = pending.filter((_, i) => !done[i]);
      if (pending.length > 0) await sleep(ASK_MS);
    }
    for (;;) {
      if (this.closed) return;
      const r = await this.raftOp({ f: 'cas', key: CONFIG_KEY, value: [encodeConfig(c), encodeConfig(settled(c))] });
      if (r.type === 'ok') {
        this.adopt(settled(c));
        break;
      }
      // Not settled by this cas, or not known to be: the register says.
      this.stale = true;
      await this.read();
      const now = this.config;
      if (now && (now.epoch > c.epoch || (now.epoch === c.epoch && !isMoving(now)))) break;
      await sleep(ASK_MS);
    }
    const keys = new Set([...answers.values()].flatMap((h) => [...h.keys()])).size;
    this.handoffs.push({ epoch: c.epoch, from: c.from ?? [], members: c.members, keys, moved: moves.length });
    this.journal.push({ t: performance.now(), kind: 'handoff', ...this.handoffs.at(-1)! });
    this.behind.clear();
    for (const m of c.members) this.behind.add(m);
    await this.raiseBehind();
  }

  /** Raises every member still behind the settled epoch; those that do not answer are asked again next time. */
  private async raiseBehind(): Promise<void> {
    const c = this.config;
    if (!c || this.behind.size === 0) return;
    await Promise.all(
      [...this.behind].map(async (m) => {
        if (await raise(this.setup.link(m), c.epoch)) this.behind.delete(m);
      }),
    );
  }
}
