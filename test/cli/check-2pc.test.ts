import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');
const fixture = (name: string) => join(root, 'test/fixtures/histories', name);
const valid = fixture('2pc-valid.jsonl');
const partial = fixture('2pc-partial-commit.jsonl');
const malformed = fixture('2pc-malformed.jsonl');

function faultline(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root, input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: faultline check --checker 2pc', () => {
  it('exits 0 on a history where every transfer committed all-or-nothing, with the counts in the table', () => {
    const r = faultline(['check', '--checker', '2pc', valid]);
    assert.equal(r.code, 0, r.stderr);
    // transfers 4: ok 1, fail 1, info 2; committed 2 (0 and the info 2), aborted 2; 1 read; no anomaly.
    assert.match(r.stdout, /2pc-valid\.jsonl\s*│\s*valid\s*│\s*4\s*│\s*1\s*│\s*1\s*│\s*2\s*│\s*2\s*│\s*2\s*│\s*0\s*│\s*1\s*│\s*none\s*│/);
    assert.doesNotMatch(r.stdout, /2pc-valid\.jsonl\n/, 'no explanation for a valid file');
  });

  it('exits 1 on a partial commit, with the prose naming the transfer, its lines and the participants', () => {
    const r = faultline(['check', '--checker', '2pc', valid, partial]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /2pc-partial-commit\.jsonl\s*│\s*INVALID\s*│.*partial-commit 1, lost-commit 1, balance-not-conserved 1/);
    assert.match(
      r.stdout,
      /1 transfer committed at some of its participants but not all \(partial commit\): 2\. Transfer 2 \(process 2, ok, lines 8–9; 7 from account 4 to 5\) committed at p2 but not at p3: the final read by process 9 \(lines 13–14\) holds its marker at p2 only\./,
    );
    assert.match(r.stdout, /The total of all balances is not conserved: it should be 600 \(from the first ok read\)\. The final read by process 9 \(lines 13–14\) totals 593: 7 vanished\./);
  });

  it('--json: one object per file, with the counts and the anomalies as evidence', () => {
    const r = faultline(['check', '-c', '2pc', '--json', partial]);
    assert.equal(r.code, 1);
    const row = JSON.parse(r.stdout);
    assert.deepEqual([row.checker, row.valid, row.format, row.counts.partial, row.anomalyCounts['partial-commit'], row.totalFrom, row.expectedTotal, row.finalTotal], ['2pc', false, 'jsonl', 1, 1, 'first-read', 600, 593]);
    const a = row.anomalies[0];
    assert.deepEqual([a.kind, a.id, a.presentAt, a.absentAt, a.transfer.line, a.transfer.completeLine], ['partial-commit', 2, ['p2'], ['p3'], 8, 9]);
  });

  it('--checker-options gives the total: the right one keeps it valid, a wrong one is a balance anomaly', () => {
    assert.equal(faultline(['check', '-c', '2pc', '--checker-options', '{"total": 600}', valid]).code, 0);
    const r = faultline(['check', '-c', '2pc', '--checker-options', '{"total": 601}', valid]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /it should be 601 \(from the checker’s total option\)\. The final read by process 9 \(lines 13–14\) totals 600: 1 vanished\. 1 ok read totals otherwise/);
  });

  it('bad --checker-options are a usage error: exit 254, one line, before any file is read', () => {
    for (const [opts, message] of [
      ['{total', /^faultline: --checker-options must be a JSON object, got \{total\n$/],
      ['[600]', /^faultline: --checker-options must be a JSON object/],
      ['{"total": "600"}', /^faultline: the 2pc checker's total must be a number, got "600"\n$/],
      ['{"totl": 600}', /^faultline: the 2pc checker has no option 'totl' \(known: total\)\n$/],
    ] as const) {
      const r = faultline(['check', '-c', '2pc', '--checker-options', opts, 'no-such-file.jsonl']);
      assert.equal(r.code, 254, opts);
      assert.match(r.stderr, message);
    }
    const set = faultline(['check', '-c', 'set', '--checker-options', '{"total": 1}', valid]);
    assert.equal(set.code, 254);
    assert.equal(set.stderr, "faultline: the set checker has no option 'total' (known: none)\n");
  });

  it('exits 254 on a malformed history, naming the file and line in one line', () => {
    const r = faultline(['check', '--checker', '2pc', malformed]);
    assert.equal(r.code, 254);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^faultline: .*2pc-malformed\.jsonl:3: transfer invoked with \{"from":2,"to":3,"amount":5\}: its value must be \{id: <integer>/);
  });

  it('exits 2 without a final read (the valid history cut before it, on standard input)', () => {
    const cut = readFileSync(valid, 'utf8').split('\n').filter((l) => l && !l.includes('"final-read"')).join('\n');
    const r = faultline(['check', '--checker', '2pc', '-'], cut);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /<stdin>\s*│\s*unknown\s*│\s*4\s*│/);
    assert.match(r.stdout, /Unknown: no final read: no final-read completed ok, so nothing says which transfers committed where\./);
  });

  it('a history of another workload is bad input for it: its reads are not the bank’s', () => {
    const r = faultline(['check', '--checker', '2pc', join(root, 'examples/register-ok.jsonl')]);
    assert.equal(r.code, 254);
    assert.match(r.stderr, /^faultline: .*register-ok\.jsonl:\d+: read returned null: its value must be \{since: <integer>/);
  });
});
