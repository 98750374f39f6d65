import assert from 'node:assert/strict';
import { parseDefinition } from '../../harness/config/index.js';
import { aimNodes, aimPartition, bridgeGrudge, completeGrudge, drops, ringGrudge, variedTarget, type Grudge } from '../../harness/nemesis/index.js';
import { Rng } from '../../harness/rng.js';
import { runTest } from '../../harness/run.js';
import { nemesisPairs } from '../../checkers/history/nemesis-pairs.js';
import type { Op } from '../../checkers/history/op.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const nodes = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
/** Who each node hears (itself included) under a grudge. */
const hears = (g: Grudge, ns: string[], n: string) => ns.filter((m) => m === n || !drops(g, m, n));
const symmetric = (g: Grudge, ns: string[]) => ns.every((a) => ns.every((b) => drops(g, a, b) === drops(g, b, a)));

describe('nemesis: partitions as grudges', () => {
  it('a complete grudge cuts every link between groups and none within', () => {
    const g = completeGrudge([['n1'], ['n2', 'n3']]);
    assert.deepEqual(g, { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
    assert.ok(!drops(g, 'n2', 'n3'));
  });

  it('a majorities ring: every node hears a majority, no two the same one (4 to 9 nodes)', () => {
    for (let n = 4; n <= 9; n++) {
      const ns = nodes(n);
      const g = ringGrudge(ns);
      assert.ok(symmetric(g, ns));
      const seen = ns.map((x) => hears(g, ns, x).join(' '));
      for (const s of seen) assert.ok(s.split(' ').length > n / 2, `${n} nodes: ${s} is a majority`);
      assert.ok(seen.some((s) => s.split(' ').length < n), `${n} nodes: something is cut`);
      assert.equal(new Set(seen).size, n, `${n} nodes: all different`);
    }
    assert.deepEqual(ringGrudge(nodes(3)), {}, 'no ring of majorities in 3 nodes');
  });

  it('a bridge: the two halves cannot talk, the bridge hears everyone', () => {
    const ns = nodes(5);
    const g = bridgeGrudge(ns, 'n3');
    assert.deepEqual(hears(g, ns, 'n3'), ns);
    assert.ok(symmetric(g, ns));
    const halves = ns.filter((n) => n !== 'n3').map((n) => hears(g, ns, n).length);
    assert.deepEqual(halves, [3, 3, 3, 3], 'each half plus the bridge: a majority on both sides');
  });
});

describe('nemesis: aiming', () => {
  const sight = (primaries: string[], seed = 1) => ({ nodes: nodes(5), primaries, rng: new Rng(seed) });

  it('each target names the nodes it says', () => {
    for (let seed = 1; seed <= 20; seed++) {
      assert.deepEqual(aimNodes('primary', sight(['n4'], seed)), ['n4']);
      assert.equal(aimNodes('minority', sight([], seed)).length, 2);
      assert.equal(aimNodes('majority', sight([], seed)).length, 3);
      const pm = aimNodes('primary-minority', sight(['n2'], seed));
      assert.equal(pm.length, 2);
      assert.equal(pm[0], 'n2');
      assert.deepEqual(aimNodes('all', sight([], seed)), nodes(5));
    }
  });

  it('a partition cuts the aimed nodes off; all isolates every node; bridge is centred on the primary', () => {
    const g = aimPartition('primary', sight(['n5']));
    assert.deepEqual(hears(g, nodes(5), 'n5'), ['n5']);
    const all = aimPartition('all', sight([]));
    for (const n of nodes(5)) assert.deepEqual(hears(all, nodes(5), n), [n]);
    const b = aimPartition('bridge', sight(['n2']));
    assert.deepEqual(hears(b, nodes(5), 'n2'), nodes(5));
  });

  it('varied targets come from the weighted list, and never a ring below 4 nodes', () => {
    const rng = new Rng(3);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) seen.add(variedTarget('partition', 3, rng));
    assert.deepEqual([...seen].sort(), ['bridge', 'majority', 'primary', 'primary-minority']);
    for (let i = 0; i < 500; i++) seen.add(variedTarget('partition', 5, rng));
    assert.ok(seen.has('ring'));
  });
});

describe('nemesis: faults started together', function () {
  this.timeout(60_000);
  const store = mkdtempSync(join(tmpdir(), 'faultline-nemesis-'));

  it('partition:bridge+crash-loop:primary crash-loops the node that bridges, and both are recorded and undone', async () => {
    const def = parseDefinition({ target: 'raft-kv', nodes: 5, seed: 4, timeLimit: 6, store, nemesis: { faults: 'partition:bridge+crash-loop:primary', interval: 2 } });
    const r = await runTest(def);
    assert.equal(r.valid, true);
    const pairs = nemesisPairs(r.history);
    for (const { begin, complete } of pairs) {
      // Jepsen's pair: begun with no value, completed under the same name with what was done, at the same instant
      // in the simulation; the set's members one after the other.
      assert.ok(complete, `${begin.f} completed`);
      assert.equal(complete.f, begin.f);
      assert.equal(begin.value, null);
      assert.notEqual(complete.value, null);
      assert.equal(complete.time, begin.time);
    }
    const nemesis = pairs.map((p) => p.complete!);
    const bridges = nemesis.filter((o) => o.f === 'start-partition');
    const loops = nemesis.filter((o) => o.f === 'start-crash-loop');
    assert.ok(bridges.length >= 2);
    assert.equal(loops.length, bridges.length);
    bridges.forEach((b, i) => {
      const grudge = b.value as Grudge;
      const [looped] = (loops[i].value as { nodes: string[] }).nodes;
      assert.ok(!(looped in grudge), `${looped} bridges: it drops nothing`);
      assert.equal(Object.keys(grudge).length, 4);
      assert.equal(loops[i].time, b.time, 'started at the same moment');
    });
    assert.equal(nemesis.filter((o) => o.f === 'stop-crash-loop').length, loops.length);
    assert.equal(nemesis.filter((o) => o.f === 'stop-partition').length, bridges.length);
  });
});

describe('nemesis: pause-client', () => {
  const store = mkdtempSync(join(tmpdir(), 'faultline-pause-'));
  const run = (faults: string) =>
    runTest(parseDefinition({ target: 'raft-kv', nodes: 3, seed: 11, timeLimit: 6, store, nemesis: { faults, interval: 2 } }));
  /** Client invocations by process, with their times (ns). */
  const invocations = (history: { process: unknown; type: string; time: number }[]) =>
    history.filter((o) => typeof o.process === 'number' && o.type === 'invoke') as { process: number; time: number }[];

  it('stalls the process it names: it invokes nothing while the fault is in force, and goes on after', async () => {
    const r = await run('pause-client');
    assert.equal(r.valid, true);
    const pairs = nemesisPairs(r.history).filter((p) => p.begin.f === 'start-pause-client');
    assert.ok(pairs.length >= 2, `${pairs.length} pauses`);
    const stops = nemesisPairs(r.history).filter((p) => p.begin.f === 'stop-pause-client');
    for (const [i, { complete }] of pairs.entries()) {
      const { processes } = complete!.value as { processes: number[] };
      assert.equal(processes.length, 1, 'one process, chosen at random (the register has no critical sections)');
      const from = complete!.time;
      const to = stops[i].begin.time;
      const during = invocations(r.history).filter((o) => o.process === processes[0] && o.time > from && o.time < to);
      assert.deepEqual(during, [], `process ${processes[0]} invoked nothing from ${from} to ${to}`);
      const others = invocations(r.history).filter((o) => o.process !== processes[0] && o.time > from && o.time < to);
      assert.ok(others.length > 10, 'the other processes went on');
    }
  });

  it('pause-client:all:duration=200ms stalls every process for 200 ms, not the whole window', async () => {
    const r = await run('pause-client:all:duration=200ms');
    const [first] = nemesisPairs(r.history).filter((p) => p.begin.f === 'start-pause-client');
    const v = first.complete!.value as { processes: number[]; ms: number };
    assert.equal(v.ms, 200);
    assert.ok(v.processes.length >= 5);
    const from = first.complete!.time;
    const inv = invocations(r.history);
    assert.deepEqual(inv.filter((o) => o.time > from && o.time < from + 200e6), [], 'nothing invoked for 200 ms');
    assert.ok(inv.some((o) => o.time >= from + 200e6 && o.time < from + 900e6), 'invocations again before the window ends');
  });

  it('refuses a target that names nodes, and a parameter it does not take, in one line', () => {
    assert.throws(() => parseDefinition({ nemesis: 'pause-client:primary' }), /target 'primary' names nodes; fault 'pause-client' stalls processes/);
    assert.throws(() => parseDefinition({ nemesis: 'pause-client:offset=1s' }), /fault 'pause-client' takes no parameter 'offset' \(known: duration\)/);
    assert.throws(() => parseDefinition({ nemesis: 'clock:offset=60' }), /offset must be a signed duration such as \+60s or -500ms, got "60"/);
    assert.deepEqual(parseDefinition({ nemesis: 'clock:primary:offset=-30s+pause-client' }).nemesis.faults, [
      { together: [{ kind: 'clock', target: 'primary', params: { offset: -30_000 } }, { kind: 'pause-client' }] },
    ]);
  });
});

describe('nemesis: crash-client', () => {
  const store = mkdtempSync(join(tmpdir(), 'faultline-crash-'));
  /** The processes each crash named (its start's completion), with when it was in force (ns). */
  const crashesOf = (history: { process: unknown; f: string; value: unknown; time: number }[]) =>
    nemesisPairs(history as never)
      .filter((p) => p.begin.f === 'start-crash-client')
      .map((p) => ({ at: p.complete!.time, ...(p.complete!.value as { processes: number[]; critical: boolean }) }));
  const opsOf = (history: readonly Op[], process: number) => history.filter((o) => o.process === process);

  it('a client without a crash hook: the harness crashes the process at its next op, recorded info at once, and the process invokes nothing more', async () => {
    const r = await runTest(parseDefinition({ target: 'raft-kv', nodes: 3, seed: 11, timeLimit: 6, store, nemesis: { faults: 'crash-client', interval: 2 } }));
    assert.equal(r.valid, true);
    const crashes = crashesOf(r.history);
    assert.ok(crashes.length >= 2, `${crashes.length} crashes`);
    for (const c of crashes) {
      assert.equal(c.processes.length, 1, 'one process, chosen at random (the register has no critical sections)');
      assert.equal(c.critical, false);
      const ops = opsOf(r.history, c.processes[0]);
      const crashed = ops.findIndex((o) => o.type === 'info' && o.error === 'crashed (crash-client)');
      assert.ok(crashed > 0, `process ${c.processes[0]} was crashed`);
      const invoke = ops[crashed - 1];
      assert.deepEqual([invoke.type, invoke.f, invoke.index + 1 === ops[crashed].index, invoke.time > c.at], ['invoke', ops[crashed].f, true, true], 'its next op, info at once');
      assert.equal(ops.length, crashed + 1, 'nothing after the crash');
      assert.ok(r.history.some((o) => typeof o.process === 'number' && o.process >= 5 && o.type === 'invoke'), 'a fresh process took over');
    }
  });

  it('crash-client:all crashes every running process; none of them invokes again', async () => {
    const r = await runTest(parseDefinition({ target: 'raft-kv', nodes: 3, seed: 12, timeLimit: 2, store, nemesis: { faults: 'crash-client:all', interval: 2 } }));
    const [c] = crashesOf(r.history);
    assert.deepEqual(c.processes, [0, 1, 2, 3, 4]);
    for (const p of c.processes) {
      const ops = opsOf(r.history, p);
      assert.equal(ops.at(-1)!.error, 'crashed (crash-client)', `process ${p} ends crashed`);
    }
  });

  it("a client with a crash hook (replicated-log): by default a group member, whose poll ends info mid-batch with what it read, and the process retires", async () => {
    const r = await runTest(parseDefinition({ target: 'replicated-log', workload: 'log', seed: 3, timeLimit: 6, store, nemesis: { faults: 'crash-client', interval: 2 } }));
    assert.equal(r.valid, true);
    const crashes = crashesOf(r.history);
    assert.equal(crashes.length, 3);
    for (const c of crashes) {
      assert.equal(c.critical, true, 'a member of the group was there to crash');
      const ops = opsOf(r.history, c.processes[0]);
      assert.ok(ops.some((o) => o.f === 'subscribe' && o.type === 'ok'), 'a member of the group');
      const last = ops.at(-1)!;
      assert.deepEqual([last.type, last.f], ['info', 'poll'], 'its last op is the poll it died in');
      assert.match(String(last.error), /^crashed mid-batch: read \d+ entries of partition \d+, committed none$/);
      assert.ok(Array.isArray(last.unacked) && last.unacked.length > 0, 'what it read is named');
      assert.ok(last.time > c.at);
    }
  });

  it('accepts crash-client with no target, random or all, and refuses a target that names nodes or a parameter, in one line', () => {
    for (const [spec, target] of [['crash-client', undefined], ['crash-client:random', 'random'], ['crash-client:all', 'all']] as const) {
      assert.deepEqual(parseDefinition({ nemesis: spec }).nemesis.faults, [{ kind: 'crash-client', ...(target && { target }) }]);
    }
    assert.throws(() => parseDefinition({ nemesis: 'crash-client:primary' }), /^\w*Error: nemesis: target 'primary' names nodes; fault 'crash-client' crashes processes \(targets: random, all; none: a consumer in the middle of a batch\)$/);
    assert.throws(() => parseDefinition({ nemesis: 'crash-client:db' }), /target 'db' names nodes; fault 'crash-client' crashes processes/);
    assert.throws(() => parseDefinition({ nemesis: 'crash-client:duration=1s' }), /fault 'crash-client' takes no parameter 'duration'/);
  });
});
