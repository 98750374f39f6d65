import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinCheckers, builtinRegistry } from '../../harness/builtins.js';
import { isUserError } from '../../harness/errors.js';
import { parseDefinition, parseFaultList, type Fault } from '../../harness/config/index.js';
import { Nemesis, chooseChange } from '../../harness/nemesis/index.js';
import { Registry } from '../../harness/registry.js';
import { Rng } from '../../harness/rng.js';
import { runTest } from '../../harness/run.js';
import type { MembershipFaults } from '../../harness/runtime.js';
import { MEMBERSHIP_RESEND_MS } from '../../harness/runtimes/sim/membership.js';
import { DockerFaults } from '../../harness/runtimes/docker/faults.js';
import { SimRuntime } from '../../harness/runtimes/sim/runtime.js';
import type { SimTarget } from '../../harness/runtimes/sim/target.js';
import type { OpInput } from '../../harness/store/index.js';
import type { NodeContext, NodeProgram } from '../../harness/node.js';
import { nemesisPairs } from '../../checkers/history/nemesis-pairs.js';
import { builtinTargets } from '../../targets/index.js';
import { requestClient } from '../../targets/kv-single/sim.js';
import { applyRegisterOp, REGISTER_OPERATIONS } from '../../targets/register-ops.js';
import { builtinWorkloads } from '../../workloads/index.js';

/** Every membership request a node applied, in order: what the system did, against what the history says was asked. */
let applied: { t: number; node: string; op: 'join' | 'leave' }[] = [];

/** The program of a node of the test target: whether it is a member now (from its durable storage). */
interface MemberNode extends NodeProgram {
  member(): boolean;
}

/**
 * A test-only target with membership: n1 holds a cas-register per key (a member for good: not a candidate), n2…nN
 * may join and leave; n1–n3 start as members and two must stay. A node keeps its member flag in durable storage and
 * answers the admin's request with `{ ok: true, rid }`.
 */
const membersKv: SimTarget = {
  name: 'members-kv',
  description: 'a register on n1, and nodes that join and leave (test only)',
  bugs: [],
  defaultNodes: 5,
  operations: [...REGISTER_OPERATIONS],
  membership: {
    initial: (nodes) => nodes.slice(0, 3),
    candidates: (nodes) => nodes.slice(1),
    minMembers: 2,
    request: (op, node) => ({ admin: op, node }),
  },
  nodeIds: (n) => Array.from({ length: n }, (_, i) => `n${i + 1}`),
  node: () => (ctx: NodeContext): MemberNode => {
    if (ctx.storage.get('member') === undefined) ctx.storage.put('member', ['n1', 'n2', 'n3'].includes(ctx.id));
    return {
      member: () => ctx.storage.get<boolean>('member') === true,
      receive(from, msg) {
        const m = msg as { rid: number; admin?: 'join' | 'leave'; node?: string; op?: never };
        if (m.admin !== undefined) {
          assert.equal(m.node, ctx.id, 'the request names the node it is sent to');
          ctx.storage.put('member', m.admin === 'join');
          applied.push({ t: ctx.now(), node: ctx.id, op: m.admin });
          return ctx.send(from, { ok: true, rid: m.rid });
        }
        const { op } = msg as { rid: number; op: Parameters<typeof applyRegisterOp>[1] };
        const key = `k:${String(op.key)}`;
        const r = applyRegisterOp(ctx.storage.get(key) ?? null, op);
        if (r.next !== undefined) ctx.storage.put(key, r.next);
        ctx.send(from, { rid: m.rid, ...r.completion });
      },
    };
  },
  client: (transport) => requestClient(transport, () => 'n1'),
};

const registry = new Registry([builtinCheckers, builtinTargets, builtinWorkloads, { name: 'membership-test', simTargets: [membersKv] }]);
const store = mkdtempSync(join(tmpdir(), 'faultline-membership-'));

type Change = { op: 'join' | 'leave'; node: string } | { op: 'none'; reason: string };

