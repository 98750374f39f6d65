import assert from 'node:assert/strict';
import { sampleOps } from '../../support/workload-sample.js';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DecisionLog, DECISION_LOG } from '../../../targets/pg-2pc/decision-log.js';
import { accountsOf, gidOf, idOfGid, participantNames, participantsOf } from '../../../targets/pg-2pc/protocol.js';
import { bank } from '../../../workloads/bank.js';

const bin = join(fileURLToPath(new URL('../../../../', import.meta.url)), 'bin/faultline.js');

describe('pg-2pc: the pieces that need no PostgreSQL', () => {
  it('the decision log keeps every fsynced decision across a restart, and cuts off a torn last line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-decisions-'));
    const log = new DecisionLog(dir);
    log.commit(3, ['p1', 'p2']);
    log.commit(7, ['p2', 'p3']);
    log.close();
    // A crash in the middle of the next append: half a line, never fsynced, so never acted on.
    appendFileSync(join(dir, DECISION_LOG), '{"commit":9,"partic');
    const again = new DecisionLog(dir);
    assert.deepEqual([again.has(3), again.has(7), again.has(9), again.size], [true, true, false, 2]);
    again.commit(11, ['p1', 'p3']);
    again.close();
    assert.deepEqual(readFileSync(join(dir, DECISION_LOG), 'utf8').trim().split('\n').map((l) => JSON.parse(l).commit), [3, 7, 11]);
  });

  it('lays out accounts over participants (a mod P) and names the transactions fl-<id>', () => {
    const names = participantNames(3);
    assert.deepEqual(names, ['p1', 'p2', 'p3']);
    assert.deepEqual([0, 1, 2].map((i) => accountsOf(i, 3)), [[0, 3], [1, 4], [2, 5]]);
    assert.deepEqual(participantsOf({ from: 5, to: 0 }, names), ['p1', 'p3']);
    assert.deepEqual(participantsOf({ from: 1, to: 4 }, names), ['p2']);
    assert.equal(idOfGid(gidOf(42)), 42);
    assert.equal(idOfGid('fl-x'), undefined);
    assert.equal(idOfGid('other-1'), undefined);
  });

  it('the bank workload: unique increasing ids, accounts on different participants, about one read in five', () => {
    const ops = sampleOps(bank, 7, 2000);
    const transfers = ops.filter((o) => o.f === 'transfer').map((o) => o.value as { id: number; from: number; to: number; amount: number });
    assert.deepEqual(transfers.map((t) => t.id), transfers.map((_, i) => i));
    for (const t of transfers) {
      assert.ok(t.from >= 0 && t.from < 6 && t.to >= 0 && t.to < 6 && t.from % 3 !== t.to % 3, JSON.stringify(t));
      assert.ok(t.amount >= 1 && t.amount <= 5);
    }
    const reads = ops.filter((o) => o.f === 'read');
    assert.ok(reads.length > 300 && reads.length < 500, `${reads.length} reads`);
    assert.ok(reads.every((r) => Number.isInteger((r.value as { since: number }).since) && (r.value as { since: number }).since >= 0));
    assert.deepEqual(sampleOps(bank, 7, 1)[0], ops[0], 'seeded');
    assert.deepEqual(bank.finalOps(), [{ f: 'final-read', value: null }]);
  });

  it('faultline coordinator: an unknown target or bug is one line and exit 254', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-coordinator-'));
    const common = ['--id', 'c1', '--listen', '127.0.0.1:0', '--participants', 'p1=127.0.0.1:1', '--data-dir', dir];
    for (const args of [['nope', ...common], ['pg-2pc', ...common, '--bug', 'nope']]) {
      const r = spawnSync(process.execPath, [bin, 'coordinator', ...args], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(r.status, 254, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
