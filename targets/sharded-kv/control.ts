import { countBoot } from '../../harness/node.js';
import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import { raftClient } from '../raft-kv/client.js';
import { CONFIG_KEY, decodeConfig, encodeConfig, isMoving, nextConfig, type RingConfig } from './configuration.js';
import { HEARTBEAT_MS, phiAccrual, timeoutDetector, type FailureDetector } from './failure-detector.js';
import { Handoff } from './handoff.js';
import type { ShardNode } from './shard.js';

/** How often a shard reads the configuration and considers a change (virtual ms). */
export const CONTROL_MS = 250;
/** The eager detector's time-out: two missed heartbeats and a bit. */
export const EAGER_TIMEOUT_MS = 250;
/** A hand-off nobody has finished for this long is taken over by whoever sees it. */
export const TAKEOVER_MS = 1500;
/** A node that was removed waits this long before it asks to join again (so a flapping link does not churn the ring). */
export const REJOIN_AFTER_MS = 1000;

/**
 * A shard's part in running the ring: heartbeats to the other shards and a failure detector over theirs; the
 * configuration, read from the config group's Raft; and the changes it proposes there by cas, one at a time and only
 * from a stable configuration: its own join or leave when the harness asks (membership nemesis), and the removal of a
 * member its detector suspects (by the lowest-id member that suspects nobody lower, so there is one proposer in the
 * common case, and a cas settles the rest). A removed node that is alive and wants to be a member asks to join again:
 * the detector takes suspected nodes out and brings recovered ones back. The proposer of a change runs its hand-off.
 */
export class Control {
  readonly detector: FailureDetector;
  /** The peers suspected now: the journal (journal.ts) keeps when each suspicion began and ended. */
  private readonly suspecting = new Set<string>();
  /** This node's wish (made durable): to be a member or not. */
  private wish: 'in' | 'out';
  private readonly raft: Client;
  private raftBusy = false;
  private readonly raftQueue: [ClientOp, (c: Completion) => void][] = [];
  private readonly lastHeard = new Map<string, number>();
  private handoff: Handoff | undefined;
  /** When this node first saw the moving configuration it has not finished (for the takeover). */
  private movingSince: { epoch: number; at: number } | undefined;
  private outSince: number | undefined;
  private refreshing = false;

  constructor(private readonly node: ShardNode) {
    const { ctx, setup } = node;
    this.wish = ctx.storage.get<'in' | 'out'>('wish') ?? (setup.initial.includes(ctx.id) ? 'in' : 'out');
    this.detector = setup.behaviour.eagerDetector ? timeoutDetector(EAGER_TIMEOUT_MS) : phiAccrual();
    // A client session of its own per life: raft-kv answers a (client, seq) it has seen with the stored result, and
    // a restarted shard counts its seqs from 1 again.
    const boots = countBoot(ctx.storage);
    this.raft = raftClient(node.rpc, setup.configNodes, 1_000_000 * (1 + setup.shards.indexOf(ctx.id)) + boots);
    ctx.setTimer(0, () => this.beat());
    ctx.setTimer(ctx.id.length % 7, () => this.tick());
  }

  want(wish: 'in' | 'out'): void {
    this.wish = wish;
    this.node.ctx.storage.put('wish', wish);
  }

  heard(peer: string): void {
    const now = this.node.ctx.now();
    this.detector.heartbeat(peer, now);
    this.lastHeard.set(peer, now);
  }

  /** Reads the configuration now (a shard found it is behind). */
  refresh(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    this.readConfig(() => (this.refreshing = false));
  }

  /** The config group's register, one operation at a time (raft-kv's client session orders them). */
  raftOp(op: ClientOp, done: (c: Completion) => void): void {
    this.raftQueue.push([op, done]);
    this.drain();
  }

  private drain(): void {
    if (this.raftBusy) return;
    const next = this.raftQueue.shift();
    if (!next) return;
    this.raftBusy = true;
    this.raft.invoke(next[0], (c) => {
      this.raftBusy = false;
      next[1](c);
      this.drain();
    });
  }

