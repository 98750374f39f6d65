import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import type { Op } from '../../checkers/history/op.js';
import { builtinCheckers } from '../../harness/builtins.js';
import {
  collectFlag,
  formatFaultList,
  loadDefinition,
  mergeDefinition,
  parseDefinition,
  parseFaultList,
  replayArgs,
  RUN_FLAGS,
  type CliFlags,
  type Fault,
  type TestDefinition,
} from '../../harness/config/index.js';
import { madeAs } from '../../harness/config/vocabulary.js';
import { isUserError } from '../../harness/errors.js';
import { LATENCY, Nemesis, type Aiming, type Grudge } from '../../harness/nemesis/index.js';

import { Registry } from '../../harness/registry.js';
import { Rng } from '../../harness/rng.js';
import { runTest } from '../../harness/run.js';
import type { ClientFaults, Clock, Faults } from '../../harness/runtime.js';
import { RUNTIME_FAULTS } from '../../harness/runtimes/capabilities.js';
import type { SimTarget } from '../../harness/runtimes/sim/target.js';
import type { OpInput } from '../../harness/store/index.js';
import { builtinTargets } from '../../targets/index.js';
import { primaryBackup } from '../../targets/primary-backup/sim.js';
import { redis } from '../../targets/redis/docker.js';
import { builtinWorkloads } from '../../workloads/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-roles-'));

/**
 * A test-only target: primary-backup with roles over its nodes (the head, n1, and the tail, the rest), computed from
 * the node ids as a target whose nodes follow --nodes would; kills aim at the tail unless the test says otherwise.
 */
const pbRoles: SimTarget = {
  ...primaryBackup,
  name: 'pb-roles',
  roles: (nodes) => ({ head: nodes.slice(0, 1), tail: nodes.slice(1) }),
  aims: { kill: 'tail', partition: 'head' },
};
/** A Docker target that declares its nodes never talk among themselves (no container is started here). */
const peerlessRedis = { ...redis, name: 'peerless-redis', peerless: true as const, roles: () => ({ store: ['n1'] }) };
const registry = new Registry([builtinCheckers, builtinTargets, builtinWorkloads, { name: 'roles-test', simTargets: [pbRoles], dockerTargets: [peerlessRedis] }]);
const definitions = registry.definitions();

function refused(fields: Record<string, unknown>, re: RegExp): void {
  assert.throws(
    () => parseDefinition(fields, definitions),
    (e: unknown) => {
      assert.ok(isUserError(e), String(e));
      assert.equal(e.exitCode, 254);
      assert.ok(!e.message.includes('\n'), e.message);
      assert.match(e.message, re);
      return true;
    },
  );
}

