import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { isUserError } from '../../harness/errors.js';
import { builtinCheckers, builtinRegistry } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import { Registry } from '../../harness/registry.js';
import { Rng } from '../../harness/rng.js';
import { runTest } from '../../harness/run.js';
import { builtinTargets } from '../../targets/index.js';
import { kvSingle } from '../../targets/kv-single/sim.js';
import type { Workload } from '../../workloads/index.js';
import { builtinWorkloads } from '../../workloads/index.js';
import { faultline } from '../support/cli.js';

const definitions = builtinRegistry().definitions();
const tmp = mkdtempSync(join(tmpdir(), 'faultline-registry-'));

/** The one-line input error a definition gets from the registry, matched against `re`. */
function refused(fields: Record<string, unknown>, re: RegExp): void {
  assert.throws(
    () => parseDefinition(fields, definitions),
    (e: unknown) => {
      assert.ok(isUserError(e), String(e));
      assert.ok(!(e as Error).message.includes('\n'), (e as Error).message);
      assert.match((e as Error).message, re);
      return true;
    },
  );
}

/** A user's workload: blind writes and reads of one key, judged as a register. */
const writeRead: Workload = {
  name: 'write-read',
  description: 'writes and reads of one key',
  checker: 'linearizable',
  model: 'cas-register',
  operations: { write: z.int(), read: z.null() },
  generator(seed) {
    const rng = new Rng(seed);
    return () => (rng.int(2) === 0 ? { f: 'write', key: 'a', value: rng.int(5) } : { f: 'read', key: 'a', value: null });
  },
  finalOps: () => [{ f: 'read', key: 'a', value: null }],
};