/** The membership ops of a history: each start's and stop's completion, in order. */
function membershipOps<T extends { process: string | number; f: string; value?: unknown; time: number }>(history: readonly T[]) {
  return nemesisPairs(history)
    .filter((p) => p.begin.f.endsWith('-membership'))
    .map((p) => ({ f: p.begin.f, begin: p.begin, value: p.complete!.value as Change & { undone?: false }, time: p.complete!.time }));
}

/**
 * The cluster driven by the nemesis alone, no clients: the runtime, the cluster and what the nemesis recorded (with
 * the virtual time in ms), run for `ms`.
 */
async function nemesisOnly(seed: number, faults: string, ms: number) {
  applied = [];
  const runtime = new SimRuntime(new Map([['members-kv', membersKv]]), { seed, trace: true });
  const cluster = await runtime.start('members-kv', { nodes: 5, seed });
  const history: (OpInput & { ms: number })[] = [];
  const list = parseFaultList(faults) as Fault[];
  const nemesis = new Nemesis(cluster, runtime, new Rng(seed), (op) => history.push({ ...op, ms: runtime.now() }), list, 1000);
  nemesis.start();
  runtime.net.runUntil(ms);
  const member = (n: string) => (runtime.net.programs().get(n) as MemberNode).member();
  return { runtime, cluster, history, nemesis, member };
}

/** Replays the asked changes from the initial members, checking each against the rules; the members at the end. */
function replayChanges(changes: readonly Change[], minMembers = 2): Set<string> {
  const members = new Set(['n1', 'n2', 'n3']);
  for (const c of changes) {
    if (c.op === 'join') {
      assert.ok(!members.has(c.node), `${c.node} joins: it was not a member (${[...members]})`);
      assert.notEqual(c.node, 'n1', 'n1 is no candidate');
      members.add(c.node);
    } else if (c.op === 'leave') {
      assert.ok(members.has(c.node), `${c.node} leaves: it was a member (${[...members]})`);
      assert.notEqual(c.node, 'n1', 'n1 is no candidate');
      assert.ok(members.size > minMembers, `a leave from ${members.size} members keeps ${minMembers}`);
      members.delete(c.node);
    }
  }
  return members;
}

