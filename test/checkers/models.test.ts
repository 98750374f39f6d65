import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { check, checkSync, loadModel, type Model, type ModelOp, type Step } from '../../checkers/api.js';
import { isInputError } from '../../checkers/errors.js';
import type { Op } from '../../checkers/history/op.js';
import { modelFor } from '../../checkers/models/index.js';
import { Rng } from '../../harness/rng.js';
import { faultline, inputErrorAt, tempFiles } from '../support/cli.js';
import { ops } from '../support/dsl.js';
import { mutate } from '../support/mutate.js';
import { SIMULATED_MODELS, simulate } from '../support/simulate.js';
import * as fixture from '../fixtures/models/register.js';

/** The fixture module, as a user names it: a path (and its compiled form is what workers import). */
const modulePath = fileURLToPath(new URL('../fixtures/models/register.js', import.meta.url));

// Two keys, so that the keys go to the worker pool (one key alone is checked in this thread).
const linearizable = ops`
  0 invoke write 1 @a
  1 invoke read nil @a
  1 ok read 1 @a
  0 ok write 1 @a
  2 invoke write 2 @b
  2 ok write 2 @b
  3 invoke read nil @b
  3 ok read 2 @b`;
const stale = ops`
  0 invoke write 1 @a
  0 ok write 1 @a
  1 invoke read nil @a
  1 ok read 3 @a
  2 invoke write 2 @b
  2 ok write 2 @b`;
/** Every key on a worker thread: no triage in this thread. */
const onWorkers = { workers: 2, triageSteps: 0 };

const invalidUsage = (re: RegExp) => (e: unknown) => {
  assert.ok(isInputError(e), String(e));
  assert.ok(!(e as Error).message.includes('\n'), (e as Error).message);
  assert.match((e as Error).message, re);
  return true;
};