  private readConfig(then: (c: RingConfig | undefined, text: unknown) => void): void {
    this.raftOp({ f: 'read', key: CONFIG_KEY, value: null }, (c) => {
      const config = c.type === 'ok' ? decodeConfig(c.value) : undefined;
      if (config) this.node.adopt(config);
      then(config, c.type === 'ok' ? c.value : undefined);
    });
  }

  private beat(): void {
    const { ctx, setup } = this.node;
    for (const s of setup.shards) if (s !== ctx.id) ctx.send(s, { kind: 'hb' });
    this.trackSuspicions();
    ctx.setTimer(HEARTBEAT_MS, () => this.beat());
  }

  private trackSuspicions(): void {
    const now = this.node.ctx.now();
    for (const peer of this.node.setup.shards) {
      if (peer === this.node.ctx.id) continue;
      const suspected = this.detector.suspected(peer, now);
      if (suspected === this.suspecting.has(peer)) continue;
      if (suspected) this.suspecting.add(peer);
      else this.suspecting.delete(peer);
      this.node.journal.note({ t: now, kind: suspected ? 'suspect' : 'trust', peer });
    }
  }

  private tick(): void {
    this.readConfig((config, text) => {
      this.node.ctx.setTimer(CONTROL_MS, () => this.tick());
      if (text === null) return this.propose(null, { epoch: 1, members: [...this.node.setup.initial].sort() });
      if (!config) return;
      this.node.adopt(config);
      this.decide(config, text as string);
    });
  }

  private decide(c: RingConfig, text: string): void {
    const { ctx, setup } = this.node;
    const me = ctx.id;
    const now = ctx.now();
    if (isMoving(c)) {
      if (this.handoff?.epoch === c.epoch) return;
      if (this.movingSince?.epoch !== c.epoch) this.movingSince = { epoch: c.epoch, at: now };
      // Its proposer may have died or been cut off: anyone may finish a hand-off (it is idempotent).
      if (now - this.movingSince.at >= TAKEOVER_MS) this.startHandoff(c, undefined);
      return;
    }
    const members = c.members;
    const member = members.includes(me);
    if (!member) this.outSince ??= now;
    else this.outSince = undefined;
    if (this.wish === 'out' && member && members.length - 1 >= setup.minMembers) {
      return this.propose(text, nextConfig(c, members.filter((m) => m !== me)));
    }
    if (this.wish === 'in' && !member && now - (this.outSince ?? now) >= REJOIN_AFTER_MS && this.hearsMajority(members)) {
      return this.propose(text, nextConfig(c, [...members, me]));
    }
    if (!member || members.length - 1 < setup.minMembers) return;
    const trusted = members.filter((m) => m === me || !this.detector.suspected(m, now)).sort();
    if (trusted[0] !== me) return;
    const suspect = [...members].sort().find((m) => m !== me && this.detector.suspected(m, now));
    if (suspect) this.propose(text, nextConfig(c, members.filter((m) => m !== suspect)), suspect);
  }

  /** Heard from a majority of the members lately: not a node cut off from the ring that would join it blind. */
  private hearsMajority(members: readonly string[]): boolean {
    const now = this.node.ctx.now();
    const heard = members.filter((m) => now - (this.lastHeard.get(m) ?? -Infinity) <= 4 * HEARTBEAT_MS).length;
    return heard >= Math.floor(members.length / 2) + 1;
  }

  /** A cas from the configuration read (its very text) to the next; the winner runs the hand-off. */
  private propose(expected: string | null, next: RingConfig, suspect?: string): void {
    this.raftOp({ f: 'cas', key: CONFIG_KEY, value: [expected, encodeConfig(next)] }, (c) => {
      if (c.type !== 'ok') return;
      this.node.adopt(next);
      if (isMoving(next)) this.startHandoff(next, suspect);
    });
  }

  private startHandoff(c: RingConfig, suspect: string | undefined): void {
    if (this.handoff && this.handoff.epoch >= c.epoch && !this.handoff.done) return;
    this.handoff = new Handoff(this.node, c, this.node.behaviour.fenceSuspects ? undefined : suspect);
    this.handoff.start();
  }
}