describe('the registry: a test fits together or is refused before anything starts', () => {
  it('serves each workload exactly on the targets whose operations cover it', () => {
    const r = builtinRegistry();
    const fits = (runtime: 'sim' | 'docker') =>
      Object.fromEntries(r.targetNames(runtime).map((t) => [t, r.workloadNames().filter((w) => r.conflicts({ runtime, target: t, workload: w, options: {} }).length === 0)]));
    assert.deepEqual(fits('sim'), { 'kv-single': ['register', 'set'], 'paxos-kv': ['register'], 'primary-backup': ['register'], 'raft-kv': ['register'], 'replicated-log': ['log'], 'sharded-kv': ['register'] });
    assert.deepEqual(fits('docker'), {
      postgres: ['register'],
      'pg-2pc': ['bank'],
      'paxos-kv': ['register'],
      'raft-kv': ['register'],
      redis: ['register', 'set'],
      'redis-replicated': ['register', 'set'],
      'redis-lock': ['lock'],
      'redis-stream': ['log'],
      redlock: ['lock'],
      'sharded-kv': ['register'],
      'cache-aside': ['cache'],
    });
  });

  it('refuses a workload the target does not serve, naming both and what would fit', () => {
    refused({ target: 'primary-backup', workload: 'set' }, /^workload: target 'primary-backup' cannot run workload 'set': it has no 'add' operation \(it serves 'read', 'write', 'cas'; workloads that fit: register\)$/);
    refused({ target: 'raft-kv', workload: 'bank' }, /target 'raft-kv' cannot run workload 'bank': it has no 'transfer', 'final-read' operations \(/);
    refused({ runtime: 'docker', target: 'raft-kv', workload: 'bank' }, /workloads that fit: register\)$/);
    refused({ runtime: 'docker', target: 'pg-2pc', workload: 'register' }, /it has no 'write', 'cas' operations .*workloads that fit: bank\)$/);
  });

  it('refuses options nobody declares, and options their declaration refuses', () => {
    refused({ options: { foo: 1 } }, /^options\.foo: unknown option 'foo' \(known: target 'primary-backup' and workload 'register' take none\)$/);
    refused({ runtime: 'docker', target: 'redis-replicated', options: { wiat: 1 } }, /^options\.wiat: unknown option 'wiat' \(known: wait, master\)$/);
    refused({ runtime: 'docker', target: 'redis-replicated', options: { wait: 'x' } }, /^options\.wait: option 'wait': .*got "x" \(target 'redis-replicated': replicas that must acknowledge/);
    refused({ runtime: 'docker', target: 'redis-replicated', options: { wait: -1 } }, /^options\.wait: .*got -1/);
    assert.deepEqual(parseDefinition({ runtime: 'docker', target: 'redis-replicated', options: { wait: 1 } }, definitions).options, { wait: 1 });
  });

  it('refuses a fault the runtime cannot inflict, from what the runtime declares', () => {
    refused(
      { runtime: 'docker', target: 'redis', nemesis: 'latency' },
      /^nemesis: the docker runtime cannot inflict 'latency' \(it can: partition, kill, pause, loss, crash-loop, client-partition, client-latency, client-loss, client-slow, pause-client, crash-client, clock, membership\)$/,
    );
    assert.ok(builtinRegistry().faultsOf('sim').includes('latency'));
    assert.equal(parseDefinition({ runtime: 'docker', target: 'redis', nemesis: 'client-latency,client-partition:primary' }, definitions).nemesis.faults.length, 2);
  });

  it('refuses a clock drift on docker (libfaketime cannot make one mid-run), and a clock fault where no runtime method changes clocks', () => {
    refused({ runtime: 'docker', target: 'postgres', nemesis: 'clock:rate=2' }, /^nemesis: the docker runtime cannot honour clock:rate=…: libfaketime measures a drift/);
    refused({ nemesis: 'clock' }, /^nemesis: the sim runtime cannot inflict 'clock' /);
    refused({ runtime: 'external', nodes: ['127.0.0.1:6379'], target: 'redis', nemesis: 'clock' }, /^nemesis: the external runtime cannot inflict 'clock' \(no fault method changes a node's clock; the docker runtime can\)$/);
    assert.deepEqual(parseDefinition({ runtime: 'docker', target: 'postgres', nemesis: 'clock:offset=-30s' }, definitions).nemesis.faults, [{ kind: 'clock', params: { offset: -30_000 } }]);
  });

  it('refuses a client fault on the simulation, saying where client faults come from', () => {
    refused(
      { nemesis: 'partition,client-latency' },
      /^nemesis: the sim runtime cannot inflict 'client-latency': client faults are made by the fault proxy in front of real servers \(runtimes docker, external\); the sim runtime can: partition, kill, pause, latency, loss, crash-loop, pause-client, crash-client, membership$/,
    );
  });

  it('on the external runtime, a node fault needs a method under faults; client faults need none', () => {
    // The registry knows no external target until a target declares `external`: the fault rules do not wait for one.
    const def = (fields: Record<string, unknown>) => ({ runtime: 'external', nodes: ['127.0.0.1:6379'], ...fields });
    refused(def({ nemesis: 'client-partition,kill' }), /^nemesis: the external runtime has no way to inflict 'kill': name one under faults \(ssh, docker or an exec hook\)/);
    refused(def({ nemesis: 'crash-loop', faults: { pause: 'ssh' }, ssh: { user: 'u', process: { unit: 'redis' } } }), /^nemesis: the external runtime has no way to inflict 'crash-loop'/);
    assert.deepEqual(builtinRegistry().faultsOf('external'), ['client-partition', 'client-latency', 'client-loss', 'client-slow', 'pause-client', 'crash-client']);
  });

  it('runTest refuses a definition made without the registry before it creates the store', async () => {
    const store = join(tmp, 'never');
    for (const fields of [{ target: 'primary-backup', workload: 'set' }, { target: 'raft-kv', workload: 'bank' }, { options: { foo: 1 } }]) {
      const def = parseDefinition({ ...fields, store, seed: 1, timeLimit: 1 }); // no registry: names unchecked
      await assert.rejects(runTest(def), (e: unknown) => isUserError(e) && /cannot run workload|unknown option/.test((e as Error).message));
      assert.equal(existsSync(store), false, 'nothing stored');
    }
  });

  it('the CLI refuses the mismatch with exit 254, one line, and leaves no store entry', () => {
    for (const args of [['--target', 'primary-backup', '--workload', 'set'], ['--target', 'raft-kv', '--workload', 'bank'], ['--options', '{"foo":1}']]) {
      const store = join(tmp, `cli-${args[1]}`);
      const r = faultline(['run', ...args, '--store', store, '--quiet']);
      assert.equal(r.code, 254, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^faultline: --(workload|options)\b.*(cannot run workload|unknown option)/);
      assert.equal(existsSync(store), false, 'nothing stored');
    }
  });

  it('--runtime external needs the nodes\' addresses: without them, one line and exit 254; --help names it, --faults and --ssh', () => {
    const needs = "faultline: --nodes: the external runtime needs each node's address, e.g. --nodes 10.0.0.1:6379";
    for (const nodes of [[], ['--nodes', '3'], ['--nodes', 'db1,db2']]) {
      const store = join(tmp, 'external');
      const r = faultline(['run', '--runtime', 'external', ...nodes, '--store', store, '--quiet']);
      assert.equal(r.code, 254, r.stderr);
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      assert.ok(r.stderr.startsWith(needs), r.stderr);
      assert.equal(existsSync(store), false, 'nothing stored');
    }
    const help = faultline(['run', '--help']);
    assert.match(help.stdout, /--runtime <runtime> +sim, docker or external/);
    assert.match(help.stdout, /--nodes <n\|nodes> +node count or names; external: host:port/);
    assert.match(help.stdout, /--faults <json> +external: how node faults are made/);
    assert.match(help.stdout, /--ssh <json> +external: SSH login/);
  });

  it('runs a user’s workload registered as a plugin, the same way as a built-in one', async () => {
    const registry = new Registry([builtinCheckers, builtinTargets, builtinWorkloads, { name: 'mine', workloads: [writeRead] }]);
    const def = parseDefinition({ target: 'kv-single', workload: 'write-read', seed: 3, timeLimit: 2, store: join(tmp, 'plugin') }, registry.definitions());
    const r = await runTest(def, { registry });
    assert.equal(r.valid, true, r.runDir);
    const fs = new Set(r.history.filter((o) => o.process !== 'nemesis').map((o) => o.f));
    assert.deepEqual([...fs].sort(), ['read', 'write']);
    assert.ok(r.history.length > 100, `${r.history.length} ops`);
    // The built-in registry does not know it: a registry is a value, not a global table.
    refused({ target: 'kv-single', workload: 'write-read' }, /unknown workload 'write-read'/);
  });

  it('refuses a workload that generates an operation it does not declare, or a value of another shape', async () => {
    const typo: Workload = { ...writeRead, name: 'typo', generator: () => () => ({ f: 'wrte', key: 'a', value: 1 }) };
    const shape: Workload = { ...writeRead, name: 'shape', generator: () => () => ({ f: 'write', key: 'a', value: '1' }) };
    const finals: Workload = { ...writeRead, name: 'finals', finalOps: () => [{ f: 'read-all', value: null }] };
    const registry = new Registry([builtinCheckers, builtinTargets, { name: 'mine', workloads: [typo, shape, finals] }]);
    const cases: [string, RegExp][] = [
      ['typo', /^workload 'typo' generates a 'wrte' operation it does not declare \(it declares write, read\)$/],
      ['shape', /^workload 'shape' generates a 'write' whose value "1" is not of its declared shape \(.*expected number.*\)$/],
      ['finals', /^workload 'finals' reads at the end with a 'read-all' operation it does not declare/],
    ];
    for (const [workload, re] of cases) {
      const store = join(tmp, `preflight-${workload}`);
      const def = parseDefinition({ target: 'kv-single', workload, seed: 1, timeLimit: 1, store }, registry.definitions());
      await assert.rejects(runTest(def, { registry }), (e: unknown) => {
        assert.ok(isUserError(e), String(e));
        assert.match((e as Error).message, re);
        return true;
      });
      assert.equal(existsSync(store), false, 'nothing stored');
    }
  });

  it('refuses a name registered twice, and a declaration without its operations', () => {
    assert.throws(() => new Registry([builtinTargets, { name: 'mine', simTargets: [kvSingle] }]), /^Error: plugin mine: target 'kv-single' for the sim runtime is already registered by faultline$|plugin mine: target 'kv-single' for the sim runtime is already registered by faultline/);
    assert.throws(() => new Registry([{ name: 'mine', workloads: [{ ...writeRead, operations: {} }] }]), /plugin mine: workload 'write-read' must declare its operations/);
    assert.throws(() => new Registry([{ name: 'mine', workloads: [{ ...writeRead, name: 'a b' }] }]), /plugin mine: "a b" is not a name/);
    const checker = builtinRegistry().checker('set');
    assert.throws(() => new Registry([{ name: 'mine', checkers: [{ ...checker, explain: undefined } as never] }]), /plugin mine: checker 'set' has no explain\(\) function/);
    assert.throws(() => new Registry([builtinCheckers, { name: 'mine', checkers: [checker] }]), /plugin mine: checker 'set' is already registered by faultline/);
  });

  it('refuses a workload judged by a checker nobody registered, naming the known ones', () => {
    const registry = new Registry([builtinCheckers, builtinTargets, { name: 'mine', workloads: [{ ...writeRead, checker: 'elle' }] }]);
    assert.throws(
      () => parseDefinition({ target: 'kv-single', workload: 'write-read' }, registry.definitions()),
      (e: unknown) => isUserError(e) && /workload 'write-read' is judged by checker 'elle', which is not registered \(known: linearizable, set, 2pc, lock, cache, log\)/.test((e as Error).message),
    );
  });

  it('holds a workload to a registered model: a plugin’s by name; one nobody registered, or one its checker cannot take, is refused', async () => {
    const lastWins = { name: 'last-wins', init: () => null, step: (s: unknown, op: { f: string; value: unknown }) => (op.f === 'write' || op.value === s ? { ok: true as const, state: op.f === 'write' ? op.value : s } : { ok: false as const, reason: 'stale' }) };
    const mine = (w: Partial<Workload>) => new Registry([builtinCheckers, builtinTargets, { name: 'mine', workloads: [{ ...writeRead, ...w }], models: [lastWins] }]);
    const registry = mine({ model: 'last-wins' });
    assert.equal(registry.model('last-wins'), registry.model('last-wins'), 'the registered value itself');
    assert.deepEqual(registry.model('cas-register', { initial: 0 }), { name: 'cas-register', options: { initial: 0 } });
    assert.throws(() => registry.model('last-wins', { initial: 0 }), /model last-wins is a plugin's model value: it takes no options/);
    assert.throws(() => registry.model('lww'), /unknown model 'lww' \(known: register, cas-register, .*, last-wins; or a module's path#export\)/);
    const store = join(tmp, 'plugin-model');
    const def = parseDefinition({ target: 'kv-single', workload: 'write-read', seed: 1, timeLimit: 1, nemesis: 'none', store }, registry.definitions());
    const outcome = await runTest(def, { registry });
    assert.equal(outcome.check.checker, 'linearizable');
    assert.equal(outcome.check.checker === 'linearizable' && outcome.check.model, 'last-wins');
    assert.equal(outcome.valid, true);
    const cases: [Partial<Workload>, RegExp][] = [
      [{ model: 'lww' }, /workload 'write-read' is held to model 'lww', which is not registered \(known: .*last-wins\)/],
      [{ model: undefined }, /workload 'write-read' is judged by checker 'linearizable', which needs a model, and names none/],
      [{ checker: 'set', model: 'last-wins' }, /workload 'write-read' names model 'last-wins', but its checker 'set' takes none/],
    ];
    for (const [w, re] of cases) {
      assert.throws(() => parseDefinition({ target: 'kv-single', workload: 'write-read' }, mine(w).definitions()), (e: unknown) => isUserError(e) && re.test((e as Error).message));
    }
  });

  it('refuses a plugin model that is not one, naming the plugin', () => {
    const cases: [unknown, RegExp][] = [
      [{ init: () => 0, step: () => ({ ok: true, state: 0 }) }, /plugin mine: nothing is not a name/],
      [{ name: 'm', init: () => 0, step: () => ({ ok: true, state: 0 }), equal: () => true }, /plugin mine: model 'm': unknown field 'equal' \(did you mean 'equals'\?\)/],
      [{ name: 'm', init: () => 0 }, /plugin mine: model 'm': step must be a function, got nothing/],
      [{ name: 'lww' }, /plugin mine: .* is not a model \(an object with name, init and step\)/],
      [{ name: 'register', init: () => 0, step: () => ({ ok: true, state: 0 }) }, /plugin mine: model 'register' is already registered by faultline/],
    ];
    for (const [m, re] of cases) assert.throws(() => new Registry([builtinCheckers, { name: 'mine', models: [m as never] }]), re);
  });
});
