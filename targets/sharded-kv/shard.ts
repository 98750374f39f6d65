import type { NodeContext, NodeProgram } from '../../harness/node.js';
import type { ClientOp } from '../../harness/runtime.js';
import { handoffPlacementOf, majority, placementOf, type Behaviour, type Settings } from './behaviour.js';
import { isMoving, later, type RingConfig } from './configuration.js';
import { Control } from './control.js';
import { Journal } from './journal.js';
import { isRequest, type GetRequest, type OpRequest, type PutRequest, type Refusal } from './messages.js';
import { NodeRpc } from './node-rpc.js';
import { quorumRound, type QuorumOutcome, type ReplicaReply } from './quorum.js';
import { compareVersions, Replica, type Stored } from './replica.js';
import type { Placement } from './ring.js';
import { keyText } from './ring.js';

/** How long a coordinator waits for a replica's answer (virtual ms). */
export const REPLICA_TIMEOUT_MS = 150;

/** What every shard of a cluster knows about it from the start. */
export interface ShardSetup {
  /** Every shard (members and spares). */
  readonly shards: readonly string[];
  /** The Raft group that holds the configuration. */
  readonly configNodes: readonly string[];
  /** The members of epoch 1. */
  readonly initial: readonly string[];
  /** The fewest members the ring keeps (a leave or a removal below it waits). */
  readonly minMembers: number;
  readonly behaviour: Behaviour;
  readonly settings: Settings;
}

/**
 * One shard of the sharded store. Keys are placed on a consistent-hash ring of the members (placement.ts), each on
 * `replication` owners; an operation is coordinated by an owner with ABD's two phases over a majority of the owners
 * (Attiya, Bar-Noy, Dolev): a read asks a majority for their copies and writes the newest back where it was missing;
 * a write or cas is coordinated by the key's primary alone, one at a time per key, which reads the newest version
 * from a majority and writes the next one to a majority. So every acknowledged value is on a majority of its owners,
 * and every read sees the newest acknowledged one.
 *
 * Membership changes (joins, leaves, and the failure detector's removals, control.ts) are epochs decided in the
 * config group's Raft. Every request names the epoch its sender routes by, and a shard refuses any other: a shard
 * that has moved on can no longer help an older epoch reach a majority. A hand-off (handoff.ts) moves a majority of
 * every old owner group to the new epoch before it reads their keys, so nothing acknowledged at the old epoch is
 * missed, and nothing can be acknowledged there afterwards: a falsely suspected node, cut off and unaware, never
 * serves as a second owner.
 */
export class ShardNode implements NodeProgram {
  config: RingConfig | undefined;
  readonly replica: Replica;
  readonly rpc: NodeRpc;
  readonly placement: Placement;
  /** The placement the hand-off moves keys by (the seed-ring bug's differs from the one keys are served by). */
  readonly handoffPlacement: Placement;
  readonly control: Control;
  /** Operations this shard coordinated, for the report's load per node. */
  coordinated = 0;
  readonly journal: Journal;
  /** Writes and cas waiting for the one before them on the same key (the primary orders a key's writes). */
  private readonly writeQueues = new Map<string, (() => void)[]>();

  constructor(
    readonly ctx: NodeContext,
    readonly setup: ShardSetup,
  ) {
    this.config = ctx.storage.get<RingConfig>('config');
    this.journal = new Journal(ctx.storage);
    this.journal.note({ t: ctx.now(), kind: 'boot' });
    this.replica = new Replica(ctx.storage);
    this.rpc = new NodeRpc(ctx);
    this.placement = placementOf(setup.behaviour, setup.settings);
    this.handoffPlacement = handoffPlacementOf(setup.behaviour, setup.settings);
    this.control = new Control(this);
  }

  get behaviour(): Behaviour {
    return this.setup.behaviour;
  }

  /** A key's owners in a membership. */
  owners(members: readonly string[], key: string): string[] {
    return this.placement.owners(members, JSON.parse(key), this.setup.settings.replication);
  }

  /** Takes a later configuration than the one known (made durable first: a restarted shard keeps its fence). */
  adopt(c: RingConfig | undefined): void {
    const next = later(this.config, c);
    if (!next || next === this.config) return;
    this.config = next;
    this.ctx.storage.put('config', next);
    this.journal.note({ t: this.ctx.now(), kind: 'epoch', epoch: next.epoch, members: next.members, moving: isMoving(next) });
  }

  receive(from: string, msg: unknown): void {
    if (!isRequest(msg)) {
      if (typeof msg === 'object' && msg !== null) this.rpc.settle(msg as Record<string, unknown>);
      return;
    }
    const reply = (body: Record<string, unknown>) => this.ctx.send(from, { rid: msg.rid, ...body });
    switch (msg.kind) {
      case 'op':
        return this.coordinate(msg, reply);
      case 'get':
        return reply(this.onGet(msg));
      case 'put':
        return reply(this.onPut(msg));
      case 'handoff':
        this.adopt(msg.config);
        return reply({ ok: true, entries: this.replica.entries() });
      case 'config':
        return this.adopt(msg.config);
      case 'hb':
        return this.control.heard(from);
      case 'join':
      case 'leave':
        this.control.want(msg.kind === 'join' ? 'in' : 'out');
        return reply({ ok: true });
    }
  }

  /**
   * Why this shard will not take part in an operation on `key` at `epoch` (undefined: it will). A `primary` request
   * must reach the key's first owner. While a configuration is moving, a key whose owners change waits for its hand-off.
   */
  refusal(epoch: number, key: string, role: 'owner' | 'primary'): Refusal | undefined {
    if (!this.behaviour.epochFencing) return undefined;
    const c = this.config;
    if (!c || epoch > c.epoch) {
      this.control.refresh();
      return 'behind';
    }
    if (epoch < c.epoch) return 'epoch';
    const owners = this.owners(c.members, key);
    if (!owners.includes(this.ctx.id)) return 'not-owner';
    if (isMoving(c) && !sameMembers(owners, this.owners(c.from!, key))) return 'moving';
    if (role === 'primary' && owners[0] !== this.ctx.id) return 'not-primary';
    return undefined;
  }

