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
  NODE_COUNT,
  parseDefinition,
  replayArgs,
  replayCommand,
  RUN_FLAGS,
  shellQuote,
  type CliFlags,
  type Fault,
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

  it('leaves out only unset optional fields (unlimited rate, no bug, no options, no plugins)', () => {
    const flags = replayArgs(parseDefinition({ seed: 1 })).filter((a) => a.startsWith('--'));
    const all = RUN_FLAGS.map((f) => f.flag).filter((f) => !['--rate', '--bug', '--images', '--options', '--plugin'].includes(f));
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
    const def = parseDefinition({ nodes: ['10.0.0.1:2379', 'db-2'], nemesis: 'none', seed: 0 });
    assert.match(replayCommand(def), / --nodes 10\.0\.0\.1:2379,db-2 .* --nemesis none /);
    assert.deepEqual(replayed(def), def);
  });

  it('the program can be named (npx faultline run)', () => {
    assert.match(replayCommand(parseDefinition({}), 'npx faultline run'), /^npx faultline run --name /);
  });

  it('round-trips arbitrary definitions through a real shell and commander', () => {
    const text = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 });
    const ident = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}$/);
    const single: fc.Arbitrary<SingleFault> = fc
      .record({ kind: fc.constantFrom(...FAULT_KINDS), target: fc.constantFrom(...FAULT_TARGETS) }, { requiredKeys: ['kind'] })
      .filter((f) => f.kind === 'partition' || (f.target !== 'ring' && f.target !== 'bridge'));
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
        nodes: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.uniqueArray(fc.stringMatching(/^[^\s,]{1,8}$/).filter((n) => !NODE_COUNT.test(n)), { minLength: 1, maxLength: 4 })),
        concurrency: fc.integer({ min: 1, max: 1000 }),
        timeLimit: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        rate: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        nemesis: fc.record({
          faults: fc.uniqueArray(fault, { maxLength: 5, selector: formatFault }),
          interval: fc.double({ min: 0.001, max: 1e4, noNaN: true }),
        }),
        seed: fc.integer({ min: 0, max: MAX_SEED }),
        store: text,
        bug: ident,
        options: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      },
      { requiredKeys: ['seed'] },
    );
    fc.assert(
      fc.property(input, (raw) => {
        const def = parseDefinition(raw);
        assert.deepEqual(replayed(def), def, replayCommand(def));
      }),
      { numRuns: 60 },
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
