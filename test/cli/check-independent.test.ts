import assert from 'node:assert/strict';
import { join } from 'node:path';
import { faultline, root, tempFiles } from '../support/cli.js';

const fixture = (name: string) => join(root, 'test/fixtures/histories', name);
const file = tempFiles('faultline-independent-');

describe('cli: faultline check --independent (jepsen.independent histories)', () => {
  for (const ext of ['edn', 'jsonl']) {
    it(`${ext}: a history linearizable key by key, but not as one register, is linearizable with --independent`, () => {
      const ok = fixture(`independent-ok.${ext}`);
      const r = faultline(['check', '--model', 'cas-register', '--independent', '--json', ok]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const row = JSON.parse(r.stdout) as { valid: unknown; keys: number; ops: number };
      assert.deepEqual([row.valid, row.keys, row.ops], [true, 2, 6]);
      // Without the flag it is one register whose values are tuples, and that register is not linearizable.
      assert.equal(faultline(['check', '--model', 'cas-register', ok]).code, 1);
    });

    it(`${ext}: a history not linearizable on one key is refuted, naming that key`, () => {
      const r = faultline(['check', '--model', 'cas-register', '--independent', fixture(`independent-bad.${ext}`)]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /NOT linearizable/);
      assert.match(r.stdout, /Key 2 is not linearizable: no order of its operations explains process 0 read 7/);
      assert.doesNotMatch(r.stdout, /Key 1 is not/);
      const json = JSON.parse(faultline(['check', '--model', 'cas-register', '--independent', '--json', fixture(`independent-bad.${ext}`)]).stdout);
      assert.deepEqual(json.anomalies.map((a: { key: unknown }) => a.key), [2]);
    });
  }

  it('a client op whose value is not a [key value] tuple is bad input naming its line', () => {
    const f = file('not-independent.jsonl', '{"process":0,"type":"invoke","f":"write","value":[1,1]}\n{"process":0,"type":"ok","f":"write","value":[1,1]}\n{"process":1,"type":"invoke","f":"read","value":null}\n');
    const r = faultline(['check', '--model', 'cas-register', '--independent', f]);
    assert.equal(r.code, 254);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /not-independent\.jsonl:3: .*\[key value\] tuple/);
  });

  it('applies to the linearizable checker only: a usage error for set and 2pc', () => {
    for (const c of ['set', '2pc']) {
      const r = faultline(['check', '-c', c, '--independent', fixture('independent-ok.jsonl')]);
      assert.equal(r.code, 254, c);
      assert.match(r.stderr, new RegExp(`^faultline: --independent applies to the linearizable checker, not to ${c}\\n$`));
    }
  });
});