describe('models as values: a user model with only init, step and equals', () => {
  describe('(a) given directly, in this thread', () => {
    it('gives the right verdicts, with the model\'s own reason', () => {
      assert.equal(checkSync(linearizable, fixture.unsourced).valid, true);
      const r = checkSync(stale, fixture.unsourced);
      assert.equal(r.valid, false);
      assert.equal(r.model, 'my-register');
      assert.equal(r.anomalies[0].key, 'a');
      assert.equal(r.anomalies[0].candidates[0].reason, "can't read 3: my register holds 1");
    });

    it('without a source, check stays in this thread whatever workers allow, and says why', async () => {
      const r = await check(stale, fixture.unsourced, onWorkers);
      assert.equal(r.valid, false);
      assert.equal(r.stats.threads, 1);
      assert.match(r.stats.mainThreadOnly ?? '', /without a source/);
      assert.equal((await check(linearizable, fixture.unsourced, onWorkers)).valid, true);
      assert.equal((await check(linearizable, fixture.unsourced, { workers: 1 })).stats.mainThreadOnly, undefined);
    });
  });

  describe('(b) on worker threads, loaded from its module', () => {
    it('a model that carries its source (defineModel)', async () => {
      const ok = await check(linearizable, fixture.register, onWorkers);
      assert.equal(ok.valid, true);
      assert.equal(ok.stats.threads, 2);
      assert.equal(ok.stats.hardKeys, 2);
      assert.equal(ok.stats.mainThreadOnly, undefined);
      const bad = await check(stale, fixture.register, onWorkers);
      assert.equal(bad.valid, false);
      assert.equal(bad.stats.threads, 2);
      assert.equal(bad.anomalies[0].key, 'a');
      assert.equal(bad.anomalies[0].op.value, 3);
      assert.equal(bad.anomalies[0].candidates[0].reason, "can't read 3: my register holds 1");
    });

    it('a module path and export, and a factory with its options', async () => {
      assert.equal((await check(linearizable, { module: modulePath, export: 'register' }, onWorkers)).valid, true);
      assert.equal((await check(stale, { module: modulePath }, onWorkers)).valid, false);
      // Reads of 7 before any write: linearizable only from an initial 7, which the workers must build too.
      const initial = ops`
        0 invoke read nil @a
        0 ok read 7 @a
        1 invoke read nil @b
        1 ok read 7 @b`;
      assert.equal((await check(initial, fixture.registerFrom({ initial: 7 }), onWorkers)).valid, true);
      assert.equal((await check(initial, fixture.registerFrom(), onWorkers)).valid, false);
      assert.equal((await check(initial, { module: modulePath, export: 'registerFrom', options: { initial: 7 } }, onWorkers)).valid, true);
    });

    it('a source that gives another model, or none, is refused before any worker runs', async () => {
      await assert.rejects(check(stale, fixture.misplaced, onWorkers), invalidUsage(/gives a model named 'my-register'/));
      await assert.rejects(check(stale, { module: modulePath, export: 'nope' }, onWorkers), invalidUsage(/register\.js#nope: the module has no export 'nope' \(exports: .*register/));
      await assert.rejects(check(stale, { module: modulePath, export: 'notAModel' }, onWorkers), invalidUsage(/#notAModel: export 'notAModel' is not a model .*got a number/));
      await assert.rejects(check(stale, { module: '/no/such/models.js', export: 'x' }), invalidUsage(/model \/no\/such\/models\.js#x: cannot load it \(no such file\)/));
      assert.throws(() => checkSync(stale, { module: modulePath }), invalidUsage(/must be loaded first/));
    });

    it('a malformed model value is a usage error naming what is wrong', () => {
      const m = { init: () => 0, step: (s: number): Step<number> => ({ ok: true, state: s }) };
      assert.throws(() => checkSync(stale, { ...m, equal: () => true } as Model<number>), invalidUsage(/unknown field 'equal' \(did you mean 'equals'\?\)/));
      assert.throws(() => checkSync(stale, { ...m, partition: 'keys' } as unknown as Model<number>), invalidUsage(/partition must be 'key' or 'none'/));
      assert.throws(() => checkSync(stale, { ...m, init: 0 } as unknown as Model<number>), invalidUsage(/init must be a function, got a number/));
    });
  });

  describe('(c) the CLI: --model path#export', () => {
    const file = tempFiles('faultline-models-');
    const jsonl = (h: Op[]) => h.map((o) => JSON.stringify(o)).join('\n') + '\n';
    const good = file('good.jsonl', jsonl(linearizable));
    const bad = file('bad.jsonl', jsonl(stale));
    // A user's module in plain JavaScript, importing nothing of faultline: loaded, it carries its source.
    const plain = file(
      'plain.mjs',
      `export const reg = { init: () => null, step: (s, op) => op.f === 'write' ? { ok: true, state: op.value } : op.value === s ? { ok: true, state: s } : { ok: false, reason: 'stale' } };\n`,
    );

    it('checks against a module\'s export, on worker threads too', () => {
      assert.equal(faultline(['check', '--model', `${modulePath}#register`, good]).code, 0);
      const r = faultline(['check', '--model', `${modulePath}#register`, '--workers', '2', bad]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /can't read 3: my register holds 1/);
      assert.equal(faultline(['check', '--model', `${plain}#reg`, good]).code, 0);
      assert.equal(faultline(['check', '--model', `${plain}#reg`, bad]).code, 1);
      assert.equal(faultline(['check', '--model', `${modulePath}#registerFrom`, '--model-options', '{"initial": 1}', good]).code, 0);
    });

    it('the example model of docs/extending.md gives the verdicts of the built-in cas-register', () => {
      for (const [history, code] of [['examples/register-ok.jsonl', 0], ['examples/register-stale-read.jsonl', 1]] as const) {
        const r = faultline(['check', '--model', 'examples/models/register.js#myRegister', '--json', history]);
        assert.equal(r.code, code, r.stderr);
        assert.equal(JSON.parse(r.stdout).model, 'my-register');
        assert.equal(faultline(['check', '--model', 'cas-register', history]).code, code);
      }
    });

    for (const [what, model, re] of [
      ['a module that does not exist', '/no/such/models.js#reg', /^faultline: model \/no\/such\/models\.js#reg: cannot load it \(no such file\)$/],
      ['an export the module does not have', `${plain}#nope`, /^faultline: model .*plain\.mjs#nope: the module has no export 'nope' \(exports: reg\)$/],
      ['an export that is not a model', `${modulePath}#notAModel`, /^faultline: model .*register\.js#notAModel: export 'notAModel' is not a model/],
      ['options for a model that is not a factory', `${modulePath}#register`, /^faultline: model .*#register: the export is a model, not a factory: it takes no options$/],
    ] as const) {
      it(`${what}: exit 254, one line`, () => {
        const extra = what.startsWith('options') ? ['--model-options', '{"initial": 1}'] : [];
        const r = faultline(['check', '--model', model, ...extra, good]);
        assert.equal(r.code, 254, r.stderr);
        assert.equal(r.stdout, '');
        assert.match(r.stderr.trimEnd(), re);
        assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      });
    }

    it('a built-in model by name works unchanged', () => {
      assert.equal(faultline(['check', '--model', 'register', good]).code, 0);
      assert.equal(faultline(['check', '--model', 'register', bad]).code, 1);
      assert.match(faultline(['check', '--model', 'nope', good]).stderr, /unknown model 'nope'/);
    });
  });
});

/** A built-in model cut down to what says what it means: no hook for speed, evidence or input checking. */
function stripped(name: string, withEquals: boolean): Model<unknown> {
  const m = modelFor(name) as Model<unknown>;
  const fp = m.fingerprint;
  const equals = m.equals ?? (fp && ((a: unknown, b: unknown) => fp(a) === fp(b)));
  return {
    name: `minimal ${name}`,
    init: m.init,
    step: m.step,
    ...(withEquals && { equals }),
    ...(m.crashedResults && { crashedResults: m.crashedResults }),
    ...(m.partition && { partition: m.partition }),
  };
}

describe('models as values: the defaults of every optional hook give the built-in models\' verdicts', () => {
  it('a register of init, step and equals agrees with the built-in one, invalid histories included', () => {
    const minimal = fixture.unsourced;
    let invalid = 0;
    for (let seed = 0; seed < 300; seed++) {
      const sim = simulate({ model: 'register', processes: 1 + (seed % 4), ops: 4 + (seed % 20), keys: 1 + (seed % 3), crashRate: [0, 0.1, 0.3][seed % 3], maxLatency: seed % 2 ? 10 : 1000, seed });
      const h = seed % 4 === 0 ? sim : mutate(sim, new Rng(seed)).history;
      const builtin = checkSync(h, 'register', { workers: 0 }).valid;
      assert.equal(checkSync(h, minimal).valid, builtin, `seed ${seed}: ${JSON.stringify(h)}`);
      if (builtin === false) invalid++;
    }
    assert.ok(invalid >= 50, `only ${invalid} invalid histories`);
  });

  for (const name of SIMULATED_MODELS) {
    it(`${name}, with only init and step (and equals)`, () => {
      const bare = stripped(name, false);
      const withEquals = stripped(name, true);
      const small = name === 'fifo-queue' || name === 'unordered-queue';
      let invalid = 0;
      for (let seed = 0; seed < 150; seed++) {
        const sim = simulate({ model: name, processes: 1 + (seed % 4), ops: 3 + (seed % (small ? 8 : 16)), keys: 1 + (seed % 2), crashRate: [0, 0.1, 0.3][seed % 3], maxLatency: seed % 2 ? 10 : 1000, seed });
        const h = seed % 4 === 0 ? sim : mutate(sim, new Rng(seed)).history;
        const opts = { workers: 0, timeLimitMs: 10_000 };
        const builtin = checkSync(h, name, opts).valid;
        if (builtin === 'unknown') continue;
        assert.equal(checkSync(h, bare, opts).valid, builtin, `init and step, seed ${seed}: ${JSON.stringify(h)}`);
        assert.equal(checkSync(h, withEquals, opts).valid, builtin, `with equals, seed ${seed}: ${JSON.stringify(h)}`);
        if (builtin === false) invalid++;
      }
      assert.ok(invalid >= 15, `only ${invalid} invalid histories`);
    });
  }

  it('states are told apart strictly: null is not undefined (a canonical key would merge them and pass this)', () => {
    // init is undefined; `clear` makes it null; `pristine` succeeds only from undefined.
    const m: Model<null | undefined> = {
      init: () => undefined,
      step: (s, op): Step<null | undefined> => (op.f === 'clear' ? { ok: true, state: null } : s === undefined ? { ok: true, state: s } : { ok: false, reason: 'not pristine' }),
    };
    const h = ops`
      0 invoke clear
      0 ok clear
      1 invoke pristine
      1 ok pristine`;
    assert.equal(checkSync(h, m).valid, false);
    assert.equal(checkSync(ops`0 invoke pristine\n0 ok pristine\n1 invoke clear\n1 ok clear`, m).valid, true);
  });

  it('a state held in a Map, without equals: compared by its entries, and evidence still reads', () => {
    const store: Model<Map<string, unknown>> = {
      partition: 'none',
      init: () => new Map(),
      step(s, op: ModelOp) {
        if (op.f === 'put') return { ok: true, state: new Map(s).set(String(op.key), op.value) };
        return (s.get(String(op.key)) ?? null) === (op.value ?? null) ? { ok: true, state: s } : { ok: false, reason: 'stale' };
      },
    };
    const r = checkSync(ops`0 invoke put 1 @x\n0 ok put 1 @x\n1 invoke get nil @x\n1 ok get 2 @x`, store);
    assert.equal(r.valid, false);
    assert.match(r.anomalies[0].candidates[0].state, /Map\(1\) \{ 'x' => 1 \}/);
  });

  it('identical ops of different keys are told apart when a model sees every key (partition none)', () => {
    // Only put 1 @y, then the read of {y 1}, then put 1 @x linearizes: the two puts look identical but for their key,
    // and the one invoked first must not be made to go first.
    const store: Model<Record<string, unknown>> = {
      partition: 'none',
      init: () => ({}),
      step: (s, op) => (op.f === 'put' ? { ok: true, state: { ...s, [String(op.key)]: op.value } } : JSON.stringify(s) === JSON.stringify(op.value) ? { ok: true, state: s } : { ok: false, reason: 'stale' }),
    };
    const h = ops`
      0 invoke put 1 @x
      1 invoke put 1 @y
      2 invoke read nil
      0 ok put 1 @x
      1 ok put 1 @y
      2 ok read {"y":1}`;
    assert.equal(checkSync(h, store).valid, true);
  });

  it('without validate an op the model does not know is judged by step, not refused as bad input', () => {
    const h = ops`0 invoke frobnicate 1 @a\n0 ok frobnicate 1 @a`;
    assert.equal(checkSync(h, fixture.unsourced).valid, false);
    assert.throws(() => checkSync(h, 'register'), inputErrorAt(1, /register has no operation 'frobnicate'/));
  });

  it('loadModel gives a model that runs anywhere', async () => {
    const m = await loadModel({ module: modulePath, export: 'registerFrom', options: { initial: 3 } });
    assert.equal(m.name, 'my-register');
    assert.deepEqual(m.source, { module: new URL('../fixtures/models/register.js', import.meta.url).href, export: 'registerFrom', options: { initial: 3 } });
    assert.equal(m.init(), 3);
  });
});
