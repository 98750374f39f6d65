import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Command } from 'commander';
import fc from 'fast-check';
import {
  collectFlag,
  FAULT_KINDS,
  FAULT_TARGETS,
  formatFault,
  loadDefinition,
  MAX_SEED,
  mergeDefinition,
  COUNT_LIKE,
  NODE_COUNT,
  NODE_FAULT_KINDS,
  parseAddress,
  parseDefinition,
  replayArgs,
  replayCommand,
  RUN_FLAGS,
  shellQuote,
  type CliFlags,
  type ExternalNode,
  type Fault,
  type FaultMethods,
  type FaultMethodSpec,
  type SingleFault,
  type TestDefinition,
} from '../../../harness/config/index.js';
import { fixture, registry } from './helpers.js';

/** What a POSIX shell makes of a command line: its words, unquoted (the real sh, not a model of it). */
function shellWords(line: string): string[] {
  const r = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

/** `faultline run`'s options as the CLI will declare them: from RUN_FLAGS, no defaults (those are the schema's). */
function parseRunArgs(argv: string[]): CliFlags {
  const cmd = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  for (const f of RUN_FLAGS) {
    if (f.repeatable) cmd.option(`${f.flag} ${f.arg}`, f.description, collectFlag);
    else cmd.option(`${f.flag} ${f.arg}`, f.description);
  }
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

/** replayCommand → sh → commander → mergeDefinition, the way a user pasting the command would go. */
function replayed(def: TestDefinition): TestDefinition {
  const prefix = 'faultline run ';
  const line = replayCommand(def);
  assert.ok(line.startsWith(prefix), line);
  return mergeDefinition(undefined, parseRunArgs(shellWords(line.slice(prefix.length))));
}

describe('config: the replay command', () => {
  it('names every flag, the seed included', () => {
    const def = parseDefinition({ seed: 1234, rate: 10, bug: 'lost-failover', options: { keys: 2 } });
    const line = replayCommand(def);
    assert.equal(
      line,
      'faultline run --name primary-backup-register-lost-failover --target primary-backup --workload register --runtime sim --nodes 3 ' +
        '--concurrency 5 --time-limit 10 --rate 10 --nemesis partition --nemesis-interval 5 --seed 1234 --bug lost-failover --store store ' +
        `--options '{"keys":2}'`,
    );
  });

  it('leaves out only unset optional fields (unlimited rate, no bug, no options, no plugins, no fault methods or SSH)', () => {
    const flags = replayArgs(parseDefinition({ seed: 1 })).filter((a) => a.startsWith('--'));
    const all = RUN_FLAGS.map((f) => f.flag).filter((f) => !['--rate', '--bug', '--images', '--options', '--plugin', '--faults', '--ssh'].includes(f));
    assert.deepEqual(flags, all);
  });

  it('records a drawn seed, so an unseeded run replays with the same seed', () => {
    const def = mergeDefinition(undefined, {});
    assert.match(replayCommand(def), new RegExp(` --seed ${def.seed} `));
    assert.deepEqual(replayed(def), def);
  });

  it('round-trips the full fixture (spaces, fractions, targeted faults, options)', async () => {
    const def = mergeDefinition(await loadDefinition(fixture('full.yaml')), {}, registry);
    assert.deepEqual(replayed(def), def);
  });

  it('round-trips plugins, one --plugin each, in order and made absolute', () => {
    const def = parseDefinition({ seed: 1, plugins: ['/opt/a plugin.js', '/opt/b.js'] });
    assert.match(replayCommand(def), / --plugin '\/opt\/a plugin\.js' --plugin \/opt\/b\.js$/);
    assert.deepEqual(replayed(def), def);
    const relative = mergeDefinition(undefined, parseRunArgs(['--plugin', 'x.js', '--seed', '1']));
    assert.deepEqual(relative.plugins, [join(process.cwd(), 'x.js')]);
  });

  it('round-trips a list of node names and a run with no faults', () => {
    const def = parseDefinition({ nodes: ['db-1', 'db-2'], nemesis: 'none', seed: 0 });
    assert.match(replayCommand(def), / --nodes db-1,db-2 .* --nemesis none /);
    assert.deepEqual(replayed(def), def);
  });

  it('the program can be named (npx faultline run)', () => {
    assert.match(replayCommand(parseDefinition({}), 'npx faultline run'), /^npx faultline run --name /);
  });

  it('round-trips arbitrary definitions through a real shell and commander', () => {
    const text = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 });
    const ident = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}$/);
    // Parameters where the kind takes them: a pause's length, a clock's jump or drift.
    const params = (kind: string): fc.Arbitrary<Record<string, number> | undefined> => {
      if (kind === 'pause-client') return fc.option(fc.record({ duration: fc.integer({ min: 1, max: 86_400_000 }) }), { nil: undefined });
      if (kind !== 'clock') return fc.constant(undefined);
      return fc.option(
        fc.oneof(
          fc.record({ offset: fc.integer({ min: -86_400_000, max: 86_400_000 }).filter((x) => x !== 0) }),
          fc.record({ rate: fc.integer({ min: 1, max: 10_000 }).map((x) => x / 100) }),
        ),
        { nil: undefined },
      );
    };
    const single: fc.Arbitrary<SingleFault> = fc
      .record({ kind: fc.constantFrom(...FAULT_KINDS), target: fc.constantFrom(...FAULT_TARGETS) }, { requiredKeys: ['kind'] })
      .filter((f) => f.kind === 'partition' || (f.target !== 'ring' && f.target !== 'bridge'))
      .filter((f) => (f.kind !== 'pause-client' && f.kind !== 'crash-client') || f.target === undefined || f.target === 'random' || f.target === 'all')
      .filter((f) => (f.kind === 'membership') === (f.target === 'join' || f.target === 'leave') || (f.kind === 'membership' && f.target === undefined))
      .chain((f) => params(f.kind).map((p) => (p === undefined ? f : { ...f, params: p })));
    const fault: fc.Arbitrary<Fault> = fc.oneof(
      single,
      fc.uniqueArray(single, { minLength: 2, maxLength: 3, selector: (f) => f.kind }).map((together) => ({ together })),
    );
    const input = fc.record(
      {
        name: ident,
        target: ident,
        workload: ident,
        runtime: fc.constantFrom('sim', 'docker'),
        nodes: fc.oneof(
          fc.integer({ min: 1, max: 9 }),
          fc.uniqueArray(fc.stringMatching(/^[^\s,]{1,8}$/).filter((n) => !NODE_COUNT.test(n) && !COUNT_LIKE.test(n) && typeof parseAddress(n) === 'string'), { minLength: 1, maxLength: 4 }),
        ),
        concurrency: fc.integer({ min: 1, max: 1000 }),
        timeLimit: fc.double({ min: 0.001, max: 86_400, noNaN: true }),
        rate: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        nemesis: fc.record({
          faults: fc.uniqueArray(fault, { maxLength: 5, selector: formatFault }),
          interval: fc.double({ min: 0.1, max: 1e4, noNaN: true }),
        }),
        seed: fc.integer({ min: 0, max: MAX_SEED }),
        store: text,
        bug: ident,
        options: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      },
      { requiredKeys: ['seed'] },
    );
    // A drift is a clock parameter the docker runtime refuses (libfaketime): such a definition is never accepted.
    const drifts = (faults: readonly Fault[] | undefined) => (faults ?? []).some((f) => ('together' in f ? f.together : [f]).some((x) => x.params?.rate !== undefined));
    fc.assert(
      fc.property(input, (raw) => {
        fc.pre(raw.runtime !== 'docker' || !drifts(raw.nemesis?.faults));
        const def = parseDefinition(raw);
        assert.deepEqual(replayed(def), def, replayCommand(def));
      }),
      { numRuns: 60 },
    );
  });

  it('round-trips an external cluster: addresses as host:port (named where the place does not name them), else JSON', () => {
    const def = parseDefinition({ runtime: 'external', nodes: ['10.0.0.1:6379', 'db=db2.example:6380', '[fe80::1]:6379'], seed: 1 });
    assert.match(replayCommand(def), / --runtime external --nodes '10\.0\.0\.1:6379,db=db2\.example:6380,\[fe80::1\]:6379' /);
    assert.deepEqual(replayed(def), def);
    const objects = parseDefinition({
      runtime: 'external',
      nodes: [{ host: '127.0.0.1', port: 5432, user: 'app', password: { env: 'PGPASSWORD' }, database: 'jepsen', container: 'pg1' }],
      nemesis: 'kill,partition:majority,client-latency',
      faults: { kill: 'docker', partition: { exec: 'ip netns exec {container} iptables -A INPUT -s {peer} -j DROP', heal: "iptables -F; echo 'healed {node}'" } },
      ssh: { user: 'root', key: { file: '/keys/id_ed25519' }, process: { unit: 'postgresql' }, logs: ['/var/log/postgresql/*.log'] },
      seed: 2,
    });
    assert.match(replayCommand(objects), / --nodes '\[\{"name":"n1","host":"127\.0\.0\.1",.*"password":\{"env":"PGPASSWORD"\}.*\}\]' /);
    assert.match(replayCommand(objects), / --faults '\{"partition":\{"exec":.*\},"kill":"docker"\}' --ssh '\{"user":"root",.*\}' --seed 2 /);
    assert.deepEqual(replayed(objects), objects);
  });

  it('round-trips arbitrary external clusters, fault methods and SSH settings', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,6}$/);
    const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain());
    const port = fc.integer({ min: 1, max: 65535 });
    const path = fc.array(fc.stringMatching(/^[a-z0-9 ._-]{1,6}$/).filter((s) => s !== '.' && s !== '..'), { minLength: 1, maxLength: 3 }).map((p) => `/${p.join('/')}`);
    const secret = fc.oneof(fc.record({ env: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/) }), fc.record({ file: path }));
    const words = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== '' && !s.includes('{'));
    const nodeObject = fc.record(
      {
        name,
        host,
        port,
        ports: fc.dictionary(name, port, { maxKeys: 2 }),
        ip: fc.ipV4(),
        user: words,
        password: secret,
        database: words,
        ssh: fc.record({ host, port, user: words }, { requiredKeys: [] }),
        container: words,
      },
      { requiredKeys: ['host', 'container'] },
    );
    const address = fc.record({ name: fc.option(name, { nil: undefined }), host, port }).map(({ name: n, host: h, port: p }) => `${n ? `${n}=` : ''}${h.includes(':') ? `[${h}]` : h}:${p}`);
    // Every node a container, or none (addresses): the docker method is drawn only where each node names one.
    const nodes = fc.oneof(
      fc.array(nodeObject, { minLength: 1, maxLength: 4 }).map((list) => ({ list: list as unknown[], containers: true })),
      fc.array(address, { minLength: 1, maxLength: 4 }).map((list) => ({ list: list as unknown[], containers: false })),
    );
    const hook = fc.record({ exec: words, heal: fc.tuple(words, fc.boolean()).map(([w, p]) => (p ? `${w} {node}` : w)) });
    const method = (kind: string, containers: boolean): fc.Arbitrary<FaultMethodSpec> =>
      kind === 'latency' ? hook : fc.oneof(hook, fc.constant('ssh' as const), ...(containers ? [fc.constant('docker' as const)] : []));
    const ssh = fc.record(
      {
        user: words,
        port,
        key: secret,
        password: secret,
        sudo: fc.boolean(),
        knownHosts: path,
        process: fc.record({ pattern: words, unit: words, start: words }, { requiredKeys: ['start'] }).map((p) => (p.pattern || p.unit ? p : { ...p, unit: 'server' })),
        logs: fc.array(words, { maxLength: 2 }),
      },
      { requiredKeys: ['user', 'process'] },
    );
    const input = nodes.chain(({ list, containers }) =>
      fc.record({
        runtime: fc.constant('external'),
        nodes: fc.constant(list),
        faults: fc.record(Object.fromEntries(NODE_FAULT_KINDS.map((k) => [k, method(k, containers)])) as Record<string, fc.Arbitrary<FaultMethodSpec>>, { requiredKeys: [] }),
        ssh,
        nemesis: fc.uniqueArray(fc.constantFrom(...FAULT_KINDS), { maxLength: 4 }),
        seed: fc.integer({ min: 0, max: MAX_SEED }),
      }),
    );
    /** Names must differ (an unnamed node is n<place>), and the nemesis may only ask for what a method makes. */
    const valid = (raw: { nodes: unknown[]; faults: FaultMethods; nemesis: string[] }) => {
      const names = raw.nodes.map((n, i) => (typeof n === 'string' ? (n.includes('=') ? n.split('=')[0] : `n${i + 1}`) : ((n as Partial<ExternalNode>).name ?? `n${i + 1}`)));
      const has = (k: string) => k.startsWith('client-') || k in raw.faults || (k === 'crash-loop' && 'kill' in raw.faults);
      const strings = raw.nodes.filter((n) => typeof n === 'string');
      return new Set(names).size === names.length && new Set(strings).size === strings.length && raw.nemesis.every(has);
    };
    fc.assert(
      fc.property(input.filter(valid), (raw) => {
        const def = parseDefinition(raw);
        assert.deepEqual(replayed(def), def, replayCommand(def));
      }),
      { numRuns: 40 },
    );
  });

  describe('shellQuote', () => {
    it('leaves safe words bare and quotes the rest so sh gives them back', () => {
      assert.equal(shellQuote('partition:majority,kill'), 'partition:majority,kill');
      assert.equal(shellQuote('10.0.0.1:2379'), '10.0.0.1:2379');
      const words = ['', ' ', "it's", '$HOME', '`id`', 'a"b', '*', '~', 'back\\slash', 'new\nline', '-x', '{"a":[1]}', 'ünï'];
      assert.deepEqual(shellWords(words.map(shellQuote).join(' ')), words);
    });
  });
});
