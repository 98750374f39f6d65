import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHistoryFile } from '../../../checkers/formats/index.js';
import { check } from '../../../checkers/linearizability/index.js';
import type { Op } from '../../../checkers/history/op.js';
import { HistoryRecorder } from '../../../harness/store/recorder.js';
import { HistoryRuleError } from '../../../harness/store/rules.js';
import { tempDirs } from './helpers.js';

describe('harness/store: HistoryRecorder', () => {
  const tmp = tempDirs();

  /** A recorder on a fresh directory with a clock that ticks 1 µs per op. */
  function recorder(): HistoryRecorder {
    let t = 0;
    return HistoryRecorder.open(tmp(), { clock: () => (t += 1000), fsyncOnClose: false });
  }

  it('numbers ops densely from 0 and writes lines the reader reads back as the same ops', async () => {
    const rec = recorder();
    const written: Op[] = [
      rec.record({ process: 0, type: 'invoke', f: 'write', key: 'x', value: 3 }),
      rec.record({ process: 1, type: 'invoke', f: 'read', key: 'x' }),
      rec.record({ process: 'nemesis', type: 'info', f: 'start-partition', value: [['n1'], ['n2', 'n3']] }),
      rec.record({ process: 0, type: 'ok', f: 'write', key: 'x', value: 3, node: 'n1' }),
      rec.record({ process: 1, type: 'info', f: 'read', key: null, value: undefined, error: 'timeout' }),
      rec.record({ process: 6, type: 'invoke', f: 'cas', value: [3, 4], time: 99_000 }),
      rec.record({ process: 6, type: 'fail', f: 'cas', value: [3, 4], error: { why: 'mismatch' }, time: 99_500 }),
    ];
    assert.equal(rec.count, 7);
    rec.close();
    assert.deepEqual(
      written.map((o) => o.index),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      written.map((o) => o.time),
      [1000, 2000, 3000, 4000, 5000, 99_000, 99_500],
    );
    const h = await readHistoryFile(rec.path);
    assert.deepEqual(h.ops, written);
    // Fields in the documented order, absent value written as null, null key and undefined fields dropped.
    const lines = readFileSync(rec.path, 'utf8').split('\n');
    assert.equal(lines[1], '{"index":1,"time":2000,"process":1,"type":"invoke","f":"read","key":"x","value":null}');
    assert.equal(lines[4], '{"index":4,"time":5000,"process":1,"type":"info","f":"read","value":null,"error":"timeout"}');
    assert.equal(lines[7], '');
  });

  it('writes each op before record returns, with nothing held back', () => {
    const rec = recorder();
    for (let i = 0; i < 50; i++) {
      rec.record({ process: i % 3, type: 'invoke', f: 'read' });
      rec.record({ process: i % 3, type: 'ok', f: 'read', value: i });
      const text = readFileSync(rec.path, 'utf8');
      assert.equal(text.split('\n').length - 1, 2 * (i + 1));
    }
    rec.close();
  });

  it('records a history the checker judges (linearizable here)', async () => {
    const rec = recorder();
    rec.record({ process: 0, type: 'invoke', f: 'write', value: 1 });
    rec.record({ process: 1, type: 'invoke', f: 'read' });
    rec.record({ process: 0, type: 'ok', f: 'write', value: 1 });
    rec.record({ process: 1, type: 'ok', f: 'read', value: 1 });
    rec.record({ process: 0, type: 'invoke', f: 'cas', value: [1, 2] });
    rec.record({ process: 0, type: 'info', f: 'cas', value: [1, 2] });
    rec.record({ process: 5, type: 'invoke', f: 'read' });
    rec.record({ process: 5, type: 'ok', f: 'read', value: 2 });
    rec.close();
    const result = await check(await readHistoryFile(rec.path), 'cas-register');
    assert.equal(result.valid, true);
  });

  it('uses a monotonic clock of its own when given none', () => {
    const rec = HistoryRecorder.open(tmp(), { fsyncOnClose: false });
    const a = rec.record({ process: 0, type: 'invoke', f: 'read' });
    const b = rec.record({ process: 0, type: 'ok', f: 'read' });
    rec.close();
    assert.ok(Number.isInteger(a.time) && a.time >= 0);
    assert.ok(b.time >= a.time);
  });

  describe('refuses what breaks the history rules, writing nothing', () => {
    function refuses(setup: (r: HistoryRecorder) => void, bad: Parameters<HistoryRecorder['record']>[0], message: RegExp) {
      const rec = recorder();
      setup(rec);
      const before = readFileSync(rec.path, 'utf8');
      const count = rec.count;
      assert.throws(() => rec.record(bad), (e: unknown) => e instanceof HistoryRuleError && message.test(e.message));
      assert.equal(readFileSync(rec.path, 'utf8'), before);
      assert.equal(rec.count, count);
      // Still usable: the next good op takes the next index.
      assert.equal(rec.record({ process: 'nemesis', type: 'info', f: 'noop', time: 1e12 }).index, count);
      rec.close();
    }

    it('an invoke on a process with an op in flight', () => {
      refuses(
        (r) => r.record({ process: 2, type: 'invoke', f: 'write', value: 1 }),
        { process: 2, type: 'invoke', f: 'read' },
        /process 2 invokes read while its write \(index 0\) is still pending/,
      );
    });

    it('a completion of another f than the one pending', () => {
      refuses(
        (r) => r.record({ process: 2, type: 'invoke', f: 'write', value: 1 }),
        { process: 2, type: 'ok', f: 'read', value: 1 },
        /process 2 completes read \(ok\) but its pending invocation \(index 0\) is write/,
      );
    });

    it('a completion on another key than the invocation', () => {
      refuses(
        (r) => r.record({ process: 2, type: 'invoke', f: 'read', key: 'x' }),
        { process: 2, type: 'ok', f: 'read', key: 'y', value: 1 },
        /on key "y" but invoked it \(index 0\) on key "x"/,
      );
    });

    it('a completion with nothing pending', () => {
      refuses(() => {}, { process: 0, type: 'fail', f: 'cas' }, /process 0 completes cas \(fail\) with no pending invocation/);
    });

    it('an invoke by a process that got info, and a second completion of it', () => {
      const info = (r: HistoryRecorder) => {
        r.record({ process: 3, type: 'invoke', f: 'write', value: 1 });
        r.record({ process: 3, type: 'info', f: 'write', value: 1 });
      };
      refuses(info, { process: 3, type: 'invoke', f: 'read' }, /process 3 invokes read after it got info at index 1: .*fresh process id/);
      refuses(info, { process: 3, type: 'info', f: 'write' }, /no pending invocation \(it was retired by the info at index 1\)/);
    });

    it('time going backwards', () => {
      refuses(
        (r) => r.record({ process: 0, type: 'invoke', f: 'read', time: 5000 }),
        { process: 0, type: 'ok', f: 'read', time: 4999 },
        /time 4999 is before the previous op's 5000/,
      );
    });

    it('ops the reader would refuse, and values JSON cannot hold', () => {
      refuses(() => {}, { process: 1.5, type: 'invoke', f: 'read' }, /process must be an integer/);
      refuses(() => {}, { process: 1, type: 'invoke', f: '' }, /f must be a non-empty string/);
      refuses(() => {}, { process: 1, type: 'done' as 'ok', f: 'read' }, /type must be invoke, ok, fail or info, not "done"/);
      refuses(() => {}, { process: 1, type: 'invoke', f: 'read', key: [1] as unknown as string }, /key must be a string or a number/);
      refuses(() => {}, { process: 1, type: 'invoke', f: 'read', time: Number.NaN }, /time must be a finite number/);
      refuses(() => {}, { process: 1, type: 'invoke', f: 'write', value: 10n }, /cannot be written as JSON/);
    });
  });

  it('lets the nemesis do anything: its ops follow no client rule', () => {
    const rec = recorder();
    for (const type of ['info', 'info', 'ok', 'invoke', 'invoke', 'fail'] as const) rec.record({ process: 'nemesis', type, f: 'start' });
    assert.equal(rec.count, 6);
    rec.close();
  });

  it('reports the processes with an op in flight', () => {
    const rec = recorder();
    rec.record({ process: 0, type: 'invoke', f: 'read' });
    rec.record({ process: 1, type: 'invoke', f: 'read' });
    rec.record({ process: 0, type: 'ok', f: 'read' });
    assert.deepEqual(rec.pendingProcesses(), [1]);
    rec.close();
  });

  it('is the only writer: a second recorder on the same run directory is refused', () => {
    const dir = tmp();
    const rec = HistoryRecorder.open(dir, { fsyncOnClose: false });
    assert.throws(() => HistoryRecorder.open(dir), /history\.jsonl already exists/);
    rec.close();
  });

  it('refuses ops once closed; closing twice is harmless; `using` closes it', () => {
    const rec = recorder();
    rec.close();
    rec.close();
    assert.equal(rec.closed, true);
    assert.throws(() => rec.record({ process: 0, type: 'invoke', f: 'read' }), /the recorder is closed/);

    const dir = tmp();
    let outer: HistoryRecorder;
    {
      using r = HistoryRecorder.open(dir);
      r.record({ process: 0, type: 'invoke', f: 'read' });
      outer = r;
      assert.equal(r.closed, false);
    }
    assert.equal(outer.closed, true);
    assert.equal(readFileSync(join(dir, 'history.jsonl'), 'utf8').split('\n').length, 2);
  });
});
