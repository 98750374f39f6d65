import { majority } from './behaviour.js';
import { CONFIG_KEY, encodeConfig, isMoving, settled, type RingConfig } from './configuration.js';
import { compareVersions, type Stored } from './replica.js';
import { sameMembers, type ShardNode } from './shard.js';

/** How long a hand-off waits for one node's answer before asking again (virtual ms). */
const ASK_MS = 200;

/** What a hand-off moved, for the report's figures: keys seen, keys whose owners changed, copies delivered. */
export interface HandoffRecord {
  epoch: number;
  from: readonly string[];
  members: readonly string[];
  keys: number;
  moved: number;
}

/**
 * The hand-off of a configuration change, from the members of epoch E-1 (`from`) to those of E. First it collects:
 * each old member, asked, moves to epoch E (it refuses E-1 from then on) and sends every key it holds; the
 * collection is complete once, of every group of a key's old owners, a majority has answered. No old member may be
 * skipped beyond that: a node that did not answer might still be serving, and the epoch must first fence it.
 * Then it delivers: each key whose owners change, at the newest version its old owners had, to a majority of its new
 * owners. Then it settles the configuration by cas. Idempotent: two nodes running the same hand-off deliver the
 * same versions, and one cas settles it.
 *
 * The eager-detector bug leaves the suspect out: it is neither asked nor waited for, so it is never fenced either.
 */
export class Handoff {
  done = false;
  private readonly answers = new Map<string, [string, Stored][]>();
  /** Deliveries still to make: key → new owners that have not acknowledged. */
  private readonly pending = new Map<string, { stored: Stored; owners: string[]; acked: Set<string> }>();
  private phase: 'collect' | 'deliver' | 'settle' = 'collect';
  record: HandoffRecord | undefined;

  constructor(
    private readonly node: ShardNode,
    private readonly config: RingConfig,
    private readonly skip: string | undefined,
  ) {}

  get epoch(): number {
    return this.config.epoch;
  }

  start(): void {
    this.step();
  }

  /** Still the configuration to hand off: nobody settled it or moved past it. */
  private current(): boolean {
    const c = this.node.config;
    return !this.done && c !== undefined && c.epoch === this.config.epoch && isMoving(c);
  }

  private step(): void {
    if (!this.current()) {
      this.done = true;
      return;
    }
    if (this.phase === 'collect') this.collect();
    else if (this.phase === 'deliver') this.deliver();
    else this.settle();
  }

  private again(): void {
    this.node.ctx.setTimer(ASK_MS, () => this.step());
  }

  private collect(): void {
    const { ctx } = this.node;
    const asked = this.config.from!.filter((m) => m !== this.skip && !this.answers.has(m));
    for (const m of asked) {
      if (m === ctx.id) {
        this.answers.set(m, this.node.replica.entries());
        continue;
      }
      this.node.rpc.request(m, { kind: 'handoff', config: this.config }, ASK_MS, (r) => {
        if (r?.ok) this.answers.set(m, r.entries as [string, Stored][]);
      });
    }
    ctx.setTimer(ASK_MS, () => {
      if (!this.current()) return this.step();
      if (this.collected()) {
        this.plan();
        this.phase = 'deliver';
      }
      this.step();
    });
  }

  /**
   * Whether a majority of every owner group has answered. Groups are `replication` of the old members; a key of
   * any group is safe if at most ⌊(r - 1) / 2⌋ old members are missing in all (r = the groups' size).
   */
  private collected(): boolean {
    const from = this.config.from!.filter((m) => m !== this.skip);
    const r = Math.min(this.node.setup.settings.replication, this.config.from!.length);
    const missing = from.filter((m) => !this.answers.has(m)).length;
    return missing <= r - majority(r);
  }

  private plan(): void {
    const node = this.node;
    const { from, members } = { from: this.config.from!, members: this.config.members };
    const joiners = members.filter((m) => !from.includes(m));
    const newest = new Map<string, Stored>();
    for (const [m, entries] of this.answers) {
      for (const [key, stored] of entries) {
        // A node's copy of a key it no longer owned is a leftover of an earlier epoch, not the key's data.
        if (!node.handoffPlacement.owners(from, JSON.parse(key), node.setup.settings.replication).includes(m)) continue;
        const best = newest.get(key);
        if (!best || compareVersions(stored.version, best.version) > 0) newest.set(key, stored);
      }
    }
    let moved = 0;
    for (const [key, stored] of newest) {
      const r = node.setup.settings.replication;
      const before = node.handoffPlacement.owners(from, JSON.parse(key), r);
      const after = node.handoffPlacement.owners(members, JSON.parse(key), r);
      if (sameMembers(before, after)) continue;
      moved++;
      let owners = node.owners(members, key);
      if (!node.behaviour.handoffToJoiners) owners = owners.filter((o) => !joiners.includes(o));
      this.pending.set(key, { stored, owners, acked: new Set() });
    }
    this.record = { epoch: this.config.epoch, from, members, keys: newest.size, moved };
  }

  private deliver(): void {
    const { ctx } = this.node;
    for (const [key, d] of this.pending) {
      for (const o of d.owners.filter((x) => !d.acked.has(x))) {
        this.node.rpc.request(o, { kind: 'put', epoch: this.config.epoch, config: this.config, key, stored: d.stored, handoff: true }, ASK_MS, (r) => {
          if (r?.ok) d.acked.add(o);
        });
      }
    }
    ctx.setTimer(ASK_MS, () => {
      for (const [key, d] of this.pending) if (d.acked.size >= Math.min(majority(d.owners.length), d.owners.length)) this.pending.delete(key);
      if (this.pending.size === 0) this.phase = 'settle';
      this.step();
    });
  }

  private settle(): void {
    const node = this.node;
    node.control.raftOp({ f: 'cas', key: CONFIG_KEY, value: [encodeConfig(this.config), encodeConfig(settled(this.config))] }, (c) => {
      if (c.type === 'ok') {
        if (this.record) node.journal.note({ t: node.ctx.now(), kind: 'handoff', ...this.record });
        node.adopt(settled(this.config));
        this.done = true;
        for (const s of node.setup.shards) if (s !== node.ctx.id) node.ctx.send(s, { kind: 'config', config: settled(this.config) });
        return;
      }
      // Someone else settled it (or the cas's outcome is unknown): read it again, and stop once it has moved on.
      node.control.refresh();
      this.again();
    });
  }
}
