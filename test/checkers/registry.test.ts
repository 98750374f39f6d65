import assert from 'node:assert/strict';
import { isInputError } from '../../checkers/errors.js';
import { checkSync } from '../../checkers/linearizability/index.js';
import { asCheckerResult, BUILTIN_CHECKERS, storedResult, type CheckerVerdict } from '../../checkers/registry.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { isUserError } from '../../harness/errors.js';
import { ops } from '../support/dsl.js';
import { sampleOps } from '../support/workload-sample.js';

const checkerFor = (name: string) => builtinRegistry().checker(name);
const explainResult = (r: CheckerVerdict) => checkerFor(r.checker).explain(r);

const workloads = () => {
  const r = builtinRegistry();
  return r.workloadNames().map((n) => r.workload(n));
};

const register = ops`
  0 invoke write 1 @x
  0 ok write 1 @x
  1 invoke read nil @x
  1 ok read 2 @x
`;
const lostAdd = ops`
  0 invoke add 1
  0 ok add 1
  1 invoke read nil
  1 ok read []
`;

describe('checkers: the registry', () => {
  it('names every checker, and an unknown name is a usage error listing them', () => {
    assert.deepEqual(builtinRegistry().checkerNames(), ['linearizable', 'set', '2pc', 'lock', 'cache', 'log']);
    assert.deepEqual(BUILTIN_CHECKERS.map((c) => c.name), builtinRegistry().checkerNames(), 'registered as a plugin’s are');
    assert.throws(
      () => checkerFor('2pc-nope'),
      (e: unknown) => isUserError(e) && e.exitCode === 254 && e.message === "unknown checker '2pc-nope' (known: linearizable, set, 2pc, lock, cache, log)",
    );
  });

  it('linearizable: the model comes from the options, and the result is named', async () => {
    const c = checkerFor('linearizable');
    assert.equal(c.needsModel, true);
    const r = await c.check(register, { model: 'cas-register', workers: 1 });
    assert.equal(r.checker, 'linearizable');
    assert.equal(r.valid, false);
    assert.match(explainResult(r), /^NOT linearizable/);
    await assert.rejects(c.check(register, {}), (e: unknown) => isInputError(e) && /needs a model/.test((e as Error).message));
  });

  it('set: no model, and its own prose', async () => {
    const c = checkerFor('set');
    assert.equal(c.needsModel, false);
    const r = await c.check(lostAdd);
    assert.equal(r.checker, 'set');
    assert.equal(r.valid, false);
    assert.match(explainResult(r), /^1 of 1 acknowledged add was lost: 1 /);
  });

  it('reads results stored before checkers had names as the linearizable checker’s', () => {
    const old = JSON.parse(JSON.stringify(checkSync(register, 'cas-register')));
    assert.equal(old.checker, undefined);
    assert.equal(storedResult(old)?.checker, 'linearizable');
    assert.equal(asCheckerResult(checkSync(register, 'cas-register')).checker, 'linearizable');
    assert.equal(storedResult({ checker: 'set', valid: true, ms: 1 })?.checker, 'set');
    assert.equal(storedResult({ checker: 'a-plugins', valid: false, ms: 1 })?.checker, 'a-plugins', 'a plugin checker’s result is a result too');
    assert.equal(storedResult({ checker: 'nope' }), undefined, 'no verdict: not a result');
    assert.equal(storedResult(undefined), undefined);
  });

  it('every workload names a known checker, with a model exactly when it needs one', () => {
    for (const w of workloads()) {
      const c = checkerFor(w.checker);
      assert.equal(w.model !== undefined, c.needsModel === true, w.name);
    }
    assert.equal(builtinRegistry().workload('register').checker, 'linearizable');
    assert.equal(builtinRegistry().workload('set').checker, 'set');
  });

  it('every workload declares each operation it generates and reads with (targets are matched on them)', () => {
    for (const w of workloads()) {
      const ops = [...sampleOps(w, 7, 2000), ...w.finalOps()];
      for (const op of ops) {
        assert.ok(Object.hasOwn(w.operations, op.f), `${w.name}: ${op.f}`);
        assert.ok(w.operations[op.f].safeParse(op.value).success, `${w.name}: ${op.f} ${JSON.stringify(op.value)}`);
      }
      const used = new Set(ops.map((op) => op.f));
      assert.deepEqual(Object.keys(w.operations).filter((f) => !used.has(f)), [], `${w.name} declares operations it never asks for`);
    }
  });
});

describe('workloads: set', () => {
  it('adds unique integers, in one stream shared by every process, and reads once at the end', () => {
    const w = builtinRegistry().workload('set');
    const drawn = sampleOps(w, 42, 1000);
    assert.ok(drawn.every((op) => op.f === 'add' && op.key === undefined && Number.isInteger(op.value)));
    assert.equal(new Set(drawn.map((op) => op.value)).size, 1000, 'no element twice');
    assert.deepEqual(w.finalOps(), [{ f: 'read', value: null }]);
    assert.deepEqual(sampleOps(w, 42, 5), drawn.slice(0, 5), 'a fresh stream starts over: same seed, same ops');
  });
});