describe('the membership nemesis', function () {
  this.timeout(120_000);

  it('records each change as a start/stop pair with {op, node}; the stop undoes nothing and the node stays changed', async () => {
    const def = parseDefinition({ target: 'members-kv', nodes: 5, seed: 7, timeLimit: 12, store, nemesis: { faults: 'membership', interval: 1 } }, registry.definitions());
    const r = await runTest(def, { registry });
    assert.equal(r.valid, true);
    const ops = membershipOps(r.history);
    const starts = ops.filter((o) => o.f === 'start-membership');
    const stops = ops.filter((o) => o.f === 'stop-membership');
    assert.ok(starts.length >= 10, `${starts.length} changes`);
    assert.equal(stops.length, starts.length, 'every start has its stop');
    starts.forEach((s, i) => {
      assert.equal(s.begin.value, null, 'begun with no value, as every fault');
      assert.deepEqual(stops[i].value, { ...s.value, undone: false }, 'the stop names the change and undid nothing');
    });
    const changes = starts.map((s) => s.value);
    assert.ok(changes.some((c) => c.op === 'join') && changes.some((c) => c.op === 'leave'), 'both joins and leaves');
    const members = replayChanges(changes);
    // What the nodes did: exactly the changes asked, each once, in order, and nothing at a stop (no undo).
    for (const n of ['n2', 'n3', 'n4', 'n5']) {
      const asked = changes.flatMap((c) => (c.op !== 'none' && c.node === n ? [c.op] : []));
      assert.deepEqual(dedupe(applied.filter((a) => a.node === n).map((a) => a.op)), asked, `${n} did what it was asked`);
    }
    for (const [i, s] of starts.entries()) {
      const c = s.value;
      if (c.op === 'none') continue;
      const stopMs = stops[i].time / 1e6;
      const next = starts.slice(i + 1).find((x) => x.value.op !== 'none' && (x.value as { node: string }).node === c.node);
      const until = next ? next.time / 1e6 : Infinity;
      const after = applied.filter((a) => a.node === c.node && a.t >= stopMs && a.t < until);
      assert.ok(after.every((a) => a.op === c.op), `${c.node} was not asked to undo its ${c.op} at the stop`);
    }
    const final = new Map(applied.map((a) => [a.node, a.op]));
    for (const n of ['n2', 'n3', 'n4', 'n5']) {
      assert.equal(members.has(n), final.get(n) === undefined ? ['n2', 'n3'].includes(n) : final.get(n) === 'join', `${n}'s membership at the end`);
    }
  });

  it('replays exactly per seed', async () => {
    const run = async () => {
      const def = parseDefinition({ target: 'members-kv', nodes: 5, seed: 21, timeLimit: 6, store, nemesis: { faults: 'membership,membership:leave+pause', interval: 1 } }, registry.definitions());
      const r = await runTest(def, { registry });
      return r.history.map(({ index, time, process, type, f, key, value, error }) => ({ index, time, process, type, f, key, value, error }));
    };
    const a = await run();
    const b = await run();
    assert.ok(membershipOps(a).length >= 4);
    assert.deepEqual(a, b);
  });

  it('joins only spares, leaves only members, never below minMembers; when one cannot be done, the other; when neither, says why', () => {
    const fake = (members: string[], candidates: string[], minMembers: number): MembershipFaults => ({
      members: () => members,
      candidates,
      minMembers,
      join: () => {},
      leave: () => {},
    });
    for (let seed = 1; seed <= 50; seed++) {
      const rng = new Rng(seed);
      const j = chooseChange(fake(['n1', 'n2'], ['n2', 'n3', 'n4'], 1), 'join', false, rng);
      assert.ok(j.op === 'join' && ['n3', 'n4'].includes(j.node), JSON.stringify(j));
      const l = chooseChange(fake(['n1', 'n2', 'n3'], ['n2', 'n3', 'n4'], 2), 'leave', false, rng);
      assert.ok(l.op === 'leave' && ['n2', 'n3'].includes(l.node), `${JSON.stringify(l)}: n1 is no candidate`);
      // No spare: a drawn join leaves instead; at minMembers a drawn leave joins instead.
      assert.equal(chooseChange(fake(['n2', 'n3'], ['n2', 'n3'], 1), 'join', true, rng).op, 'leave');
      assert.deepEqual(chooseChange(fake(['n2', 'n3'], ['n2', 'n3', 'n4'], 2), 'leave', true, rng), { op: 'join', node: 'n4' });
    }
    const rng = new Rng(1);
    assert.deepEqual(chooseChange(fake(['n2', 'n3'], ['n2', 'n3'], 2), 'join', true, rng), {
      op: 'none',
      reason: 'no spare to join (every one of 2 candidates is a member), and no member can leave (2 members, at least 2 must stay)',
    });
    assert.deepEqual(chooseChange(fake(['n2', 'n3'], ['n2', 'n3', 'n4'], 2), 'leave', false, rng), { op: 'none', reason: 'no member can leave (2 members, at least 2 must stay)' });
  });

  it('membership:leave down to minMembers, then records that nothing could be done, with no error', async () => {
    const { history } = await nemesisOnly(3, 'membership:leave', 4000);
    const starts = membershipOps(history.map((o) => ({ ...o, time: o.ms * 1e6 }))).filter((o) => o.f === 'start-membership');
    assert.equal(starts.length, 4);
    assert.equal(starts[0].value.op, 'leave');
    for (const s of starts.slice(1)) assert.deepEqual(s.value, { op: 'none', reason: 'no member can leave (2 members, at least 2 must stay)' });
    assert.ok(history.every((o) => o.error === undefined));
  });

  it('membership+partition heals the partition at the window\'s end and keeps the membership change', async () => {
    const { runtime, cluster, history, member } = await nemesisOnly(5, 'membership:join+partition:majority', 1400);
    // One cycle: both start at 0.5 s, both stop at 1 s; the join is asked of a spare outside or inside the cut.
    const ops = membershipOps(history.map((o) => ({ ...o, time: o.ms * 1e6 })));
    const [start, stop] = ops;
    assert.equal(start.value.op, 'join');
    const node = (start.value as { node: string }).node;
    assert.deepEqual(stop.value, { ...start.value, undone: false });
    const stopPartition = history.find((o) => o.f === 'stop-partition' && o.value !== null)!;
    assert.equal(stopPartition.ms, 1000);
    const heals = runtime.net.trace!.filter((e) => e.kind === 'fault' && e.fault === 'heal');
    assert.deepEqual(heals.map((e) => e.t), [1000], 'the partition healed at the window\'s end');
    assert.ok(member(node), `${node} joined and is still a member after the window`);
    assert.deepEqual(cluster.faults.membership!.members(), ['n1', 'n2', 'n3', node].sort());
    assert.deepEqual(dedupe(applied.filter((a) => a.node === node).map((a) => a.op)), ['join']);
  });

  it('a paused node hears the request once resumed: the admin asks again every 200 ms', async () => {
    applied = [];
    const runtime = new SimRuntime(new Map([['members-kv', membersKv]]), { seed: 2, trace: true });
    const cluster = await runtime.start('members-kv', { nodes: 5, seed: 2 });
    const m = cluster.faults.membership!;
    assert.deepEqual(m.members(), ['n1', 'n2', 'n3']);
    assert.deepEqual(m.candidates, ['n2', 'n3', 'n4', 'n5']);
    assert.equal(m.minMembers, 2);
    cluster.faults.pause('n4');
    m.join('n4');
    assert.deepEqual(m.members(), ['n1', 'n2', 'n3', 'n4'], 'members are what the harness asked, at once');
    runtime.net.runUntil(900);
    const member = () => (runtime.net.programs().get('n4') as MemberNode).member();
    assert.equal(member(), false, 'a paused node changes nothing');
    const sends = runtime.net.trace!.filter((e) => e.kind === 'send' && e.from === 'admin' && e.to === 'n4');
    assert.deepEqual(sends.map((e) => e.t), [0, 1, 2, 3, 4].map((i) => i * MEMBERSHIP_RESEND_MS), 'asked again every 200 ms');
    cluster.faults.resume('n4');
    runtime.net.runUntil(950);
    assert.equal(member(), true, 'joined once resumed');
    const asked = runtime.net.trace!.filter((e) => e.kind === 'send' && e.from === 'admin').length;
    runtime.net.runUntil(3000);
    assert.equal(runtime.net.trace!.filter((e) => e.kind === 'send' && e.from === 'admin').length, asked, 'answered: asked no more');
    // A kill delays a leave the same way; the run's stop ends the asking.
    cluster.faults.kill('n4');
    m.leave('n4');
    runtime.net.runUntil(3500);
    cluster.faults.restart('n4');
    runtime.net.runUntil(3800);
    assert.equal(member(), false, 'left once restarted (its flag was durable)');
    cluster.faults.kill('n5');
    m.join('n5');
    await cluster.stop();
    const before = runtime.net.trace!.filter((e) => e.kind === 'send' && e.from === 'admin').length;
    runtime.net.runUntil(6000);
    assert.equal(runtime.net.trace!.filter((e) => e.kind === 'send' && e.from === 'admin').length, before, 'the stopped run asks no more');
  });

  it('on a real runtime (Docker\'s faults over a session\'s membership), the completion waits for the change to be asked, and records why it could not be', async () => {
    const asked: string[] = [];
    const members = ['n1', 'n2'];
    const session: MembershipFaults = {
      members: () => members,
      candidates: ['n1', 'n2', 'n3'],
      minMembers: 1,
      join: (n) => new Promise((resolve) => setTimeout(() => (asked.push(`join ${n}`), members.push(n), resolve()), 5)),
      leave: (n) => Promise.reject(new Error(`${n} refused to leave\nsecond line`)),
    };
    const faults = new DockerFaults(new Map(), undefined, false, session);
    assert.equal(faults.membership, session);
    const history: OpInput[] = [];
    const t0 = Date.now();
    const clock = { now: () => Date.now() - t0, at: (ms: number, fn: () => void) => void setTimeout(fn, ms) };
    const nemesis = new Nemesis({ nodes: ['n1', 'n2', 'n3'], faults }, clock, new Rng(1), (op) => history.push(op), parseFaultList('membership:join,membership:leave') as Fault[], 20);
    nemesis.start();
    while (history.filter((o) => o.f === 'stop-membership').length < 4) await new Promise((r) => setTimeout(r, 5));
    await nemesis.stop();
    const done = history.filter((o) => o.value !== null);
    assert.deepEqual(done[0], { process: 'nemesis', type: 'info', f: 'start-membership', value: { op: 'join', node: 'n3' } });
    assert.deepEqual(asked, ['join n3'], 'recorded once the session had asked');
    const { node } = done[2].value as { node: string };
    assert.ok(members.includes(node));
    assert.deepEqual(done[2], { process: 'nemesis', type: 'info', f: 'start-membership', value: { op: 'leave', node }, error: `${node} refused to leave` }, 'the error, in one line');
    assert.deepEqual(done[3].value, { op: 'leave', node, undone: false });
  });

  it('is refused, in one line, for a target without membership, for targets not in it, and on the external runtime', () => {
    const refused = (fields: Record<string, unknown>, re: RegExp) =>
      assert.throws(
        () => parseDefinition(fields, registry.definitions()),
        (e: unknown) => isUserError(e) && !(e as Error).message.includes('\n') && re.test((e as Error).message),
      );
    refused({ target: 'kv-single', nemesis: 'membership' }, /^nemesis: target 'kv-single' cannot suffer fault 'membership': its nodes do not join and leave a membership \(targets that do: sharded-kv, members-kv\)$/);
    refused({ target: 'raft-kv', nemesis: 'partition,membership:join+kill' }, /^nemesis: target 'raft-kv' cannot suffer fault 'membership'/);
    refused({ runtime: 'docker', target: 'redis', nemesis: 'membership' }, /^nemesis: target 'redis' cannot suffer fault 'membership': .*\(targets that do: sharded-kv\)$/);
    refused(
      { runtime: 'external', nodes: ['127.0.0.1:6379'], target: 'redis', nemesis: 'membership' },
      /^nemesis: the external runtime cannot inflict 'membership' \(no fault method asks a system to change its membership; the sim and docker runtimes can\)$/,
    );
    refused({ target: 'members-kv', nemesis: 'membership:primary' }, /target 'primary' names nodes; fault 'membership' is a join or a leave \(targets: join, leave; none: either\)/);
    refused({ target: 'members-kv', nemesis: 'kill:join' }, /target 'join' is a membership change, not a target of fault 'kill'/);
    assert.deepEqual(parseDefinition({ target: 'members-kv', nemesis: 'membership:leave+partition' }, registry.definitions()).nemesis.faults, [
      { together: [{ kind: 'membership', target: 'leave' }, { kind: 'partition' }] },
    ]);
    assert.throws(
      () => new Registry([{ name: 'half', simTargets: [{ ...membersKv, name: 'half-kv', membership: true as never }] }]),
      /plugin half: target 'half-kv' declares membership, which the simulation needs as \{ initial, candidates, minMembers, request \}, got true$/,
    );
    assert.ok(builtinRegistry().faultsOf('sim').includes('membership'));
    assert.ok(builtinRegistry().faultsOf('docker').includes('membership'));
    assert.ok(!builtinRegistry().faultsOf('external').includes('membership'));
  });
});

/** Consecutive repeats folded: a request heard twice (asked again before the answer came) is one change. */
function dedupe(xs: readonly string[]): string[] {
  return xs.filter((x, i) => x !== xs[i - 1]);
}