/** `faultline run`'s flags as commander reads them, from RUN_FLAGS (the CLI's own declaration). */
function parseRunArgs(argv: string[]): CliFlags {
  const cmd = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  for (const f of RUN_FLAGS) {
    if (f.repeatable) cmd.option(`${f.flag} ${f.arg}`, f.description, collectFlag);
    else cmd.option(`${f.flag} ${f.arg}`, f.description);
  }
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

const replayed = (def: TestDefinition) => mergeDefinition(undefined, parseRunArgs(replayArgs(def)), definitions);

describe('role targets, default aims and peerless targets', () => {
  describe('parsing', () => {
    it('reads a word that is not a built-in target as a role, and writes it back as the word', () => {
      const faults = parseFaultList('client-latency:db,kill:cache,partition:cache,pause:db+latency:primary');
      assert.deepEqual(faults, [
        { kind: 'client-latency', target: { role: 'db' } },
        { kind: 'kill', target: { role: 'cache' } },
        { kind: 'partition', target: { role: 'cache' } },
        { together: [{ kind: 'pause', target: { role: 'db' } }, { kind: 'latency', target: 'primary' }] },
      ]);
      assert.equal(formatFaultList(faults as Fault[]), 'client-latency:db,kill:cache,partition:cache,pause:db+latency:primary');
    });

    it('takes a role in a file as the word or as {role}, and refuses one where a fault aims at no nodes', async () => {
      const a = parseDefinition({ nemesis: [{ kind: 'latency', target: 'db' }, { kind: 'kill', target: { role: 'cache' } }] });
      assert.deepEqual(a.nemesis.faults, [{ kind: 'latency', target: { role: 'db' } }, { kind: 'kill', target: { role: 'cache' } }]);
      // The stored definition (results.json holds {role}) reads back the same.
      assert.deepEqual(parseDefinition(JSON.parse(JSON.stringify(a))).nemesis, a.nemesis);
      assert.deepEqual(parseFaultList('pause-client:db'), { index: 0, message: "target 'db' names nodes; fault 'pause-client' stalls processes (targets: random, all; none: one in its critical section)" });
      assert.deepEqual(parseFaultList('membership:db'), { index: 0, message: "target 'db' names nodes; fault 'membership' is a join or a leave (targets: join, leave; none: either)" });
      assert.match(String((parseFaultList('kill:a b') as { message: string }).message), /^unknown target 'a b' for fault 'kill' \(known: primary, .*, or a role of the target\)$/);
      const file = join(tmp, 'roles.yaml');
      (await import('node:fs')).writeFileSync(file, 'target: pb-roles\nnemesis: [{kind: kill, target: tail}, "partition:head"]\n');
      const fromFile = mergeDefinition(await loadDefinition(file), {}, definitions);
      assert.deepEqual(fromFile.nemesis.faults, [{ kind: 'kill', target: { role: 'tail' } }, { kind: 'partition', target: { role: 'head' } }]);
    });

    it('replays a role target exactly', () => {
      const def = parseDefinition({ target: 'pb-roles', nemesis: 'kill:tail,partition:head+pause:tail,latency', seed: 7 }, definitions);
      assert.ok(replayArgs(def).includes('kill:tail,partition:head+pause:tail,latency'), replayArgs(def).join(' '));
      assert.deepEqual(replayed(def), def);
      const docker = parseDefinition({ runtime: 'docker', target: 'peerless-redis', nemesis: 'latency:store,partition', seed: 7 }, definitions);
      assert.deepEqual(replayed(docker), docker);
    });
  });

  describe('the registry', () => {
    it('refuses an unknown role, naming the known ones, and a role on a target without roles, in one line (exit 254)', () => {
      refused({ target: 'pb-roles', nemesis: 'kill:middle' }, /^nemesis: unknown target 'middle' for fault 'kill' \(known: primary, random, .*, leave; the roles of target 'pb-roles': head, tail\)$/);
      refused({ target: 'primary-backup', nemesis: 'partition:db' }, /^nemesis: unknown target 'db' for fault 'partition' \(known: .*; target 'primary-backup' names no roles\)$/);
      refused({ target: 'primary-backup', nemesis: { faults: [{ kind: 'kill', target: 'majorty' }] } }, /unknown target 'majorty' for fault 'kill'/);
      assert.deepEqual(parseDefinition({ target: 'pb-roles', nemesis: 'kill:tail' }, definitions).nemesis.faults, [{ kind: 'kill', target: { role: 'tail' } }]);
    });

    it('refuses a target whose roles or aims a fault could not use, at registration', () => {
      const bad = (t: Partial<SimTarget>) => () => new Registry([{ name: 'mine', simTargets: [{ ...pbRoles, name: 'bad', ...t }] }]);
      assert.throws(bad({ roles: () => ({ primary: ['n1'] }) }), /plugin mine: target 'bad' names a role 'primary', which a fault could not aim at/);
      assert.throws(bad({ aims: { kill: 'nobody' } }), /plugin mine: target 'bad' aims fault 'kill' at "nobody", which is not one of its roles \(head, tail\)/);
      assert.throws(bad({ aims: { 'pause-client': 'head' } }), /plugin mine: target 'bad' aims fault 'pause-client', which does not aim at nodes/);
    });

    it('accepts latency on Docker for a peerless target (the proxy makes it) and refuses it for any other', () => {
      assert.deepEqual(parseDefinition({ runtime: 'docker', target: 'peerless-redis', nemesis: 'latency,loss:store,partition' }, definitions).nemesis.faults.length, 3);
      refused({ runtime: 'docker', target: 'redis', nemesis: 'latency' }, /^nemesis: the docker runtime cannot inflict 'latency' \(it can: /);
      // A partition of a peerless target cuts nodes off from the clients: the shapes of links between nodes mean nothing.
      refused({ runtime: 'docker', target: 'peerless-redis', nemesis: 'partition:ring' }, /^nemesis: target 'peerless-redis' is peerless .*'ring' is a shape of the links between nodes/);
      // What the run asks the runtime for, and so whether it puts the proxy in front: the proxy's fault on Docker and
      // external, the fault itself in the simulation and for a target that is not peerless.
      assert.equal(madeAs('latency', true, RUNTIME_FAULTS.docker), 'client-latency');
      assert.equal(madeAs('partition', true, RUNTIME_FAULTS.external), 'client-partition');
      assert.equal(madeAs('latency', true, RUNTIME_FAULTS.sim), 'latency');
      assert.equal(madeAs('latency', false, RUNTIME_FAULTS.docker), 'latency');
      assert.equal(madeAs('kill', true, RUNTIME_FAULTS.docker), 'kill');
    });
  });

  describe('the nemesis', () => {
    /** A virtual clock the test drives, and a fake runtime's faults that record every call. */
    function rig(nodes: string[], faultList: string, aiming: Aiming, withProxy = true) {
      let now = 0;
      const queue: { at: number; seq: number; fn: () => void }[] = [];
      let seq = 0;
      const clock: Clock = { now: () => now, at: (ms, fn) => void queue.push({ at: now + ms, seq: seq++, fn }) };
      const calls: [string, ...unknown[]][] = [];
      const call = (name: string) => (...args: unknown[]) => void calls.push([name, ...args]);
      const client: ClientFaults = { cut: call('client.cut'), delay: call('client.delay'), lose: call('client.lose'), throttle: call('client.throttle'), heal: call('client.heal') };
      const faults: Faults = {
        partition: call('partition'), heal: call('heal'), kill: call('kill'), restart: call('restart'),
        pause: call('pause'), resume: call('resume'), slow: call('slow'), lose: call('lose'),
        ...(withProxy && { client }),
      };
      const ops: OpInput[] = [];
      const list = parseFaultList(faultList);
      assert.ok(Array.isArray(list), JSON.stringify(list));
      const nemesis = new Nemesis({ nodes, faults }, clock, new Rng(1), (op) => ops.push(op), list, 1000, undefined, aiming);
      return {
        calls,
        ops,
        /** Runs `cycles` cycles of the schedule (each begins one fault and heals it). */
        run(cycles: number) {
          nemesis.start();
          const until = cycles * 1000;
          for (;;) {
            queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
            if (!queue.length || queue[0].at > until) break;
            const e = queue.shift()!;
            now = e.at;
            e.fn();
          }
        },
        /** The recorded values of the completions of the starts. */
        started: () => ops.filter((o, i) => o.f.startsWith('start-') && o.value !== null && ops[i - 1]?.f === o.f).map((o) => [o.f, o.value]),
      };
    }
    const cacheAside: Aiming = { roles: { cache: ['cache'], db: ['db'] }, aims: { latency: 'db', kill: 'cache', partition: 'cache' }, peerless: true };

    it('makes a peerless target\'s latency with the proxy (faults.client.delay), recorded as latency, via the proxy, at its default aim', () => {
      const r = rig(['cache', 'db'], 'latency', cacheAside);
      r.run(1);
      assert.deepEqual(r.calls, [['client.delay', ['db'], LATENCY], ['client.heal', ['db']]]);
      assert.deepEqual(r.started(), [['start-latency', { role: 'db', nodes: ['db'], ms: LATENCY, via: 'proxy' }]]);
      assert.deepEqual(r.ops.map((o) => o.f), ['start-latency', 'start-latency', 'stop-latency', 'stop-latency']);
    });

    it('cuts a peerless target\'s partitioned role off from the clients, and loses its packets at the proxy', () => {
      const r = rig(['cache', 'db'], 'partition,loss:cache', cacheAside);
      r.run(2);
      assert.deepEqual(r.calls.map((c) => c.slice(0, 2)), [['client.cut', ['cache']], ['client.heal', ['cache']], ['client.lose', ['cache']], ['client.heal', ['cache']]]);
      const [[, cut], [, lost]] = r.started() as [string, Record<string, unknown>][];
      assert.deepEqual({ ...cut, mode: undefined }, { role: 'cache', nodes: ['cache'], mode: undefined, via: 'proxy' });
      assert.deepEqual(lost, { role: 'cache', nodes: ['cache'], p: 0.3, via: 'proxy' });
    });

    it('leaves the faults of the nodes themselves to the runtime, and a peerless target\'s network faults too where there is no proxy', () => {
      const kill = rig(['cache', 'db'], 'kill,pause:db', cacheAside);
      kill.run(2);
      assert.deepEqual(kill.calls, [['kill', 'cache'], ['restart', 'cache'], ['pause', 'db'], ['resume', 'db']]);
      assert.deepEqual(kill.started(), [['start-kill', { role: 'cache', nodes: ['cache'] }], ['start-pause', { role: 'db', nodes: ['db'] }]]);
      // The simulation has no proxy: it makes the latency itself, between the node and everyone.
      const sim = rig(['cache', 'db'], 'latency', cacheAside, false);
      sim.run(1);
      assert.deepEqual(sim.calls, [['slow', ['db'], LATENCY], ['heal']]);
      // Not peerless: node-to-node latency, even where the proxy is in front.
      const peers = rig(['cache', 'db'], 'latency:db', { ...cacheAside, peerless: false });
      peers.run(1);
      assert.deepEqual(peers.calls, [['slow', ['db'], LATENCY], ['heal']]);
      assert.deepEqual(peers.started(), [['start-latency', { role: 'db', nodes: ['db'], ms: LATENCY }]]);
    });

    it('varies the aim of a kind the target names no default for, and never aims a peerless partition at a shape', () => {
      const r = rig(['a', 'b', 'c', 'd', 'e'], 'partition', { peerless: true });
      r.run(40);
      assert.equal(r.calls.filter(([c]) => c === 'client.cut').length, 40);
      assert.ok(r.calls.every(([c]) => c === 'client.cut' || c === 'client.heal'), JSON.stringify(r.calls));
    });
  });

  describe('a target\'s own workload', () => {
    it('is the one a test of it runs when the test names none; a workload named wins; others run register', () => {
      const cache = parseDefinition({ runtime: 'docker', target: 'cache-aside', nemesis: 'latency,pause' }, definitions);
      assert.equal(cache.workload, 'cache');
      assert.equal(cache.name, 'cache-aside-cache');
      // The replay line names it, so a replay never depends on the default.
      assert.ok(replayArgs(cache).join(' ').includes('--workload cache'), replayArgs(cache).join(' '));
      assert.equal(parseDefinition({ runtime: 'docker', target: 'redis' }, definitions).workload, 'register');
      assert.equal(parseDefinition({ target: 'pb-roles' }, definitions).workload, 'register');
      refused({ runtime: 'docker', target: 'cache-aside', workload: 'register' }, /^workload: target 'cache-aside' cannot run workload 'register': it has no 'cas' operation .*workloads that fit: cache\)$/);
    });

    it('must be a name when a plugin declares one', () => {
      assert.throws(
        () => new Registry([{ name: 'odd', dockerTargets: [{ ...redis, name: 'odd-redis', workload: 7 as never }] }]),
        (e: unknown) => isUserError(e) && /^plugin odd: target 'odd-redis' names its workload as 7: a workload's name, or absent$/.test(e.message),
      );
    });
  });

  describe('a simulated run', () => {
    const run = async (nemesis: string, name: string) => {
      const def = parseDefinition({ target: 'pb-roles', nemesis: { faults: nemesis, interval: 1 }, seed: 5, timeLimit: 6, store: join(tmp, name) }, definitions);
      return (await runTest(def, { registry })).history;
    };
    const startValues = (h: readonly Op[], f: string) => h.filter((o, i) => o.f === f && o.value !== null && h.slice(0, i).some((p) => p.f === f && p.value === null)).map((o) => o.value);

    it('aims a role target at exactly its nodes: a kill at the tail kills n2 and n3, a partition of the head cuts n1 off', async () => {
      const h = await run('kill:tail,partition:head', 'explicit');
      const kills = startValues(h, 'start-kill');
      const cuts = startValues(h, 'start-partition') as { role: string; grudge: Grudge }[];
      assert.ok(kills.length >= 2 && cuts.length >= 2, `${kills.length} kills, ${cuts.length} partitions`);
      for (const k of kills) assert.deepEqual(k, { role: 'tail', nodes: ['n2', 'n3'] });
      for (const c of cuts) assert.deepEqual(c, { role: 'head', grudge: { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] } });
    });

    it('uses the target\'s default aims when the spec names none, and varies the rest', async () => {
      const h = await run('kill,partition,pause', 'default');
      const kills = startValues(h, 'start-kill');
      const cuts = startValues(h, 'start-partition') as { role: string }[];
      const pauses = startValues(h, 'start-pause');
      assert.ok(kills.length >= 1 && cuts.length >= 1 && pauses.length >= 1, `${kills.length}, ${cuts.length}, ${pauses.length}`);
      for (const k of kills) assert.deepEqual(k, { role: 'tail', nodes: ['n2', 'n3'] });
      for (const c of cuts) assert.equal(c.role, 'head');
      for (const p of pauses) assert.ok(Array.isArray(p), `a varied pause names its nodes alone: ${JSON.stringify(p)}`);
    });
  });
});
