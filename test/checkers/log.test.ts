import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isInputError } from '../../checkers/errors.js';
import type { Op } from '../../checkers/history/op.js';
import { checkLog, explainLog, presentLog, summarizeLog, type LogResult } from '../../checkers/log/index.js';
import { compareOffsets, offsetKind, SeenOffsets } from '../../checkers/log/offsets.js';
import { PRESENT_LIMITS, type Block } from '../../checkers/presentation.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { preflight } from '../../harness/preflight.js';
import { Rng } from '../../harness/rng.js';
import { processGenerator, type Workload } from '../../workloads/workload.js';
import { z } from 'zod';
import { LogHistoryBuilder, type Triple } from '../support/log-history.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
function faultline(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(root, 'bin/faultline.js'), ...args], { encoding: 'utf8', cwd: root, input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const counts = (r: LogResult) => r.anomalyCounts;
const NONE = { 'lost-write': 0, missing: 0, 'group-lost': 0, duplicate: 0, 'inconsistent-offsets': 0, 'nonmonotonic-poll': 0, skip: 0, phantom: 0 };
const only = (kind: keyof typeof NONE, n = 1) => ({ ...NONE, [kind]: n });

async function refused(ops: Op[], message: RegExp): Promise<void> {
  await assert.rejects(checkLog(ops), (e: unknown) => {
    assert.ok(isInputError(e), String(e));
    assert.match((e as Error).message, message);
    return true;
  });
}

describe('checkers: log offsets', () => {
  it('orders stream IDs by (ms, seq) as numbers, never as strings or floats', () => {
    assert.ok(compareOffsets('9-0', '10-0') < 0, "'9-0' < '10-0'");
    assert.ok(compareOffsets('1-10', '1-9') > 0);
    assert.ok(compareOffsets('1-18446744073709551615', '2-0') < 0, 'a 64-bit seq stays below the next millisecond');
    assert.ok(compareOffsets('1-18446744073709551614', '1-18446744073709551615') < 0, 'beyond a float’s exact range');
    assert.equal(compareOffsets('5-3', '5-3'), 0);
    assert.ok(compareOffsets(9, 10) < 0);
  });

  it('knows an offset from anything else', () => {
    assert.deepEqual([0, 7, '0-0', '1700000000000-12'].map(offsetKind), ['integer', 'integer', 'stream ID', 'stream ID']);
    assert.deepEqual([-1, 1.5, '7', '1-2-3', '-1-0', 'a-0', null, [1]].map(offsetKind), Array(8).fill(undefined));
  });

  it('ranks the offsets seen, and lists those between two', () => {
    const s = new SeenOffsets(['10-0', '9-0', '100-0', '9-1', '9-0']);
    assert.deepEqual(s.offsets, ['9-0', '9-1', '10-0', '100-0']);
    assert.deepEqual(['9-0', '10-0', '100-0'].map((o) => s.rank(o)), [0, 2, 3]);
    assert.deepEqual(s.between('9-0', '100-0'), ['9-1', '10-0']);
    assert.deepEqual(s.between('9-1', '10-0'), []);
    assert.deepEqual(s.between('9-5', '99-0'), ['10-0'], 'from an offset nobody saw');
  });
});

describe('checkers: log', () => {
  it('a correct log, read in order by assigned and subscribed consumers and drained, is valid', async () => {
    const h = new LogHistoryBuilder();
    h.assign(0, [0, 1]);
    h.subscribe(1);
    h.send(2, 1, [0, 0]);
    h.send(2, 2, [1, 0]);
    h.send(3, 3, [0, 1]);
    h.poll(0, [[0, 0, 1], [1, 0, 2], [0, 1, 3]]);
    h.send(3, 4, [0, 2]);
    h.poll(1, [[0, 0, 1], [0, 1, 3]]);
    h.poll(0, [[0, 2, 4]]);
    h.send(2, 5, 'info');
    h.send(6, 6, 'fail');
    h.drain(4, [[0, 0, 1], [0, 1, 3], [0, 2, 4], [1, 0, 2]]);
    const r = await checkLog(h.ops);
    assert.equal(r.checker, 'log');
    assert.equal(r.valid, true, explainLog(r));
    assert.deepEqual(counts(r), NONE);
    assert.deepEqual(r.counts, { sends: 6, sendsOk: 4, sendsFailed: 1, sendsInfo: 1, polls: 3, drains: 1, entriesRead: 10, valuesRead: 4, unseen: 0 });
    assert.deepEqual(
      r.partitions.map((p) => [p.partition, p.kind, p.offsetsSeen, p.acks, p.reads, p.maxRead]),
      [
        [0, 'integer', 3, 3, 8, 2],
        [1, 'integer', 1, 1, 2, 0],
      ],
    );
    assert.match(explainLog(r), /^No anomaly: .*\(4 of 6 sends acknowledged, 10 entries read by 3 polls and 1 drain\)\.$/);
    assert.deepEqual(summarizeLog(r), [['sends ok', 4], ['reads', 10], ['lost', 0], ['missing', 0], ['group lost', 0], ['duplicates', 0], ['inconsistent', 0], ['nonmonotonic', 0], ['skips', 0], ['phantoms', 0]]);
  });

  it('is unknown when nothing was read, and says so', async () => {
    const h = new LogHistoryBuilder();
    h.send(0, 1, [0, 0]);
    h.assign(1, [0]);
    h.poll(1, []);
    const r = await checkLog(h.ops);
    assert.equal(r.valid, 'unknown');
    assert.match(explainLog(r), /^Unknown: no poll or drain returned an entry/);
    assert.equal((await checkLog([])).valid, 'unknown');
  });

  describe('missing (the drain lacks an acknowledged send)', () => {
    it('an acknowledged send the drain lacks is missing, whether or not a poll read it first: with the send, the drain and the poll', async () => {
      // A Redis primary cut off by a partition: consumers on it read what it took, then Sentinel demoted it and
      // the new primary never had it (no read goes past it there: lost-write's rule alone cannot see it).
      const h = new LogHistoryBuilder();
      h.assign(0, [0]);
      const read = h.send(1, 1, [0, '1700000000001-0']);
      const unread = h.send(1, 2, [0, '1700000000002-0']);
      const poll = h.poll(0, [[0, '1700000000001-0', 1]]);
      h.send(2, 3, [0, '1700000000050-0']);
      const drain = h.drain(3, [[0, '1700000000050-0', 3]]);
      const r = await checkLog(h.ops);
      assert.equal(r.valid, false);
      // 2, never read and passed by the drain, is a lost write (Jepsen's rule), reported as that and not again.
      assert.deepEqual(counts(r), { ...NONE, 'lost-write': 1, missing: 1 });
      assert.deepEqual([r.lostWrites[0].value, r.lostWrites[0].send.invokeIndex], [2, unread]);
      assert.deepEqual(
        r.missing.map((m) => [m.value, m.send.invokeIndex, m.drain.invokeIndex, m.readBefore?.call.invokeIndex]),
        [[1, read, drain, poll]],
      );
      assert.match(explainLog(r), /1 missing: 1, acknowledged at partition 0 at offset 1700000000001-0 by send op \d+ \(process 1\), is not in the log the drain op \d+ \(process 3\) read after the faults; the poll op \d+ \(process 0\) had read it/);
    });

    it('is judged by the last drain that completed only, and never for an info send; without a drain, an unread send is only unseen', async () => {
      const h = new LogHistoryBuilder();
      h.send(0, 1, [0, 0]);
      h.send(1, 2, 'info');
      h.drain(2, [[0, 0, 1]]);
      const r = await checkLog(h.ops);
      assert.equal(r.valid, true, explainLog(r));
      const none = new LogHistoryBuilder();
      none.send(0, 1, [0, 0]);
      none.send(0, 2, [0, 1]);
      none.assign(1, [0]);
      none.poll(1, [[0, 0, 1]]);
      const u = await checkLog(none.ops);
      assert.deepEqual([u.valid, u.counts.unseen, u.anomalyCounts.missing], [true, 1, 0]);
    });
  });

  describe('group-lost (the consumer group never delivered an entry the log has)', () => {
    /** Sends 1–3 to partition 0; the group's member 1 reads 1, then crashes holding 2 and 3; the drain has all three. */
    const crashed = () => {
      const h = new LogHistoryBuilder();
      h.subscribe(1);
      const sends = [1, 2, 3].map((v) => h.send(0, v, [0, v - 1]));
      h.poll(1, [[0, 0, 1]]);
      const crash = h.crashedPoll(1, [[0, 1, 2], [0, 2, 3]]);
      h.subscribe(2);
      return { h, sends, crash };
    };

    it('an entry a crashed member held that no later group poll nor the final drain-group returned: with the send, the crash and both final reads', async () => {
      // commit-before-process: the group committed past 2 and 3 before the crashed poll handed them over.
      const { h, sends, crash } = crashed();
      h.poll(2, [[0, 2, 3]]);
      const drain = h.drain(3, [[0, 0, 1], [0, 1, 2], [0, 2, 3]]);
      const groupDrain = h.drainGroup(4, []);
      const r = await checkLog(h.ops);
      assert.equal(r.valid, false);
      assert.deepEqual(counts(r), only('group-lost'), 'the drain read 2: no lost write, nothing missing');
      const g = r.groupLost[0];
      assert.deepEqual([g.value, g.partition, g.offset, g.send.invokeIndex, g.drain.invokeIndex, g.groupDrain.invokeIndex, g.heldBy?.invokeIndex], [2, 0, 1, sends[1], drain, groupDrain, crash]);
      assert.match(explainLog(r), new RegExp(`^1 group-lost: 2, acknowledged at partition 0 at offset 1 by send op ${sends[1]} \\(process 0\\) and in the log the drain op ${drain} \\(process 3\\) read, was never delivered by the consumer group: no group poll returned it, nor did its final read op ${groupDrain} \\(process 4\\); op ${crash} \\(process 1\\) read it and crashed before acknowledging it\\.`));
      const list = presentLog(r, h.ops, PRESENT_LIMITS).blocks.find((b): b is Extract<Block, { kind: 'list' }> => b.kind === 'list' && b.id === 'group-lost')!;
      assert.deepEqual(list.items[0].links, [{ op: sends[1] }, { op: groupDrain, label: "the group's final read" }, { op: crash, label: 'crashed holding it' }]);
    });

    it('near misses: redelivered to another member, or by the final drain-group, is delivered (at least once)', async () => {
      const { h } = crashed();
      h.poll(2, [[0, 1, 2]]);
      h.drain(3, [[0, 0, 1], [0, 1, 2], [0, 2, 3]]);
      h.drainGroup(4, [[0, 2, 3]]);
      const r = await checkLog(h.ops);
      assert.equal(r.valid, true, explainLog(r));
    });

    it('near misses: not judged without both final reads; an assigned consumer or the drain reading it is no delivery by the group, but a failed final read judges nothing', async () => {
      const noGroupDrain = crashed().h;
      noGroupDrain.drain(3, [[0, 0, 1], [0, 1, 2], [0, 2, 3]]);
      assert.equal((await checkLog(noGroupDrain.ops)).valid, true, 'without a drain-group the group may yet deliver');
      const failed = crashed().h;
      failed.drain(3, [[0, 0, 1], [0, 1, 2], [0, 2, 3]]);
      failed.invoke(4, 'drain-group', null);
      failed.complete(4, 'info', 'drain-group', null, { error: 'timeout' });
      assert.equal((await checkLog(failed.ops)).valid, true, 'an info drain-group says nothing');
      const assigned = crashed().h;
      assigned.assign(5, [0]);
      assigned.poll(5, [[0, 0, 1], [0, 1, 2], [0, 2, 3]]);
      assigned.drain(3, [[0, 0, 1], [0, 1, 2], [0, 2, 3]]);
      assigned.drainGroup(4, []);
      assert.deepEqual(counts(await checkLog(assigned.ops)), only('group-lost', 2), 'read by an assigned consumer, never by the group');
    });

    it("an info poll's unacked entries are never a read: a value only a crashed poll saw, past which a read went, is a lost write", async () => {
      const h = new LogHistoryBuilder();
      h.subscribe(1);
      h.send(0, 1, [0, 0]);
      h.send(0, 2, [0, 1]);
      h.crashedPoll(1, [[0, 0, 1]]);
      h.assign(2, [0]);
      h.poll(2, [[0, 1, 2]]);
      const r = await checkLog(h.ops);
      assert.deepEqual(counts(r), only('lost-write'));
      assert.equal(r.lostWrites[0].value, 1);
    });

    it("refuses 'unacked' on an ok poll, and one that is not a list of triples", async () => {
      const ok = new LogHistoryBuilder();
      ok.subscribe(1);
      ok.invoke(1, 'poll', null);
      ok.complete(1, 'ok', 'poll', [], { unacked: [] });
      await refused(ok.ops, /op 3: only a poll that ended info names entries it left unacknowledged \('unacked'\); this one is ok$/);
      const bad = new LogHistoryBuilder();
      bad.subscribe(1);
      bad.invoke(1, 'poll', null);
      bad.complete(1, 'info', 'poll', null, { unacked: [[0, 1]] });
      await refused(bad.ops, /op 3: the poll's 'unacked' triple 0 \[0 1\] is not a \[partition, offset, value\] triple$/);
    });
  });

  describe('lost-write', () => {
    it('an acknowledged send never read, in a partition a read went past, is lost: with the send, the read and both offsets', async () => {
      const h = new LogHistoryBuilder();
      h.send(0, 1, [2, 0]);
      const send = h.send(0, 2, [2, 1]);
      h.send(1, 3, [2, 2]);
      const drain = h.drain(5, [[2, 0, 1], [2, 2, 3]]);
      const r = await checkLog(h.ops);
      assert.equal(r.valid, false);
      assert.deepEqual(counts(r), only('lost-write'));
      const l = r.lostWrites[0];
      assert.deepEqual([l.value, l.partition, l.offset, l.send.invokeIndex, l.send.process, l.pastBy.f, l.pastBy.call.invokeIndex, l.pastOffset], [2, 2, 1, send, 0, 'drain', drain, 2]);
      assert.equal(explainLog(r).split('. (')[0], `1 lost-write: 2, acknowledged at partition 2 at offset 1 by send op ${send} (process 0), was never read, though the drain op ${drain} (process 5) read partition 2 up to offset 2`);
    });

    it('near misses: an info send never read is not lost, nor an acknowledged one no read went past (unseen)', async () => {
      const h = new LogHistoryBuilder();
      h.send(0, 1, [0, 0]);
      h.send(1, 2, 'info');
      h.send(2, 3, [0, 2]);
      h.send(3, 4, [0, 3]);
      // A consumer's poll, not the drain: a drain that lacked 4 would make it missing.
      h.assign(4, [0]);
      h.poll(4, [[0, 0, 1], [0, 2, 3]]);
      const r = await checkLog(h.ops);
      assert.equal(r.valid, true, explainLog(r));
      assert.equal(r.counts.unseen, 1, 'the send of 4 at offset 3: nobody read past it');
      assert.match(explainLog(r), /1 acknowledged send\(s\) were never read, but no read went past them \(unseen, not lost\)/);
    });

    it('a poll past the offset is enough, with stream IDs too', async () => {
      const h = new LogHistoryBuilder();
      h.assign(0, [1]);
      const send = h.send(1, 7, [1, '1700000000009-0']);
      h.send(1, 8, [1, '1700000000010-0']);
      const poll = h.poll(0, [[1, '1700000000010-0', 8]]);
      const r = await checkLog(h.ops);
      assert.deepEqual(counts(r), only('lost-write'));
      assert.deepEqual([r.lostWrites[0].send.invokeIndex, r.lostWrites[0].pastBy.call.invokeIndex, r.lostWrites[0].pastOffset], [send, poll, '1700000000010-0']);
    });
  });

  describe('duplicate', () => {
    it('one value at two positions is a duplicate, naming each position and the first op that saw it there', async () => {
      const h = new LogHistoryBuilder();
      const send = h.send(0, 5, [0, 1]);
      h.send(0, 6, [1, 0]);
      const poll = h.poll(1, [[0, 1, 5], [1, 1, 5]]);
      h.drain(2, [[0, 1, 5], [1, 0, 6], [1, 1, 5]]);
      const r = await checkLog(h.ops);
      assert.deepEqual(counts(r), only('duplicate'));
      const d = r.duplicates[0];
      assert.equal(d.value, 5);
      assert.deepEqual(d.positions.map((p) => [p.partition, p.offset, p.by.f, p.by.call.invokeIndex]), [
        [0, 1, 'send', send],
        [1, 1, 'poll', poll],
      ]);
      assert.match(explainLog(r), new RegExp(`^1 duplicate: 5 is at 2 positions: partition 0 at offset 1 \\(the ack of send op ${send} \\(process 0\\)\\), partition 1 at offset 1 \\(the poll op ${poll} \\(process 1\\)\\)`));
    });

    it('near miss: one value read at one position by many is no duplicate', async () => {
      const h = new LogHistoryBuilder();
      h.send(0, 5, [0, 1]);
      h.poll(1, [[0, 1, 5]]);
      h.poll(2, [[0, 1, 5]]);
      h.drain(3, [[0, 1, 5]]);
      assert.deepEqual(counts(await checkLog(h.ops)), NONE);
    });
  });

  describe('inconsistent-offsets', () => {
    it('two values at one offset are inconsistent, naming both values and who saw each', async () => {
      const h = new LogHistoryBuilder();
      const send = h.send(0, 2, [0, 1]);
      h.send(1, 7, 'info');
      const poll = h.poll(2, [[0, 1, 7]]);
      const r = await checkLog(h.ops);
      assert.deepEqual(counts(r), only('inconsistent-offsets'));
      const i = r.inconsistentOffsets[0];
      assert.deepEqual([i.partition, i.offset, i.values.map((v) => [v.value, v.by.f, v.by.call.invokeIndex])], [0, 1, [[2, 'send', send], [7, 'poll', poll]]]);
      assert.match(explainLog(r), /^1 inconsistent-offsets: partition 0 at offset 1 held 2 values: 2 \(the ack of send op 0 \(process 0\)\), 7 \(the poll op 4 \(process 2\)\)/);
    });

    it('one stream ID in two partitions is two positions, not one', async () => {
      const h = new LogHistoryBuilder();
      h.send(0, 1, [0, '5-0']);
      h.send(0, 2, [1, '5-0']);
      h.drain(1, [[0, '5-0', 1], [1, '5-0', 2]]);
      assert.deepEqual(counts(await checkLog(h.ops)), NONE);
    });
  });

  describe('nonmonotonic-poll', () => {
    it('an assigned consumer reading at or below an offset it read before, even after a re-assign, is nonmonotonic', async () => {
      const h = new LogHistoryBuilder();
      for (let v = 1; v <= 3; v++) h.send(0, v, [0, v - 1]);
      h.assign(1, [0]);
      const before = h.poll(1, [[0, 0, 1], [0, 1, 2]]);
      h.assign(1, [0]);
      const after = h.poll(1, [[0, 1, 2], [0, 2, 3]]);
      const r = await checkLog(h.ops);
      assert.deepEqual(counts(r), only('nonmonotonic-poll'));
      const n = r.nonmonotonicPolls[0];
      assert.deepEqual([n.process, n.partition, n.before.invokeIndex, n.beforeOffset, n.after.invokeIndex, n.afterOffset], [1, 0, before, 1, after, 1]);
      assert.match(explainLog(r), new RegExp(`^1 nonmonotonic-poll: process 1 read partition 0 at offset 1 in op ${after}, after reading offset 1 there in op ${before}`));
    });

    it('within one poll too, and with stream IDs compared as numbers', async () => {
      const h = new LogHistoryBuilder();
      h.send(0, 1, [0, '9-0']);
      h.send(0, 2, [0, '10-0']);
      h.assign(1, [0]);
      h.poll(1, [[0, '10-0', 2], [0, '9-0', 1]]);
      const r = await checkLog(h.ops);
      assert.deepEqual(counts(r), only('nonmonotonic-poll'));
      assert.deepEqual([r.nonmonotonicPolls[0].beforeOffset, r.nonmonotonicPolls[0].afterOffset], ['10-0', '9-0']);
    });

    it("near misses: '9-0' then '10-0' is forward; a new process re-reading from the start is not nonmonotonic, nor a consumer in the group", async () => {
      const h = new LogHistoryBuilder();
      h.send(0, 1, [0, '9-0']);
      h.send(0, 2, [0, '10-0']);
      h.assign(1, [0]);
      h.poll(1, [[0, '9-0', 1]]);
      h.poll(1, [[0, '10-0', 2]]);
      h.invoke(1, 'poll', null);
      h.complete(1, 'info', 'poll', null);
      h.assign(2, [0]);
      h.poll(2, [[0, '9-0', 1], [0, '10-0', 2]]);
      h.subscribe(3);
      h.poll(3, [[0, '10-0', 2]]);
      h.poll(3, [[0, '9-0', 1]]);
      const r = await checkLog(h.ops);
      assert.equal(r.valid, true, explainLog(r));
    });

    it('near miss: a subscribe between two assigned reads breaks the row (the group moved the position)', async () => {
      const h = new LogHistoryBuilder();
      for (let v = 1; v <= 3; v++) h.send(0, v, [0, v - 1]);
      h.assign(1, [0]);
      h.poll(1, [[0, 2, 3]]);
      h.subscribe(1);
      h.poll(1, [[0, 0, 1]]);
      h.assign(1, [0]);
      h.poll(1, [[0, 1, 2]]);
      assert.deepEqual(counts(await checkLog(h.ops)), NONE);
    });
  });

  describe('skip', () => {
    it('an assigned consumer jumping over an offset another op saw is a skip: the offsets, the ops and who saw it', async () => {
      const h = new LogHistoryBuilder();
      h.send(0, 1, [0, 0]);
      const seen = h.send(0, 2, [0, 1]);
      h.send(0, 3, [0, 2]);
      h.send(0, 4, [0, 3]);
      h.assign(1, [0]);
      const before = h.poll(1, [[0, 0, 1]]);
      const after = h.poll(1, [[0, 3, 4]]);
      h.drain(2, [[0, 0, 1], [0, 1, 2], [0, 2, 3], [0, 3, 4]]);
      const r = await checkLog(h.ops);
      assert.deepEqual(counts(r), only('skip'));
      const s = r.skips[0];
      assert.deepEqual(
        [s.process, s.partition, s.before.invokeIndex, s.beforeOffset, s.after.invokeIndex, s.afterOffset, s.skipped, s.skippedCount, s.skippedBy.f, s.skippedBy.call.invokeIndex],
        [1, 0, before, 0, after, 3, 1, 2, 'send', seen],
      );
      assert.match(explainLog(r), new RegExp(`^1 skip: process 1 read partition 0 at offset 0 \\(op ${before}\\) then at 3 \\(op ${after}\\), skipping offset 1 and 1 more, which the ack of send op ${seen} \\(process 0\\) saw`));
    });

    it("stream IDs: a gap nobody saw is no skip; an ID someone saw between, ordered numerically ('9-0' < '10-0'), is", async () => {
      const gap = new LogHistoryBuilder();
      gap.send(0, 1, [0, '5-0']);
      gap.send(0, 2, [0, '10-0']);
      gap.assign(1, [0]);
      gap.poll(1, [[0, '5-0', 1]]);
      gap.poll(1, [[0, '10-0', 2]]);
      gap.drain(2, [[0, '5-0', 1], [0, '10-0', 2]]);
      assert.deepEqual(counts(await checkLog(gap.ops)), NONE, 'stream IDs with gaps nobody saw');

      const h = new LogHistoryBuilder();
      h.send(0, 1, [0, '5-0']);
      h.send(9, 3, 'info');
      h.send(0, 2, [0, '10-0']);
      h.assign(1, [0]);
      h.poll(1, [[0, '5-0', 1]]);
      h.poll(1, [[0, '10-0', 2]]);
      h.subscribe(3);
      const group = h.poll(3, [[0, '9-0', 3]]);
      const r = await checkLog(h.ops);
      assert.deepEqual(counts(r), only('skip'));
      assert.deepEqual([r.skips[0].skipped, r.skips[0].skippedBy.f, r.skips[0].skippedBy.call.invokeIndex], ['9-0', 'poll', group]);
    });

    it('near miss: the first read of a partition is no skip, whatever came before it', async () => {
      const h = new LogHistoryBuilder();
      h.send(0, 1, [0, 0]);
      h.send(0, 2, [0, 1]);
      h.assign(1, [0]);
      h.poll(1, [[0, 1, 2]]);
      h.drain(2, [[0, 0, 1], [0, 1, 2]]);
      assert.deepEqual(counts(await checkLog(h.ops)), NONE);
    });
  });

  describe('phantom', () => {
    it('a value no send invoked is a phantom, named with the read and its position', async () => {
      const h = new LogHistoryBuilder();
      h.send(0, 1, [0, 0]);
      const poll = h.poll(1, [[0, 0, 1], [0, 1, 99]]);
      h.drain(2, [[0, 0, 1], [0, 1, 99]]);
      const r = await checkLog(h.ops);
      assert.deepEqual(counts(r), only('phantom'));
      const p = r.phantoms[0];
      assert.deepEqual([p.value, p.partition, p.offset, p.read.f, p.read.call.invokeIndex], [99, 0, 1, 'poll', poll]);
      assert.match(explainLog(r), new RegExp(`^1 phantom: the poll op ${poll} \\(process 1\\) read 99 at partition 0 at offset 1, a value no send ever sent`));
    });

    it('near miss: values of info, pending and failed sends were sent (invoked): no phantom', async () => {
      const h = new LogHistoryBuilder();
      h.send(0, 1, 'info');
      h.send(1, 2, 'fail');
      h.send(2, 3, 'pending');
      h.drain(3, [[0, 0, 1], [0, 1, 2], [0, 2, 3]]);
      assert.deepEqual(counts(await checkLog(h.ops)), NONE);
    });
  });

  it('names the first of each kind in the prose and the report, and marks their ops', async () => {
    const h = new LogHistoryBuilder();
    h.send(0, 1, [0, 0]);
    h.send(0, 2, [0, 1]);
    h.send(0, 3, [0, 2]);
    h.assign(1, [0]);
    h.poll(1, [[0, 0, 1], [0, 2, 3], [0, 3, 42]]);
    const r = await checkLog(h.ops);
    assert.deepEqual(counts(r), { ...NONE, 'lost-write': 1, skip: 1, phantom: 1 });
    const prose = explainLog(r);
    assert.ok(prose.indexOf('1 lost-write') < prose.indexOf('1 skip') && prose.indexOf('1 skip') < prose.indexOf('1 phantom'), prose);
    const p = presentLog(r, h.ops, PRESENT_LIMITS);
    assert.deepEqual(p.findings, ['1 lost-write', '1 skip', '1 phantom']);
    assert.match(p.first!, /^First: 1 lost-write: 2, acknowledged at partition 0 at offset 1/);
    const lists = p.blocks.filter((b): b is Extract<Block, { kind: 'list' }> => b.kind === 'list');
    assert.deepEqual(lists.map((l) => [l.id, l.total, l.bad]), [['lost-write', 1, true], ['skip', 1, true], ['phantom', 1, true]]);
    assert.deepEqual(lists[0].items[0].links, [{ op: 2 }, { op: 8, label: 'poll past it' }]);
    assert.deepEqual(p.marks.map((m) => m.op), [2, 8, 8]);
    const plot = p.blocks.find((b): b is Extract<Block, { kind: 'points' }> => b.kind === 'points')!;
    assert.deepEqual(plot.series.map((s) => [s.name, s.points.length, s.bad ?? false]), [['send (ack)', 2, false], ['poll', 3, false], ['lost, missing or group-lost write (ack)', 1, true]]);
  });

  it('plots each partition’s offsets over time, acks and polls apart, stream IDs by rank', async () => {
    const h = new LogHistoryBuilder();
    h.send(0, 1, [0, 0]);
    h.send(0, 2, [0, 1]);
    h.send(0, 3, [1, '1700000000000-0']);
    h.send(0, 4, [1, '1700000000123-7']);
    h.assign(1, [0, 1]);
    h.poll(1, [[0, 0, 1], [1, '1700000000000-0', 3], [0, 1, 2]]);
    h.drain(2, [[0, 0, 1], [0, 1, 2], [1, '1700000000000-0', 3], [1, '1700000000123-7', 4]]);
    const r = await checkLog(h.ops);
    assert.equal(r.valid, true, explainLog(r));
    const plots = presentLog(r, h.ops, PRESENT_LIMITS).blocks.filter((b): b is Extract<Block, { kind: 'points' }> => b.kind === 'points');
    assert.deepEqual(plots.map((b) => [b.id, b.y.label]), [['partition-0', 'offset'], ['partition-1', 'stream ID rank']]);
    assert.deepEqual(plots[0].series, [
      { name: 'send (ack)', points: [[0.001, 0], [0.003, 1]] },
      { name: 'poll', points: [[0.011, 0], [0.011, 1]] },
    ]);
    assert.deepEqual(plots[1].series, [
      { name: 'send (ack)', points: [[0.005, 0], [0.007, 1]] },
      { name: 'poll', points: [[0.011, 0]] },
    ]);
    assert.match(plots[1].caption!, /rank of its stream ID/);
    assert.match(plots[0].caption!, /The drains are left out/);
  });

  describe('bad input: one usage error naming the op', () => {
    const base = () => {
      const h = new LogHistoryBuilder();
      h.send(0, 1, [0, 0]);
      return h;
    };
    it('a mix of offset kinds in one partition', async () => {
      const h = base();
      h.poll(1, [[0, '5-0', 1]]);
      await refused(h.ops, /^<history>:4: op 3: the poll's triple 0 \[0 "5-0" 1\] has stream ID offset "5-0" in partition 0, whose offsets are integers \(op 1\): one partition has one kind of offset$/);
      const acks = base();
      acks.send(0, 2, [0, '1-0']);
      await refused(acks.ops, /op 3: the send of 2 has stream ID offset "1-0" in partition 0, whose offsets are integers/);
    });
    it('a malformed triple, a partition or an offset that is not one', async () => {
      for (const [t, why] of [
        [[0, 0], /op 3: the drain's triple 0 \[0 0\] is not a \[partition, offset, value\] triple/],
        [{ partition: 0 }, /op 3: the drain's triple 0 \{partition 0\} is not a/],
        [[-1, 0, 1], /op 3: the drain's triple 0 \[-1 0 1\] names partition -1, not a non-negative integer/],
        [[0, 1.5, 1], /op 3: the drain's triple 0 \[0 1.5 1\] has offset 1.5, which is neither a non-negative integer nor a stream ID/],
        [[0, '12', 1], /has offset "12", which is neither/],
      ] as const) {
        const h = base();
        h.drain(1, [t as unknown as Triple]);
        await refused(h.ops, why);
      }
      const h = base();
      h.invoke(1, 'poll', null);
      h.complete(1, 'ok', 'poll', { entries: [] });
      await refused(h.ops, /op 3: a poll's ok value must be a list of \[partition, offset, value\] triples, got \{entries \[\]\}/);
    });
    it('a value read or sent that is not an integer', async () => {
      const h = base();
      h.poll(1, [[0, 0, 'x' as unknown as number]]);
      await refused(h.ops, /op 3: the poll's triple 0 \[0 0 "x"\] read value "x", not an integer/);
      const s = new LogHistoryBuilder();
      s.invoke(0, 'send', 1.5, 'k1');
      await refused(s.ops, /op 0: a send's value must be an integer, got 1.5/);
    });
    it('an ack that does not say where, a value sent twice, an op the log does not know', async () => {
      const h = new LogHistoryBuilder();
      h.invoke(0, 'send', 1, 'k1');
      h.complete(0, 'ok', 'send', 1, { offset: 3 }, 'k1');
      await refused(h.ops, /op 1: a send's ok names the partition it was appended to \(a non-negative integer\), got nil/);
      const twice = base();
      twice.send(1, 1, 'info');
      await refused(twice.ops, /op 2: 1 was sent before \(op 0\)/);
      const other = base();
      other.invoke(1, 'read', null);
      await refused(other.ops, /op 2: the log checker knows send, poll, assign, subscribe, drain and drain-group, not 'read'/);
      const assign = base();
      assign.invoke(1, 'assign', []);
      await refused(assign.ops, /op 2: an assign's value must be a non-empty list of partitions, got \[\]/);
    });
  });

  it('is registered: the workload names it, it takes no options', async () => {
    const c = builtinRegistry().checker('log');
    assert.equal(c.needsModel, false);
    assert.throws(() => c.parseOptions({ partitions: 4 }), (e: unknown) => isInputError(e) && (e as Error).message === "the log checker has no option 'partitions' (known: none)");
    assert.equal(builtinRegistry().workload('log').checker, 'log');
  });
});

/**
 * A random correct log: P partitions of dense offsets, sends appended when invoked (an info send may or may not be),
 * consumers that assign (reading on from their own positions) or subscribe (the group's cursor), calls interleaved at
 * random, an info now and then retiring a process, and a drain at the end.
 */
function randomLog(seed: number): { ops: Op[]; acked: { value: number; partition: number; offset: number }[] } {
  const rng = new Rng(seed);
  const P = 1 + rng.int(4);
  const log: number[][] = Array.from({ length: P }, () => []);
  const group = Array(P).fill(0);
  const h = new LogHistoryBuilder();
  const acked: { value: number; partition: number; offset: number }[] = [];
  type Proc = { id: number; mode?: 'assign' | 'subscribe'; parts: number[]; pos: Map<number, number>; pending?: () => void };
  let nextId = 0;
  const procs: Proc[] = Array.from({ length: 4 }, () => ({ id: nextId++, parts: [], pos: new Map() }));
  let value = 1;
  const read = (p: Proc): Triple[] => {
    const out: Triple[] = [];
    for (const part of p.mode === 'assign' ? p.parts : rng.chance(0.5) ? [rng.int(P)] : []) {
      const cursor = p.mode === 'assign' ? (p.pos.get(part) ?? 0) : group[part];
      const n = Math.min(rng.int(4), log[part].length - cursor);
      for (let i = 0; i < n; i++) out.push([part, cursor + i, log[part][cursor + i]]);
      if (p.mode === 'assign') p.pos.set(part, cursor + n);
      else group[part] = cursor + n;
    }
    return out;
  };
  for (let step = 0; step < 300; step++) {
    const i = rng.int(procs.length);
    const p = procs[i];
    if (p.pending) {
      p.pending();
      p.pending = undefined;
      continue;
    }
    if (p.mode === undefined || rng.chance(0.05)) {
      if (rng.chance(0.5)) {
        const parts = Array.from({ length: P }, (_, k) => k).filter(() => rng.chance(0.6));
        if (parts.length === 0) parts.push(0);
        h.invoke(p.id, 'assign', parts);
        p.pending = () => {
          h.complete(p.id, 'ok', 'assign', parts);
          p.mode = 'assign';
          p.parts = parts;
        };
      } else {
        h.invoke(p.id, 'subscribe', null);
        p.pending = () => {
          h.complete(p.id, 'ok', 'subscribe', null);
          p.mode = 'subscribe';
        };
      }
    } else if (rng.chance(0.6)) {
      const v = value++;
      const key = `k${rng.int(16)}`;
      const part = rng.int(P);
      h.invoke(p.id, 'send', v, key);
      const crash = rng.chance(0.05);
      if (!crash || rng.chance(0.5)) log[part].push(v);
      const offset = log[part].length - 1;
      p.pending = () => {
        if (crash) {
          h.complete(p.id, 'info', 'send', v, {}, key);
          procs[i] = { id: nextId++, parts: [], pos: new Map() };
        } else {
          h.complete(p.id, 'ok', 'send', v, { partition: part, offset }, key);
          acked.push({ value: v, partition: part, offset });
        }
      };
    } else {
      h.invoke(p.id, 'poll', null);
      const got = read(p);
      p.pending = () => h.complete(p.id, 'ok', 'poll', got);
    }
  }
  for (const p of procs) p.pending?.();
  h.drain(nextId, log.flatMap((entries, part) => entries.map((v, o): Triple => [part, o, v])));
  return { ops: h.ops, acked };
}

describe('checkers: log on random histories', () => {
  it('a correct log with random interleavings is always valid', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const { ops } = randomLog(seed);
      const r = await checkLog(ops);
      assert.equal(r.valid, true, `seed ${seed}: ${explainLog(r)}`);
    }
  });

  it('one acknowledged entry dropped from every read is found as a lost write', async () => {
    let tried = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const { ops, acked } = randomLog(seed);
      const drain = ops[ops.length - 1].value as Triple[];
      const last = new Map<number, number>();
      for (const [part, o] of drain) last.set(part, Math.max(last.get(part) ?? -1, o as number));
      const victims = acked.filter((a) => a.offset < last.get(a.partition)!);
      if (victims.length === 0) continue;
      tried++;
      const victim = victims[new Rng(seed).int(victims.length)];
      const dropped = ops.map((op) => (op.type === 'ok' && (op.f === 'poll' || op.f === 'drain') ? { ...op, value: (op.value as Triple[]).filter((t) => t[2] !== victim.value) } : op));
      const r = await checkLog(dropped);
      assert.equal(r.valid, false, `seed ${seed}`);
      assert.deepEqual(
        r.lostWrites.map((l) => [l.value, l.partition, l.offset]),
        [[victim.value, victim.partition, victim.offset]],
        `seed ${seed}: ${explainLog(r)}`,
      );
      assert.deepEqual([r.anomalyCounts.duplicate, r.anomalyCounts['inconsistent-offsets'], r.anomalyCounts.phantom, r.anomalyCounts['nonmonotonic-poll']], [0, 0, 0, 0]);
    }
    assert.ok(tried >= 40, `${tried} seeds had an entry to drop`);
  });
});

describe('cli: faultline check --checker log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-log-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, ops: Op[]) => {
    const path = join(dir, name);
    writeFileSync(path, ops.map((o) => JSON.stringify(o)).join('\n') + '\n');
    return path;
  };
  const good = new LogHistoryBuilder();
  good.send(0, 1, [0, '1-0']);
  good.send(0, 2, [0, '2-0']);
  good.assign(1, [0]);
  good.poll(1, [[0, '1-0', 1], [0, '2-0', 2]]);
  good.drain(2, [[0, '1-0', 1], [0, '2-0', 2]]);
  const lost = new LogHistoryBuilder();
  lost.send(0, 1, [0, 0]);
  lost.send(0, 2, [0, 1]);
  lost.send(0, 3, [0, 2]);
  lost.drain(1, [[0, 0, 1], [0, 2, 3]]);

  it('exits 0 on a valid history and 1 on a lost write, with the columns and the prose', () => {
    const valid = faultline(['check', '--checker', 'log', write('log-valid.jsonl', good.ops)]);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /log-valid\.jsonl\s*│\s*valid\s*│\s*2\s*│\s*4\s*│\s*0\s*│\s*0\s*│/);
    const r = faultline(['check', '-c', 'log', write('log-lost.jsonl', lost.ops)]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /log-lost\.jsonl\s*│\s*INVALID\s*│\s*3\s*│\s*2\s*│\s*1\s*│\s*0\s*│/);
    assert.match(r.stdout, /1 lost-write: 2, acknowledged at partition 0 at offset 1 by send op 2 \(process 0\), was never read, though the drain op 6 \(process 1\) read partition 0 up to offset 2/);
  });

  it('--json carries the evidence with source lines', () => {
    const r = faultline(['check', '-c', 'log', '--json', join(dir, 'log-lost.jsonl')]);
    assert.equal(r.code, 1, r.stderr);
    const row = JSON.parse(r.stdout);
    assert.deepEqual([row.checker, row.valid, row.anomalyCounts['lost-write']], ['log', false, 1]);
    assert.deepEqual([row.lostWrites[0].send.line, row.lostWrites[0].pastBy.call.completeLine], [3, 8]);
  });

  it('bad input is one line naming the op (exit 254)', () => {
    const bad = '{"index":0,"time":0,"process":0,"type":"invoke","f":"poll","value":null}\n{"index":1,"time":1,"process":0,"type":"ok","f":"poll","value":[[0,1]]}\n';
    const r = faultline(['check', '-c', 'log', '-'], bad);
    assert.equal(r.code, 254);
    assert.equal(r.stderr, "faultline: <stdin>:2: op 1: the poll's triple 0 [0 1] is not a [partition, offset, value] triple\n");
  });
});

describe('workloads: log', () => {
  const w = builtinRegistry().workload('log');
  /** `n` ops of process 0 (then of a fresh process after each info), with every op's outcome given by `outcome`. */
  const drawn = (seed: number, n: number, options?: Record<string, unknown>, outcome: (i: number) => 'ok' | 'fail' | 'info' = () => 'ok') => {
    const g = processGenerator(w.generator(seed, options));
    const out: { process: number; f: string; key?: unknown; value: unknown }[] = [];
    let process = 0;
    for (let i = 0; i < n; i++) {
      const { op } = g.next(process);
      out.push({ process, ...op });
      const type = outcome(i);
      g.update?.(process, op, { type });
      if (type === 'info') process++;
    }
    return out;
  };

  it('joins first (assign or subscribe), then mixes sends and polls, about 60:40; seeded', () => {
    const ops = drawn(7, 4000);
    assert.ok(['assign', 'subscribe'].includes(ops[0].f), ops[0].f);
    assert.deepEqual(drawn(7, 50), ops.slice(0, 50), 'same seed, same ops');
    assert.notDeepEqual(drawn(8, 50), ops.slice(0, 50));
    const by = (f: string) => ops.filter((o) => o.f === f).length;
    assert.ok(by('send') > 0.5 * 4000 && by('send') < 0.65 * 4000, `${by('send')} sends`);
    assert.ok(by('poll') > 0.3 * 4000 && by('poll') < 0.45 * 4000, `${by('poll')} polls`);
    assert.ok(by('assign') + by('subscribe') > 20 && by('assign') + by('subscribe') < 200, 'now and then a consumer joins again');
    assert.deepEqual(w.finalOps(), [
      { f: 'drain', value: null },
      { f: 'drain-group', value: null },
    ]);
  });

  it('sends unique values from 1 under keys k0…k15', () => {
    const sends = drawn(3, 2000).filter((o) => o.f === 'send');
    assert.deepEqual(sends.map((o) => o.value), sends.map((_, i) => i + 1));
    assert.ok(sends.every((o) => typeof o.key === 'string' && /^k(\d|1[0-5])$/.test(o.key)));
    assert.equal(new Set(sends.map((o) => o.key)).size, 16);
  });

  it('assigns non-empty sorted subsets of the partitions (the option, default 4), or all', () => {
    const subsets = (options?: Record<string, unknown>) => drawn(5, 3000, options).filter((o) => o.f === 'assign').map((o) => JSON.stringify(o.value));
    const four = new Set(subsets());
    assert.ok(four.has('[0,1,2,3]') && [...four].some((s) => JSON.parse(s).length === 1), [...four].join(' '));
    for (const s of four) {
      const ps = JSON.parse(s) as number[];
      assert.ok(ps.length > 0 && ps.every((p, i) => p >= 0 && p < 4 && (i === 0 || ps[i - 1] < p)), s);
    }
    assert.deepEqual(new Set(subsets({ partitions: 2 })), new Set(['[0]', '[1]', '[0,1]']));
    const spec = w.options!.partitions;
    assert.deepEqual([0, 1.5, '4', 1, 8].map((v) => spec.schema.safeParse(v).success), [false, false, false, true, true]);
  });

  it('a failed join is tried again; a process retired by an info is succeeded by one that joins afresh', () => {
    const failing = drawn(11, 6, undefined, (i) => (i < 3 ? 'fail' : 'ok'));
    assert.ok(failing.slice(0, 4).every((o) => o.f === 'assign' || o.f === 'subscribe'), JSON.stringify(failing));
    const retired = drawn(11, 12, undefined, (i) => (i === 5 ? 'info' : 'ok'));
    assert.equal(retired[6].process, 1);
    assert.ok(['assign', 'subscribe'].includes(retired[6].f), retired[6].f);
    preflight(w, 3, { partitions: 3 });
  });

  it('a workload’s generator is given the test’s options (the preflight samples what the run will ask)', () => {
    const probe: Workload = {
      name: 'probe',
      description: 'asks for an undeclared op when told to',
      checker: 'set',
      operations: { add: z.int() },
      generator: (_seed, options) => () => ({ f: options?.mode === 'typo' ? 'ad' : 'add', value: 1 }),
      finalOps: () => [],
    };
    preflight(probe, 1, {});
    assert.throws(() => preflight(probe, 1, { mode: 'typo' }), /workload 'probe' generates a 'ad' operation it does not declare/);
  });
});
