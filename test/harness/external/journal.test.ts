import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../harness/errors.js';
import { FaultJournal, JOURNAL_FILE, pendingFaults } from '../../../harness/runtimes/external/journal.js';
import type { UndoStep } from '../../../harness/runtimes/external/method.js';

const runDir = () => mkdtempSync(join(tmpdir(), 'faultline-journal-'));
const exec = (command: string): UndoStep => ({ method: 'exec', command });

describe('fault journal', () => {
  it('has each record on disk and flushed when applying returns, before the fault is made', () => {
    const dir = runDir();
    const synced: string[] = [];
    // What the file holds at each fsync: the record is written whole before it is flushed.
    const { journal } = FaultJournal.open(dir, { fsync: () => synced.push(readFileSync(join(dir, JOURNAL_FILE), 'utf8')) });
    const id = journal.applying('partition', ['n1', 'n2'], [exec('iptables -D INPUT -s 10.0.0.2 -j DROP')]);
    assert.equal(synced.length, 1);
    const line = JSON.parse(synced[0].trimEnd());
    assert.deepEqual({ ...line, at: undefined }, { id, at: undefined, kind: 'partition', nodes: ['n1', 'n2'], undo: [exec('iptables -D INPUT -s 10.0.0.2 -j DROP')] });
    assert.ok(!Number.isNaN(Date.parse(line.at)));
    journal.healed(id);
    assert.equal(synced.length, 2);
    assert.deepEqual(JSON.parse(synced[1].split('\n')[1]), { id, healed: true });
    journal.close();
  });

  it('gives the unhealed faults, the last applied first', () => {
    const dir = runDir();
    const { journal } = FaultJournal.open(dir);
    const a = journal.applying('kill', ['n1'], [exec('start n1')]);
    const b = journal.applying('partition', ['n2', 'n3'], [exec('heal n2 n3')]);
    const c = journal.applying('pause', ['n3'], [exec('resume n3')]);
    journal.healed(b);
    journal.close();
    const { pending, torn } = pendingFaults(dir);
    assert.deepEqual(
      pending.map((e) => e.id),
      [c, a],
    );
    assert.equal(torn, undefined);
  });

  it('numbers on after the faults already recorded when opened again', () => {
    const dir = runDir();
    const first = FaultJournal.open(dir).journal;
    const a = first.applying('kill', ['n1'], []);
    first.close();
    const again = FaultJournal.open(dir).journal;
    const b = again.applying('kill', ['n2'], []);
    again.close();
    assert.notEqual(a, b);
    assert.deepEqual(
      pendingFaults(dir).pending.map((e) => e.id),
      [b, a],
    );
  });

  it('tolerates a torn last line, reports it, and cuts it off before appending', () => {
    const dir = runDir();
    const { journal } = FaultJournal.open(dir);
    const a = journal.applying('kill', ['n1'], [exec('start n1')]);
    journal.close();
    appendFileSync(join(dir, JOURNAL_FILE), '{"id":"f2","at":"2026-01-01T00:00:00.000Z","kind":"parti');
    const read = pendingFaults(dir);
    assert.deepEqual(
      read.pending.map((e) => e.id),
      [a],
    );
    assert.equal(read.torn, '{"id":"f2","at":"2026-01-01T00:00:00.000Z","kind":"parti');
    const reopened = FaultJournal.open(dir);
    assert.equal(reopened.torn, read.torn);
    reopened.journal.healed(a);
    reopened.journal.close();
    // The torn text is gone, not left as a broken middle line.
    assert.deepEqual(pendingFaults(dir), { pending: [] });
  });

  it('refuses a malformed line anywhere but last, and a last line that ends in a newline', () => {
    const dir = runDir();
    const good = JSON.stringify({ id: 'f1', at: '2026-01-01T00:00:00.000Z', kind: 'kill', nodes: ['n1'], undo: [] });
    writeFileSync(join(dir, JOURNAL_FILE), `${good}\n{"id":"f2","at":\n${good.replace('f1', 'f3')}\n`);
    assert.throws(
      () => pendingFaults(dir),
      (e: Error) => e instanceof UsageError && e.message.includes(`${JOURNAL_FILE} line 2: not a fault journal record`),
    );
    writeFileSync(join(dir, JOURNAL_FILE), `${good}\n{"id":"f2"\n`);
    assert.throws(() => pendingFaults(dir), /line 2: not a fault journal record/);
    assert.throws(() => FaultJournal.open(dir), /line 2: not a fault journal record/);
  });

  it('refuses records faultline would not write: a bad shape, a literal secret, a heal of nothing, an id twice', () => {
    const dir = runDir();
    const rec = (o: object) => JSON.stringify({ id: 'f1', at: '2026-01-01T00:00:00.000Z', kind: 'kill', nodes: ['n1'], undo: [], ...o });
    const cases: [string, RegExp][] = [
      [rec({ nodes: 'n1' }), /line 1: not a fault journal record/],
      [rec({ undo: [{ method: 'telnet', command: 'x' }] }), /line 1: not a fault journal record/],
      [rec({ undo: [{ method: 'ssh', script: 'x', login: { host: 'h', port: 22, user: 'root', password: 'hunter2' } }] }), /line 1: not a fault journal record/],
      [JSON.stringify({ id: 'f9', healed: true }), /line 1: fault f9 is healed but was never applied/],
      [`${rec({})}\n${rec({})}`, /line 2: fault f1 is recorded twice/],
    ];
    for (const [text, error] of cases) {
      writeFileSync(join(dir, JOURNAL_FILE), text + '\n');
      assert.throws(() => pendingFaults(dir), error, text);
    }
  });

  it('is a usage error where there is no journal', () => {
    assert.throws(
      () => pendingFaults(runDir()),
      (e: Error) => e instanceof UsageError && /no fault journal \(faults\.jsonl\)/.test(e.message),
    );
  });

  it('holds references to secrets, never their values', () => {
    const dir = runDir();
    const secret = 'correct horse battery staple 7f3a';
    process.env.FAULTLINE_TEST_SSH_PASSWORD = secret;
    try {
      const { journal } = FaultJournal.open(dir);
      journal.applying('partition', ['n1'], [{ method: 'ssh', login: { host: 'n1', port: 22, user: 'root', password: { env: 'FAULTLINE_TEST_SSH_PASSWORD' }, key: { file: '/keys/id' } }, script: 'iptables -F' }]);
      journal.close();
      const text = readFileSync(join(dir, JOURNAL_FILE), 'utf8');
      assert.ok(text.includes('FAULTLINE_TEST_SSH_PASSWORD'));
      assert.ok(!text.includes(secret));
      assert.equal(pendingFaults(dir).pending.length, 1);
    } finally {
      delete process.env.FAULTLINE_TEST_SSH_PASSWORD;
    }
  });
});
