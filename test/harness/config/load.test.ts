import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinition, mergeDefinition, parseDefinitionText, type DefinitionFile } from '../../../harness/config/index.js';
import { fixture, registry, rejectsInputError, throwsInputError } from './helpers.js';

const full = {
  name: 'pb-register-async',
  target: 'primary-backup',
  workload: 'register',
  runtime: 'sim',
  nodes: 5,
  concurrency: 10,
  timeLimit: 30,
  rate: 200.5,
  nemesis: {
    faults: [{ kind: 'partition', target: 'majority' }, { kind: 'kill', target: 'primary' }, { kind: 'pause', target: 'random' }, { kind: 'latency' }],
    interval: 7.5,
  },
  seed: 424242,
  store: '/tmp/faultline store',
  bug: 'async-replication',
  options: { keys: 4, readFraction: 0.5, tags: ['a', 'b c'] },
};

const load = async (name: string) => loadDefinition(fixture(name));

describe('config: loading and merging', () => {
  describe('files', () => {
    it('YAML and JSON files load to the same definition, every field as written', async () => {
      const yaml = mergeDefinition(await load('full.yaml'), {}, registry);
      const json = mergeDefinition(await load('full.json'), {}, registry);
      assert.deepEqual(yaml, full);
      assert.deepEqual(json, full);
    });

    it('knows the format by extension, or by content when there is none', async () => {
      assert.equal((await load('full.yaml')).format, 'yaml');
      assert.equal((await load('full.json')).format, 'json');
      const j = await load('json-config');
      const y = await load('yaml-config');
      assert.equal(j.format, 'json');
      assert.equal(y.format, 'yaml');
      assert.deepEqual(j.fields, y.fields);
      assert.deepEqual(mergeDefinition(j), mergeDefinition(y));
    });

    it('a file sets only what it says; the rest is defaults', async () => {
      const file = await load('minimal.yaml');
      assert.deepEqual(file.fields, { target: 'kv-single' });
      const def = mergeDefinition(file, {}, registry);
      assert.equal(def.name, 'kv-single-register');
      assert.equal(def.concurrency, 5);
      assert.deepEqual(def.nemesis, { faults: [{ kind: 'partition' }], interval: 5 });
    });

    it('an empty file is all defaults', async () => {
      assert.deepEqual((await load('empty.yaml')).fields, {});
    });

    it('a nemesis may be written as a comma list', async () => {
      const def = mergeDefinition(await load('nemesis-string.yaml'));
      assert.deepEqual(def.nemesis.faults, [{ kind: 'partition', target: 'majority' }, { kind: 'kill' }, { kind: 'pause' }]);
    });

    it('nodes may be a list of names', async () => {
      const def = mergeDefinition(await load('node-names.yaml'), {}, registry);
      assert.deepEqual(def.nodes, ['db1', 'db2', 'db3']);
    });
  });

  describe('file errors: one line, an InputError, naming the file, the line and the field', () => {
    it('a bad value: file:line: field: expected…, got…', async () => {
      await rejectsInputError(load('bad-concurrency.yaml'), /\/bad-concurrency\.yaml:7: concurrency: expected a positive integer, got -3$/);
    });

    it('a bad value in JSON names its line too', () => {
      const text = '{\n  "target": "kv-single",\n  "timeLimit": "10s"\n}\n';
      throwsInputError(() => parseDefinitionText(text, 'run.json'), /^run\.json:3: timeLimit: expected a positive number of seconds, got "10s"$/);
    });

    it('a YAML syntax error names its line', async () => {
      await rejectsInputError(load('bad-syntax.yaml'), /\/bad-syntax\.yaml:5: invalid YAML: \S.*$/);
    });

    it('a JSON syntax error names its line', async () => {
      await rejectsInputError(load('bad-syntax.json'), /\/bad-syntax\.json:5: invalid JSON: Expected ',' or '}' after property value$/);
    });

    it('JSON syntax errors V8 reports without a position still get a line', () => {
      throwsInputError(() => parseDefinitionText('{\n "target": "kv-single",\n "seed": tru\n}', 'x.json'), /^x\.json:3: invalid JSON: Unexpected token/);
      throwsInputError(() => parseDefinitionText('{\n "target": "kv-single",\n "seed": x\n}', 'x.json'), /^x\.json:3: invalid JSON: Unexpected token 'x'$/);
      throwsInputError(() => parseDefinitionText('{\n "target": "kv-single",\n', 'x.json'), /^x\.json:2: invalid JSON: /);
    });

    it('an unknown fault in a list names its item and line', async () => {
      await rejectsInputError(
        load('unknown-fault.yaml'),
        /\/unknown-fault\.yaml:6: nemesis\.faults\[2\]: unknown fault 'meteor-strike' \(known: partition, kill, pause, latency, loss, crash-loop, client-partition, client-latency, client-loss, client-slow, pause-client, crash-client, clock, membership\)$/,
      );
    });

    it('an unknown field is named at its line, with the likely one', async () => {
      await rejectsInputError(load('unknown-field.yaml'), /\/unknown-field\.yaml:3: concurency: unknown field \(did you mean concurrency\?\)/);
      throwsInputError(() => parseDefinitionText('target: kv-single\ntime-limit: 3\n', 'c.yaml'), /^c\.yaml:2: time-limit: unknown field \(did you mean timeLimit\?\)/);
    });

    it('the problem reported is the first in the file, and the others are counted', () => {
      const text = 'target: kv-single\nrate: 0\nconcurrency: 0\n';
      throwsInputError(() => parseDefinitionText(text, 'c.yaml'), /^c\.yaml:2: rate: .* \(and 1 more problem\)$/);
    });

    it('a file nested 5,000 deep is refused in one line, YAML block, YAML flow or JSON', () => {
      const deepFlow = `options:\n  a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
      throwsInputError(() => parseDefinitionText(deepFlow, 'deep.yaml'), /^deep\.yaml:2: nested more than 100 levels deep/);
      const deepJson = `{"options": {"a": ${'['.repeat(5000)}${']'.repeat(5000)}}}`;
      throwsInputError(() => parseDefinitionText(deepJson, 'deep.json'), /^deep\.json:1: nested more than 100 levels deep/);
      const deepBlock = 'options:\n' + Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i + 2)}k:`).join('\n') + ' 1\n';
      throwsInputError(() => parseDefinitionText(deepBlock, 'block.yaml'), /^block\.yaml: nested more than 100 levels deep/);
      // Options a few levels deep are fine: the limit is far from any real definition.
      const ok = parseDefinitionText(`options:\n  a: ${'['.repeat(20)}1${']'.repeat(20)}\n  q: "[[[[ not brackets"\n`, 'ok.yaml');
      assert.equal(ok.fields.options?.q, '[[[[ not brackets');
    });

    it('a YAML file with more than 100 alias expansions is refused in one line (the yaml library\'s limit)', () => {
      const aliases = (n: number) => `options:\n  base: &a [1]\n  x: [${Array.from({ length: n }, () => '*a').join(', ')}]\n`;
      throwsInputError(() => parseDefinitionText(aliases(101), 'aliases.yaml'), /^aliases\.yaml: invalid YAML: too many aliases \(more than 100 expansions of anchors; write the values out\)$/);
      assert.equal((parseDefinitionText(aliases(50), 'aliases.yaml').fields.options?.x as unknown[]).length, 50);
    });

    it('a file that is not a mapping', async () => {
      await rejectsInputError(load('not-a-mapping.yaml'), /\/not-a-mapping\.yaml:1: expected a mapping of test definition fields, got a list$/);
    });

    it('a file that does not exist', async () => {
      await rejectsInputError(loadDefinition('no/such/faultline.yaml'), /^no\/such\/faultline\.yaml: cannot read the config \(no such file\)$/);
    });

    it('an unknown target in a file lists the known ones, at its line', async () => {
      const file = await load('unknown-target.yaml'); // names are checked on merge, when the registry is at hand
      throwsInputError(() => mergeDefinition(file, {}, registry), /\/unknown-target\.yaml:2: target: unknown target 'etcd' \(known: kv-single, primary-backup\)$/);
    });

    it('a default the file made wrong names the file and the field', async () => {
      const file = await load('docker-default-target.yaml');
      const byRuntime = { ...registry, targetsOf: (runtime: string) => (runtime === 'docker' ? ['redis'] : registry.knownTargets) };
      throwsInputError(
        () => mergeDefinition(file, {}, byRuntime),
        /\/docker-default-target\.yaml: target: unknown target 'primary-backup' \(known: redis\) for the docker runtime$/,
      );
    });

    it('duplicate keys are a YAML error', () => {
      throwsInputError(() => parseDefinitionText('seed: 1\nseed: 2\n', 'd.yaml'), /^d\.yaml:2: invalid YAML: Map keys must be unique/);
    });
  });

  describe('CLI flags', () => {
    let file: DefinitionFile;
    before(async () => {
      file = await load('full.yaml');
    });

    it('override the file, each one', () => {
      const def = mergeDefinition(
        file,
        {
          target: 'kv-single',
          workload: 'register',
          runtime: 'sim',
          nemesis: 'partition,kill,pause',
          timeLimit: '2.5',
          concurrency: '3',
          rate: '50',
          seed: '7',
          bug: undefined,
          store: 'elsewhere',
          nodes: 'a,b',
          name: 'override',
          options: '{"keys":1}',
        },
        { ...registry, knownBugs: () => undefined },
      );
      assert.deepEqual(def, {
        ...full,
        name: 'override',
        target: 'kv-single',
        nodes: ['a', 'b'],
        concurrency: 3,
        timeLimit: 2.5,
        rate: 50,
        nemesis: { faults: [{ kind: 'partition' }, { kind: 'kill' }, { kind: 'pause' }], interval: 7.5 },
        seed: 7,
        store: 'elsewhere',
        options: { keys: 1 },
      });
    });

    it('leave what they do not set (undefined flags too), and ignore what is not a definition flag', () => {
      assert.deepEqual(mergeDefinition(file, { seed: undefined, config: 'x.yaml', json: true }, registry), full);
    });

    it('--nemesis replaces the faults and keeps the file interval; --nemesis-interval replaces the interval', () => {
      assert.deepEqual(mergeDefinition(file, { nemesis: 'none' }).nemesis, { faults: [], interval: 7.5 });
      assert.deepEqual(mergeDefinition(file, { nemesisInterval: '2' }).nemesis, { ...full.nemesis, interval: 2 });
    });

    it('numbers may come parsed already (commander with a parser) or as typed', () => {
      assert.deepEqual(mergeDefinition(undefined, { concurrency: 4, seed: 9, nodes: 4 }), mergeDefinition(undefined, { concurrency: '4', seed: '9', nodes: '4' }));
    });

    it('--nodes takes a count or a comma list', () => {
      assert.equal(mergeDefinition(undefined, { nodes: '5' }).nodes, 5);
      assert.deepEqual(mergeDefinition(undefined, { nodes: 'db1, db2' }).nodes, ['db1', 'db2']);
      assert.deepEqual(mergeDefinition(undefined, { runtime: 'external', nodes: 'db1:5432, n2=db2:5432,[::1]:6379' }).nodes, [
        { name: 'n1', host: 'db1', port: 5432 },
        { name: 'n2', host: 'db2', port: 5432 },
        { name: 'n3', host: '::1', port: 6379 },
      ]);
    });

    it('a seed from the flags is kept; with neither file nor flag, one is drawn and recorded', () => {
      assert.equal(mergeDefinition(file, { seed: '0' }).seed, 0);
      const def = mergeDefinition(undefined, {});
      assert.ok(Number.isInteger(def.seed));
      assert.equal(mergeDefinition(undefined, { seed: String(def.seed) }).seed, def.seed);
    });

    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['--concurrency -3', { concurrency: '-3' }, /^--concurrency: expected a positive integer, got -3$/],
      ['--concurrency lots', { concurrency: 'lots' }, /^--concurrency: expected a positive integer, got "lots"$/],
      ['--time-limit 0', { timeLimit: '0' }, /^--time-limit: expected a positive number of seconds, got 0$/],
      ['--rate -1', { rate: '-1' }, /^--rate: expected a positive number of ops per second, got -1$/],
      ['--seed 1.5', { seed: '1.5' }, /^--seed: expected an integer from 0 to 4294967295, got 1\.5$/],
      ['--runtime k8s', { runtime: 'k8s' }, /^--runtime: expected one of sim, docker, external, got "k8s"$/],
      ['--runtime external without --nodes', { runtime: 'external' }, /^--nodes: the external runtime needs each node's address, e.g\. --nodes 10\.0\.0\.1:6379$/],
      ['--runtime external --nodes 3', { runtime: 'external', nodes: '3' }, /^--nodes: the external runtime needs each node's address, e\.g\. --nodes 10\.0\.0\.1:6379$/],
      ['--nodes db1:5432 on the sim runtime', { nodes: 'db1:5432' }, /^--nodes: the sim runtime starts its own nodes: give a count or names, not addresses/],
      ['--nodes [{x (bad JSON)', { runtime: 'external', nodes: '[{x' }, /^--nodes: expected a JSON list of nodes, got invalid JSON \(.*\)$/],
      ['--faults {kill', { runtime: 'external', nodes: 'h:1', faults: '{kill' }, /^--faults: expected a JSON object, got invalid JSON \(.*\)$/],
      ['--ssh on the docker runtime', { runtime: 'docker', ssh: '{"user":"root"}' }, /^--ssh: only the external runtime takes SSH settings: the docker runtime makes its own faults/],
      ['--nemesis partition,meteor', { nemesis: 'partition,meteor' }, /^--nemesis: unknown fault 'meteor' \(known: partition, kill, pause, latency, loss, crash-loop, client-partition, client-latency, client-loss, client-slow, pause-client, crash-client, clock, membership\)$/],
      ['--nemesis kill:everyone', { nemesis: 'kill:everyone' }, /^--nemesis: unknown target 'everyone' for fault 'kill'/],
      ['--nemesis-interval x', { nemesisInterval: 'x' }, /^--nemesis-interval: expected a positive number of seconds, got "x"$/],
      ['--nodes 0', { nodes: '0' }, /^--nodes: expected a positive node count/],
      ['--nodes 3abc', { nodes: '3abc' }, /^--nodes: expected a node count or a comma-separated list of node names or addresses, got '3abc'$/],
      ['--nodes n1,3abc', { nodes: 'n1,3abc' }, /^--nodes: a node name may not begin with a digit \(it reads as a mistyped node count\), got "3abc"$/],
      ['--nodes 1000', { nodes: '1000' }, /^--nodes: expected at most 64 nodes \(the harness starts each one\), got 1000$/],
      ['--concurrency 1e9', { concurrency: '1e9' }, /^--concurrency: expected at most 10000 client processes, got 1000000000$/],
      ['--time-limit 1e20', { timeLimit: '1e20' }, /^--time-limit: expected at most 86400 seconds \(a day\)/],
      ['--rate 1e20', { rate: '1e20' }, /^--rate: expected at most 1000000 ops per second/],
      ['--nemesis-interval 1e-9', { nemesisInterval: '1e-9' }, /^--nemesis-interval: expected at least 0\.1 seconds/],
      ['--options nested 5,000 deep', { options: `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}` }, /^--options: expected a JSON object, got JSON nested more than 100 levels deep$/],
      ['--nodes a,,b', { nodes: 'a,,b' }, /^--nodes: expected a node name or address without spaces or commas, got ""$/],
      ['--options {x', { options: '{x' }, /^--options: expected a JSON object, got invalid JSON \(.*\)$/],
      ['--options [1]', { options: '[1]' }, /^--options: expected a mapping of target and workload options, got a list$/],
      ['--target etcd', { target: 'etcd' }, /^--target: unknown target 'etcd' \(known: kv-single, primary-backup\)$/],
      ['--workload bank', { workload: 'bank' }, /^--workload: unknown workload 'bank' \(known: register\)$/],
      ['--bug nope', { bug: 'nope' }, /^--bug: unknown bug 'nope' \(known: async-replication, lost-failover\) of target 'primary-backup'$/],
    ];
    for (const [what, flags, pattern] of bad) {
      it(`refuse ${what}, naming the flag`, () => throwsInputError(() => mergeDefinition(undefined, flags, registry), pattern));
    }

    it('a flag error is blamed on the flag even with a file; a file error on the file', async () => {
      throwsInputError(() => mergeDefinition(file, { concurrency: '0' }, registry), /^--concurrency: /);
      const unknownTarget = await load('unknown-target.yaml');
      throwsInputError(() => mergeDefinition(unknownTarget, { workload: 'bank' }, registry), /unknown-target\.yaml:2: target: .* \(and 1 more problem\)$/);
      // the flag fixes the file's problem: no error
      assert.equal(mergeDefinition(unknownTarget, { target: 'kv-single' }, registry).target, 'kv-single');
    });

    it('a file with a bad field fails at load, before any flag could fix it', () => {
      const dir = mkdtempSync(join(tmpdir(), 'faultline-config-'));
      const p = join(dir, 'c.yml');
      writeFileSync(p, 'concurrency: zero\n');
      return rejectsInputError(loadDefinition(p), /c\.yml:1: concurrency: expected a positive integer, got "zero"$/);
    });
  });
});
