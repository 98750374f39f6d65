import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaultJournal, JOURNAL_FILE, pendingFaults } from '../../harness/runtimes/external/journal.js';
import type { UndoStep } from '../../harness/runtimes/external/method.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');

function heal(dir: string) {
  const r = spawnSync(process.execPath, [bin, 'heal', dir], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A run directory whose journal holds these faults, in order; returns their ids. */
function run(faults: { kind: string; nodes: string[]; undo: UndoStep[]; healed?: boolean }[]): { dir: string; ids: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-heal-'));
  const { journal } = FaultJournal.open(dir);
  const ids = faults.map((f) => {
    const id = journal.applying(f.kind, f.nodes, f.undo);
    if (f.healed) journal.healed(id);
    return id;
  });
  journal.close();
  return { dir, ids };
}
const exec = (command: string): UndoStep => ({ method: 'exec', command });

describe('cli: faultline heal', () => {
  it('undoes every fault left in force, the last first, says so one line per fault, and exits 0', () => {
    const state = mkdtempSync(join(tmpdir(), 'faultline-heal-state-'));
    mkdirSync(join(state, 'n1-drops-n2'));
    const { dir, ids } = run([
      { kind: 'partition', nodes: ['n1', 'n2'], undo: [exec(`rmdir ${state}/n1-drops-n2 && echo partition >> ${state}/order`)] },
      { kind: 'kill', nodes: ['n3'], undo: [exec(`echo restart >> ${state}/order`)], healed: true },
      { kind: 'pause', nodes: ['n2'], undo: [exec(`echo resume >> ${state}/order`)] },
    ]);
    const r = heal(dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [`healed ${ids[2]} pause n2`, `healed ${ids[0]} partition n1 n2`]);
    assert.equal(readFileSync(join(state, 'order'), 'utf8'), 'resume\npartition\n');
    assert.ok(!existsSync(join(state, 'n1-drops-n2')));
    assert.deepEqual(pendingFaults(dir).pending, []);
    const log = readFileSync(join(dir, 'run.log'), 'utf8');
    assert.match(log, /INFO  heal f3 pause: \$ echo resume/);
    assert.match(log, /INFO  healed f1 partition n1 n2/);

    const again = heal(dir);
    assert.equal(again.code, 0);
    assert.equal(again.stdout, 'nothing to heal\n');
  });

  it('goes on past a fault it cannot undo, names it, keeps it pending, and exits 1', () => {
    const state = mkdtempSync(join(tmpdir(), 'faultline-heal-state-'));
    const { dir, ids } = run([
      { kind: 'kill', nodes: ['n1'], undo: [exec(`touch ${state}/n1-restarted`)] },
      { kind: 'partition', nodes: ['n2', 'n3'], undo: [exec(`echo 'ssh: connect to host n2 port 22: No route to host' >&2; exit 255`), exec(`touch ${state}/second-step`)] },
      { kind: 'pause', nodes: ['n3'], undo: [exec(`touch ${state}/n3-resumed`)] },
    ]);
    const r = heal(dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`NOT healed ${ids[1]} partition n2 n3: heal ${ids[1]} partition step 1: .* exited with status 255: ssh: connect to host n2 port 22: No route to host`));
    assert.match(r.stdout, new RegExp(`healed ${ids[0]} kill n1`));
    assert.match(r.stderr, new RegExp(`^faultline: 1 of 3 faults not healed \\(${ids[1]}\\)`));
    assert.ok(['n1-restarted', 'n3-resumed', 'second-step'].every((f) => existsSync(join(state, f))), 'the other faults and steps were undone');
    assert.deepEqual(
      pendingFaults(dir).pending.map((e) => e.id),
      [ids[1]],
    );
    assert.match(readFileSync(join(dir, 'run.log'), 'utf8'), /ERROR faultline heal: 1 of 3 faults not healed/);
  });

  it('says "nothing to heal" when every fault was undone by the run', () => {
    const { dir } = run([{ kind: 'kill', nodes: ['n1'], undo: [exec('false')], healed: true }]);
    const r = heal(dir);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'nothing to heal\n');
  });

  it('drops a torn last line and heals the rest', () => {
    const state = mkdtempSync(join(tmpdir(), 'faultline-heal-state-'));
    const { dir, ids } = run([{ kind: 'kill', nodes: ['n1'], undo: [exec(`touch ${state}/restarted`)] }]);
    appendFileSync(join(dir, JOURNAL_FILE), '{"id":"f2","at":"2026-01-0');
    const r = heal(dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /torn last line/);
    assert.match(r.stdout, new RegExp(`healed ${ids[0]} kill n1`));
    assert.ok(existsSync(join(state, 'restarted')));
    assert.deepEqual(pendingFaults(dir), { pending: [] });
  });

  it('exits 254 with one line for a directory with no journal, an unreadable one, or none at all', () => {
    const empty = mkdtempSync(join(tmpdir(), 'faultline-heal-'));
    const cases: [string, RegExp][] = [
      [empty, /no fault journal \(faults\.jsonl\)/],
      [join(empty, 'missing'), /no such directory/],
    ];
    const broken = mkdtempSync(join(tmpdir(), 'faultline-heal-'));
    writeFileSync(join(broken, JOURNAL_FILE), 'not json\n{"id":"f1","healed":true}\n');
    cases.push([broken, /faults\.jsonl line 1: not a fault journal record/]);
    for (const [dir, error] of cases) {
      const r = heal(dir);
      assert.equal(r.code, 254, dir);
      assert.match(r.stderr, error);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.ok(!existsSync(join(empty, 'run.log')), 'a directory that is not a run gains no run.log');
  });
});