  private refused(error: Refusal): ReplicaReply {
    return { ok: false, error, config: this.config };
  }

  private onGet(req: GetRequest): ReplicaReply {
    const r = this.refusal(req.epoch, req.key, 'owner');
    return r ? this.refused(r) : { ok: true, stored: this.replica.get(req.key) };
  }

  private onPut(req: PutRequest): ReplicaReply {
    if (req.handoff) {
      // A hand-off's delivery: the new owner may not have heard of the epoch yet (a joiner): it learns it here.
      if (req.config) this.adopt(req.config);
      const c = this.config;
      if (this.behaviour.epochFencing && (!c || c.epoch !== req.epoch)) return this.refused(c && c.epoch > req.epoch ? 'epoch' : 'behind');
      this.replica.put(req.key, req.stored);
      return { ok: true };
    }
    const r = this.refusal(req.epoch, req.key, 'owner');
    if (r) return this.refused(r);
    this.replica.put(req.key, req.stored);
    return { ok: true };
  }

  /** Asks one replica (this shard itself by a zero-delay timer, so that every answer comes as an event). */
  private ask(node: string, msg: GetRequest | PutRequest, done: (r: ReplicaReply | undefined) => void): void {
    if (node === this.ctx.id) {
      this.ctx.setTimer(0, () => done(msg.kind === 'get' ? this.onGet(msg) : this.onPut(msg)));
      return;
    }
    this.rpc.request(node, msg as unknown as Record<string, unknown>, REPLICA_TIMEOUT_MS, (r) => done(r as ReplicaReply | undefined));
  }

  private round(owners: readonly string[], msg: GetRequest | PutRequest, done: (o: QuorumOutcome) => void): void {
    quorumRound(owners, majority(owners.length), (n, d) => this.ask(n, msg, d), done);
  }

  /** A router's operation: this shard coordinates it among the key's owners at the router's epoch. */
  private coordinate(req: OpRequest, reply: (body: Record<string, unknown>) => void): void {
    const op = req.op;
    const key = keyText(op.key);
    const role = op.f === 'read' ? 'owner' : 'primary';
    const r = this.refusal(req.epoch, key, role);
    if (r) return reply({ type: 'fail', error: r, config: this.config });
    this.coordinated++;
    // Without epoch fencing (stale-ring), a shard takes the router's word for who owns the key.
    const owners = this.behaviour.epochFencing ? this.owners(this.config!.members, key) : (req.owners ?? [this.ctx.id]);
    if (op.f === 'read') return this.read(req.epoch, key, owners, reply);
    this.enqueue(key, (next) => this.write(req.epoch, key, owners, op, (body) => (reply(body), next())));
  }

  private read(epoch: number, key: string, owners: readonly string[], reply: (body: Record<string, unknown>) => void): void {
    this.round(owners, { kind: 'get', epoch, key }, (got) => {
      if (!('ok' in got)) return reply(failed(got));
      const copies = got.ok.map((r) => r.stored as Stored);
      const newest = copies.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
      // ABD's write-back: once this read returns the newest value, a majority holds it, so no later read misses it.
      if (copies.every((c) => compareVersions(c.version, newest.version) === 0)) return reply({ type: 'ok', value: newest.value });
      this.round(owners, { kind: 'put', epoch, key, stored: newest }, (put) => {
        reply('ok' in put ? { type: 'ok', value: newest.value } : { type: 'fail', error: 'write-back failed' });
      });
    });
  }

  private write(epoch: number, key: string, owners: readonly string[], op: ClientOp, reply: (body: Record<string, unknown>) => void): void {
    this.round(owners, { kind: 'get', epoch, key }, (got) => {
      if (!('ok' in got)) return reply(failed(got));
      const newest = got.ok.map((r) => r.stored as Stored).reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
      let value = op.value;
      if (op.f === 'cas') {
        const [expected, next] = op.value as [unknown, unknown];
        if (newest.value !== expected) return reply({ type: 'fail', value: op.value, error: 'cas mismatch' });
        value = next;
      }
      const stored: Stored = { version: [newest.version[0] + 1, this.ctx.id], value };
      this.round(owners, { kind: 'put', epoch, key, stored }, (put) => {
        // Some owners may hold it already: the write's outcome is unknown unless a majority acknowledged it.
        reply('ok' in put ? { type: 'ok', value: op.value } : { type: 'info', error: 'timeout' in put ? 'no majority acknowledged' : put.refused });
      });
    });
  }

  /** Runs a key's writes one after another (`next` starts the following one). */
  private enqueue(key: string, run: (next: () => void) => void): void {
    let q = this.writeQueues.get(key);
    const start = () => run(() => {
      const rest = this.writeQueues.get(key)!;
      rest.shift();
      if (rest.length > 0) rest[0]();
      else this.writeQueues.delete(key);
    });
    if (!q) {
      q = [];
      this.writeQueues.set(key, q);
    }
    q.push(start);
    if (q.length === 1) start();
  }
}

/** A first phase that did not reach a majority: nothing happened, and the router may try again. */
function failed(o: Exclude<QuorumOutcome, { ok: ReplicaReply[] }>): Record<string, unknown> {
  return 'refused' in o ? { type: 'fail', error: o.refused, config: o.reply.config } : { type: 'fail', error: 'unavailable' };
}

export function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
