import assert from 'node:assert/strict';
import {
  definitionWarnings,
  DEFAULTS,
  formatFaultList,
  MAX_SEED,
  mergeDefinition,
  nodeNames,
  parseDefinition,
  parseFaultList,
  type FaultSet,
  type TestDefinition,
} from '../../../harness/config/index.js';
import { registry, throwsInputError } from './helpers.js';

describe('config: the test definition', () => {
  describe('defaults', () => {
    it('make an empty definition a runnable demo: sim, 3 nodes, 5 clients, 10 s, partitions every 5 s, store/', () => {
      const def = parseDefinition({}, registry);
      const { seed, ...rest } = def;
      assert.deepEqual(rest, {
        name: 'primary-backup-register',
        target: 'primary-backup',
        workload: 'register',
        runtime: 'sim',
        nodes: 3,
        concurrency: 5,
        timeLimit: 10,
        nemesis: { faults: [{ kind: 'partition' }], interval: 5 },
        store: 'store',
        options: {},
      });
      assert.ok(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED, `seed ${seed}`);
    });

    it('leave rate and bug out (unlimited, correct mode) rather than set to undefined', () => {
      const def = parseDefinition({});
      assert.ok(!('rate' in def) && !('bug' in def), JSON.stringify(def));
    });

    it('are the same through mergeDefinition with no file and no flags', () => {
      const a = mergeDefinition(undefined, {}, registry);
      const b = parseDefinition({ seed: a.seed }, registry);
      assert.deepEqual(a, b);
    });

    it('do not share state between definitions (mutating one leaves the next intact)', () => {
      const a = parseDefinition({});
      a.nemesis.faults.push({ kind: 'kill' });
      a.options.x = 1;
      const b = parseDefinition({});
      assert.deepEqual(b.nemesis.faults, DEFAULTS.nemesis.faults);
      assert.deepEqual(b.options, {});
    });

    it('name a test after target, workload and bug when it has no name', () => {
      assert.equal(parseDefinition({ target: 'kv-single' }).name, 'kv-single-register');
      assert.equal(parseDefinition({ bug: 'lost-failover' }).name, 'primary-backup-register-lost-failover');
      assert.equal(parseDefinition({ name: 'mine', bug: 'lost-failover' }).name, 'mine');
    });
  });

  describe('the seed', () => {
    it('is drawn at random when absent, and recorded in the definition', () => {
      const seeds = new Set(Array.from({ length: 8 }, () => parseDefinition({}).seed));
      assert.ok(seeds.size > 1, 'eight unseeded definitions drew the same seed');
      for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s <= MAX_SEED);
    });

    it('is kept when given, 0 and the largest 32-bit one included', () => {
      assert.equal(parseDefinition({ seed: 0 }).seed, 0);
      assert.equal(parseDefinition({ seed: MAX_SEED }).seed, MAX_SEED);
    });

    it('must be a 32-bit unsigned integer (the PRNG folds to 32 bits; larger seeds would alias)', () => {
      throwsInputError(() => parseDefinition({ seed: -1 }), /^seed: expected an integer from 0 to 4294967295, got -1$/);
      throwsInputError(() => parseDefinition({ seed: MAX_SEED + 1 }), /^seed: .*got 4294967296$/);
      throwsInputError(() => parseDefinition({ seed: 1.5 }), /^seed: .*got 1\.5$/);
      throwsInputError(() => parseDefinition({ seed: '12' }), /^seed: .*got "12"$/);
    });
  });

  describe('fields', () => {
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['concurrency 0', { concurrency: 0 }, /^concurrency: expected a positive integer, got 0$/],
      ['concurrency 2.5', { concurrency: 2.5 }, /^concurrency: expected a positive integer, got 2\.5$/],
      ['timeLimit negative', { timeLimit: -1 }, /^timeLimit: expected a positive number of seconds, got -1$/],
      ['rate 0', { rate: 0 }, /^rate: expected a positive number of ops per second, got 0$/],
      ['runtime unknown', { runtime: 'k8s' }, /^runtime: expected one of sim, docker, external, got "k8s"$/],
      ['runtime external without addresses', { runtime: 'external' }, /^nodes: the external runtime needs each node's address, e.g\. --nodes 10\.0\.0\.1:6379$/],
      ['node addresses on the sim runtime', { nodes: ['db1', '10.0.0.2:6379'] }, /^nodes\[1\]: the sim runtime starts its own nodes: give a count or names, not addresses \(those are for --runtime external\), got "10\.0\.0\.2:6379"$/],
      ['nodes 0', { nodes: 0 }, /^nodes: expected a positive node count or a list of node names, got 0$/],
      ['nodes empty list', { nodes: [] }, /^nodes: expected a node count or a non-empty list of node names, got a list$/],
      ['node name with a comma', { nodes: ['a', 'b,c'] }, /^nodes\[1\]: expected a node name or address without spaces or commas, got "b,c"$/],
      ['a node named like a count', { nodes: ['7'] }, /^nodes\[0\]: a node name may not be a number \(it would read as a node count\), got "7"$/],
      ['node twice', { nodes: ['a', 'b', 'a'] }, /^nodes\[2\]: node 'a' is listed twice$/],
      ['name with a slash', { name: '../etc' }, /^name: expected a name of letters, digits, \., _ and -, got "\.\.\/etc"$/],
      ['target with a space', { target: 'kv single' }, /^target: expected a target name \(letters, digits, \., _ and -\), got "kv single"$/],
      ['empty workload', { workload: '' }, /^workload: expected a workload name .*got ""$/],
      ['store empty', { store: '' }, /^store: expected a directory path, got ""$/],
      ['options a list', { options: [1] }, /^options: expected a mapping of target and workload options, got a list$/],
      ['options that JSON cannot hold', { options: { a: [1, { b: Infinity }] } }, /^options\.a\[1\]\.b: expected JSON data .*got Infinity$/],
      ['unknown field', { concurency: 3 }, /^concurency: unknown field \(did you mean concurrency\?\) \(known: name, target, .*options, plugins\)$/],
      ['interval 0', { nemesis: { interval: 0 } }, /^nemesis\.interval: expected a positive number of seconds, got 0$/],
      ['unknown nemesis field', { nemesis: { every: 3 } }, /^nemesis\.every: unknown field \(known: faults, interval\)$/],
      // Bounds: past them a run aborts V8, runs for minutes before its first op, or never ends.
      ['concurrency 1e9', { concurrency: 1e9 }, /^concurrency: expected at most 10000 client processes, got 1000000000$/],
      ['nodes 1000', { nodes: 1000 }, /^nodes: expected at most 64 nodes \(the harness starts each one\), got 1000$/],
      ['65 node names on sim', { nodes: Array.from({ length: 65 }, (_, i) => `m${i}`) }, /^nodes: expected at most 64 nodes for the sim runtime, got 65$/],
      ['timeLimit 1e20', { timeLimit: 1e20 }, /^timeLimit: expected at most 86400 seconds \(a day\), got 100000000000000000000$/],
      ['rate 1e20', { rate: 1e20 }, /^rate: expected at most 1000000 ops per second .*got 100000000000000000000$/],
      ['interval 1e-9', { nemesis: { interval: 1e-9 } }, /^nemesis\.interval: expected at least 0\.1 seconds .*got 1e-9$/],
      ['interval 1e9', { nemesis: { interval: 1e9 } }, /^nemesis\.interval: expected at most 86400 seconds \(a day\), got 1000000000$/],
    ];
    for (const [what, input, pattern] of bad) {
      it(`refuses ${what} with one line naming the field`, () => throwsInputError(() => parseDefinition(input), pattern));
    }

    it('counts the other problems without listing them', () => {
      throwsInputError(() => parseDefinition({ concurrency: 0, timeLimit: 0, rate: 0 }), /^concurrency: .* \(and 2 more problems\)$/);
    });

    it('refuses what is not a mapping', () => {
      throwsInputError(() => parseDefinition([1]), /^expected a mapping of test definition fields, got a list$/);
      throwsInputError(() => parseDefinition('kv-single'), /^expected a mapping .*got "kv-single"$/);
    });

    it('accepts the bounds themselves', () => {
      const def = parseDefinition({ concurrency: 10_000, nodes: 64, timeLimit: 86_400, rate: 1_000_000, nemesis: { interval: 0.1 } });
      assert.deepEqual([def.concurrency, def.nodes, def.timeLimit, def.rate, def.nemesis.interval], [10_000, 64, 86_400, 1_000_000, 0.1]);
      // An external cluster is the user's: its size is what it is.
      const many = Array.from({ length: 65 }, (_, i) => `10.0.${i >> 8}.${i & 255}:6379`);
      assert.equal((parseDefinition({ runtime: 'external', nodes: many }).nodes as unknown[]).length, 65);
    });

    it('warns of a nemesis interval under which no fault begins, and only then', () => {
      const warned = definitionWarnings(parseDefinition({ timeLimit: 2, nemesis: { faults: 'partition', interval: 5 } }));
      assert.equal(warned.length, 1);
      assert.match(warned[0], /^no fault will begin: the nemesis waits half an interval \(2\.5 s\) before its first fault, and the time limit is 2 s/);
      assert.deepEqual(definitionWarnings(parseDefinition({ timeLimit: 2, nemesis: { faults: 'partition', interval: 3.9 } })), []);
      assert.deepEqual(definitionWarnings(parseDefinition({ timeLimit: 2, nemesis: { faults: 'none', interval: 60 } })), [], 'no faults asked for');
    });

    it('accepts fractional seconds and rates', () => {
      const def = parseDefinition({ timeLimit: 0.5, rate: 12.5, nemesis: { interval: 0.25 } });
      assert.equal(def.timeLimit, 0.5);
      assert.equal(def.rate, 12.5);
      assert.equal(def.nemesis.interval, 0.25);
    });

    it('gives node ids n1…nN for a count, and the names themselves for a list', () => {
      assert.deepEqual(nodeNames(parseDefinition({ nodes: 3 })), ['n1', 'n2', 'n3']);
      assert.deepEqual(nodeNames(parseDefinition({ nodes: ['db-1', 'db-2'] })), ['db-1', 'db-2']);
      assert.deepEqual(nodeNames(parseDefinition({ runtime: 'external', nodes: ['10.0.0.1:1', 'db=10.0.0.2:1', { host: 'h' }] })), ['n1', 'db', 'n3']);
    });
  });

  describe('the registries', () => {
    it('an unknown target lists the known ones', () => {
      throwsInputError(() => parseDefinition({ target: 'etcd' }, registry), /^target: unknown target 'etcd' \(known: kv-single, primary-backup\)$/);
    });

    it('an unknown workload lists the known ones', () => {
      throwsInputError(() => parseDefinition({ workload: 'bank' }, registry), /^workload: unknown workload 'bank' \(known: register\)$/);
    });

    it("an unknown bug lists the target's bugs (or says it has none)", () => {
      throwsInputError(
        () => parseDefinition({ bug: 'split-brain' }, registry),
        /^bug: unknown bug 'split-brain' \(known: async-replication, lost-failover\) of target 'primary-backup'$/,
      );
      throwsInputError(() => parseDefinition({ target: 'kv-single', bug: 'x' }, registry), /^bug: unknown bug 'x' \(known: none\) of target 'kv-single'$/);
      assert.equal(parseDefinition({ bug: 'lost-failover' }, registry).bug, 'lost-failover');
    });

    it('without a registry, any target and workload name passes (the harness checks later)', () => {
      const def = parseDefinition({ target: 'etcd', workload: 'bank', bug: 'anything' });
      assert.equal(def.target, 'etcd');
    });

    it("a target's own cluster size is the default node count; a given count wins", () => {
      const sized = { ...registry, knownTargets: [...registry.knownTargets, 'raft'], defaultNodes: (t: string) => (t === 'raft' ? 5 : undefined) };
      assert.equal(parseDefinition({ target: 'raft' }, sized).nodes, 5);
      assert.equal(parseDefinition({ target: 'raft', nodes: 3 }, sized).nodes, 3);
      assert.equal(parseDefinition({ target: 'kv-single' }, sized).nodes, 3);
    });

    it('an empty registry says so', () => {
      throwsInputError(() => parseDefinition({}, { knownTargets: [], knownWorkloads: [] }), /^target: unknown target 'primary-backup' \(known: none\)/);
    });
  });

  describe('the nemesis schedule', () => {
    it('parses a comma list into faults, with optional targeting', () => {
      assert.deepEqual(parseFaultList('partition,kill,pause'), [{ kind: 'partition' }, { kind: 'kill' }, { kind: 'pause' }]);
      assert.deepEqual(parseFaultList(' partition:majority , kill:primary,latency,loss:minority '), [
        { kind: 'partition', target: 'majority' },
        { kind: 'kill', target: 'primary' },
        { kind: 'latency' },
        { kind: 'loss', target: 'minority' },
      ]);
    });

    it('a + joins faults started together, in the string and the mapping forms', () => {
      const set: FaultSet = { together: [{ kind: 'partition', target: 'bridge' }, { kind: 'latency', target: 'primary' }, { kind: 'crash-loop', target: 'primary' }] };
      assert.deepEqual(parseFaultList('partition:bridge+latency:primary+crash-loop:primary,kill'), [set, { kind: 'kill' }]);
      assert.deepEqual(parseDefinition({ nemesis: [set, 'kill'] }).nemesis.faults, [set, { kind: 'kill' }]);
      assert.deepEqual(parseDefinition({ nemesis: [{ together: ['partition:bridge', { kind: 'latency', target: 'primary' }, 'crash-loop:primary'] }] }).nemesis.faults, [set]);
      assert.equal(formatFaultList([set, { kind: 'kill' }]), 'partition:bridge+latency:primary+crash-loop:primary,kill');
      assert.deepEqual(parseFaultList('pause+pause:primary'), { index: 0, message: "fault 'pause' appears twice in one set of faults started together" });
      throwsInputError(() => parseDefinition({ nemesis: 'kill+meteor' }), /^nemesis: unknown fault 'meteor'/);
      throwsInputError(() => parseDefinition({ nemesis: [{ together: 'kill' }] }), /^nemesis\[0\]: expected 'together' to list faults, got "kill"$/);
    });

    it('none (or nothing) is no faults', () => {
      assert.deepEqual(parseFaultList('none'), []);
      assert.deepEqual(parseFaultList(''), []);
      assert.deepEqual(parseDefinition({ nemesis: 'none' }).nemesis, { faults: [], interval: 5 });
      assert.deepEqual(parseDefinition({ nemesis: [] }).nemesis.faults, []);
    });

    it('an unknown kind is named, with the known kinds', () => {
      assert.deepEqual(parseFaultList('partition,meteor'), { index: 1, message: "unknown fault 'meteor' (known: partition, kill, pause, latency, loss, crash-loop, client-partition, client-latency, client-loss, client-slow, pause-client, crash-client, clock, membership)" });
      throwsInputError(() => parseDefinition({ nemesis: ['kill', 'meteor'] }), /^nemesis\[1\]: unknown fault 'meteor' \(known: partition, kill, pause, latency, loss, crash-loop, client-partition, client-latency, client-loss, client-slow, pause-client, crash-client, clock, membership\)$/);
    });

    it('an unknown targeting is named, with the known ones (a word not built in is a role, checked against the target\'s)', () => {
      throwsInputError(
        () => parseDefinition({ nemesis: 'kill:everyone' }, registry),
        /^nemesis: unknown target 'everyone' for fault 'kill' \(known: primary, random, minority, majority, primary-minority, all, ring, bridge, join, leave; target 'primary-backup' names no roles\)$/,
      );
      throwsInputError(() => parseDefinition({ nemesis: { faults: [{ kind: 'pause', target: 'everyone' }] } }, registry), /^nemesis: unknown target 'everyone'/);
      throwsInputError(() => parseDefinition({ nemesis: { faults: [{ kind: 'pause', target: 'every one' }] } }), /^nemesis\.faults\[0\]: unknown target 'every one' for fault 'pause'/);
      throwsInputError(() => parseDefinition({ nemesis: 'kill:ring' }), /^nemesis: target 'ring' is a shape of partition, not of fault 'kill'$/);
    });

    it('a fault listed twice is refused; the same kind with two targetings is not', () => {
      throwsInputError(() => parseDefinition({ nemesis: 'kill,pause,kill' }), /^nemesis: fault 'kill' is listed twice$/);
      assert.equal(parseDefinition({ nemesis: 'partition:majority,partition:primary' }).nemesis.faults.length, 2);
    });

    it('accepts the string, list and mapping forms alike', () => {
      const forms: unknown[] = [
        'partition:majority,kill',
        ['partition:majority', 'kill'],
        [{ kind: 'partition', target: 'majority' }, { kind: 'kill' }],
        { faults: 'partition:majority,kill' },
        { faults: ['partition:majority', { kind: 'kill' }], interval: 5 },
      ];
      const expected: TestDefinition['nemesis'] = { faults: [{ kind: 'partition', target: 'majority' }, { kind: 'kill' }], interval: 5 };
      for (const nemesis of forms) assert.deepEqual(parseDefinition({ nemesis }).nemesis, expected, JSON.stringify(nemesis));
    });

    it('formatFaultList is the inverse of parseFaultList', () => {
      for (const s of ['partition', 'partition:majority,kill:primary,pause,latency:random,loss', 'none']) {
        const faults = parseFaultList(s);
        assert.ok(Array.isArray(faults));
        assert.equal(formatFaultList(faults), s);
      }
    });
  });
});
