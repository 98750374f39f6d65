import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');
const fixture = (name: string) => join(root, 'test/fixtures/histories', name);
const lost = fixture('set-lost.jsonl');
const valid = fixture('set-valid.jsonl');

function faultline(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: faultline check --checker set', () => {
  it('exits 0 on a history where every acknowledged add was read, with the counts in the table', () => {
    const r = faultline(['check', '--checker', 'set', valid]);
    assert.equal(r.code, 0, r.stderr);
    // attempted 5, acknowledged 3, lost 0, unexpected 0, recovered 1 (the info add of 1).
    assert.match(r.stdout, /set-valid\.jsonl\s*│\s*valid\s*│\s*5\s*│\s*3\s*│\s*0\s*│\s*0\s*│\s*1\s*│/);
  });

  it('exits 1 on a history that lost acknowledged adds, naming them and the add that made each', () => {
    const r = faultline(['check', '--checker', 'set', valid, lost]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /set-lost\.jsonl\s*│\s*INVALID/);
    assert.match(r.stdout, /2 of 5 acknowledged adds were lost: 2, 3 \(2 was added by process 0 \(lines 6–7\)/);
    assert.doesNotMatch(r.stdout, /set-valid\.jsonl\n/, 'no explanation for the valid file');
  });

  it('--json: one object per file, with the counts and the lost adds as evidence', () => {
    const r = faultline(['check', '-c', 'set', '--json', lost]);
    assert.equal(r.code, 1);
    const row = JSON.parse(r.stdout);
    assert.deepEqual([row.checker, row.valid, row.format, row.counts.lost, row.counts.acknowledged], ['set', false, 'jsonl', 2, 5]);
    assert.deepEqual(row.lost.map((a: { element: number; line: number }) => [a.element, a.line]), [[2, 6], [3, 8]]);
  });

  it('exits 2 when the history has no usable final read', () => {
    const r = faultline(['check', '--checker', 'set', join(root, 'examples/register-ok.jsonl')]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /Unknown: the final read \(line \d+\) returned 3, not a list of elements/);
  });

  it('an unknown checker, or a model for the set checker, is a usage error: exit 254, one line', () => {
    const unknown = faultline(['check', '--checker', 'nope', valid]);
    assert.equal(unknown.code, 254);
    assert.equal(unknown.stderr, "faultline: unknown checker 'nope' (known: linearizable, set, 2pc, lock, cache, log)\n");
    const model = faultline(['check', '--checker', 'set', '--model', 'cas-register', valid]);
    assert.equal(model.code, 254);
    assert.equal(model.stderr.trim().split('\n').length, 1, model.stderr);
    assert.match(model.stderr, /--model applies to the linearizable checker/);
  });

  it('the default checker is still linearizable, and needs its model', () => {
    const r = faultline(['check', valid]);
    assert.equal(r.code, 254);
    assert.match(r.stderr, /--model is required/);
  });
});
