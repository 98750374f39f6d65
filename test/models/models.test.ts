import assert from 'node:assert/strict';
import { MODELS, modelFor } from '../../checkers/models/index.js';
import { isInputError } from '../../checkers/errors.js';

describe('models', () => {
  it('cas-register refuses a stale read with the reason', () => {
    const m = modelFor('cas-register');
    const s = m.step(m.init(), { f: 'write', value: 4 });
    assert.ok(s.ok);
    const r = m.step(s.state, { f: 'read', value: 3 });
    assert.deepEqual(r, { ok: false, reason: "can't read 3 from register 4" });
  });

  it('unknown model names are input errors listing the known ones', () => {
    assert.throws(() => modelFor('nope'), (e: unknown) => isInputError(e) && /unknown model 'nope'.*cas-register/.test((e as Error).message));
  });

  it('every model validates its own operations and rejects foreign ones', () => {
    for (const name of Object.keys(MODELS)) {
      const m = modelFor(name);
      assert.match(m.validate!({ f: 'frobnicate', value: null }) ?? '', /no operation 'frobnicate'/, name);
    }
  });
});
