import assert from 'node:assert/strict';
import { nemesisPairs } from '../../checkers/history/nemesis-pairs.js';
import type { Op } from '../../checkers/history/op.js';
import type { Fault } from '../../harness/config/definition.js';
import { Nemesis } from '../../harness/nemesis/index.js';
import { Rng } from '../../harness/rng.js';
import type { Clock, Cluster, FaultDone, Faults } from '../../harness/runtime.js';
import type { OpInput } from '../../harness/store/index.js';
import { nemesisIntervals } from '../../harness/store/nemesis-intervals.js';

const MS = 1e6;

/** A clock driven by hand: events run in time order, and promise callbacks they set off run before the next. */
class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private queue: { at: number; seq: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  at(ms: number, fn: () => void): void {
    this.queue.push({ at: this.t + ms, seq: this.seq++, fn });
  }
  async runUntil(end: number): Promise<void> {
    await flush();
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue[0];
      if (next === undefined || next.at > end) break;
      this.queue.shift();
      this.t = next.at;
      next.fn();
      await flush();
    }
    this.t = end;
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A cluster whose faults take effect as a real runtime's do: each call returns a promise that settles 0.3 s later
 * (a `docker kill` takes about that long), rejecting for the nodes named in `broken`.
 */
function dockerLike(clock: ManualClock, broken: string[] = []): Cluster {
  const after = (node?: string): FaultDone =>
    new Promise<void>((resolve, reject) =>
      clock.at(300, () => (node !== undefined && broken.includes(node) ? reject(new Error(`no such container: ${node}\nmore`)) : resolve())),
    );
  const faults: Faults = {
    partition: () => after(),
    heal: () => after(),
    kill: (n) => after(n),
    restart: (n) => after(n),
    pause: (n) => after(n),
    resume: (n) => after(n),
    slow: () => after(),
    lose: () => after(),
  };
  return {
    nodes: ['n1', 'n2', 'n3'],
    faults,
    primaries: () => ['n1'],
    client: () => {
      throw new Error('no clients in this test');
    },
    stop: async () => undefined,
  };
}

/** Runs a nemesis (interval 2 s: the fault begins at 1 s and is healed at 2 s) until `stopAt` ms, then stops it. */
async function run(faults: Fault[], stopAt: number, broken: string[] = []): Promise<Op[]> {
  const clock = new ManualClock();
  const ops: Op[] = [];
  const record = (op: OpInput) => ops.push({ ...op, index: ops.length, time: clock.now() * MS } as Op);
  const nemesis = new Nemesis(dockerLike(clock, broken), clock, new Rng(1), record, faults, 2000);
  nemesis.start();
  await clock.runUntil(stopAt);
  const stopped = nemesis.stop();
  await clock.runUntil(stopAt + 2000);
  await stopped;
  return ops;
}

const brief = (ops: Op[]) => ops.map((o) => [o.time / MS, o.f, o.value, ...(o.error === undefined ? [] : [o.error])]);

describe('nemesis: each action recorded as it begins and once it is in force (Jepsen pairs)', () => {
  it('a fault whose runtime confirms it 0.3 s later: begin at 1 s, in force at 1.3 s; the interval starts at the begin', async () => {
    const ops = await run([{ kind: 'kill', target: 'primary' }], 2500);
    assert.deepEqual(brief(ops), [
      [1000, 'start-kill', null],
      [1300, 'start-kill', ['n1']],
      [2000, 'stop-kill', null],
      [2300, 'stop-kill', ['n1']],
    ]);
    assert.ok(ops.every((o) => o.process === 'nemesis' && o.type === 'info'));
    const [interval, ...rest] = nemesisIntervals(ops);
    assert.deepEqual(rest, []);
    assert.deepEqual(interval, { fault: 'kill', f: 'start-kill', start: 1000 * MS, stop: 2300 * MS, value: ['n1'] });
  });

  it('the members of a set start one after another and heal in reverse, so the pairs alternate as Jepsen pairs them', async () => {
    const ops = await run([{ together: [{ kind: 'kill', target: 'primary' }, { kind: 'pause', target: 'primary' }] }], 2900);
    assert.deepEqual(brief(ops), [
      [1000, 'start-kill', null],
      [1300, 'start-kill', ['n1']],
      [1300, 'start-pause', null],
      [1600, 'start-pause', ['n1']],
      [2000, 'stop-pause', null],
      [2300, 'stop-pause', ['n1']],
      [2300, 'stop-kill', null],
      [2600, 'stop-kill', ['n1']],
    ]);
    for (const { begin, complete } of nemesisPairs(ops)) {
      assert.equal(complete?.f, begin.f);
      assert.equal(begin.value, null);
    }
    assert.deepEqual(
      nemesisIntervals(ops).map((i) => [i.fault, i.start / MS, i.stop / MS]),
      [
        ['kill', 1000, 2600],
        ['pause', 1300, 2300],
      ],
    );
  });

  it('stopped while a fault is being inflicted: the heal begins once it is in force', async () => {
    const ops = await run([{ kind: 'partition', target: 'primary' }], 1100);
    assert.deepEqual(
      ops.map((o) => [o.time / MS, o.f, o.value === null ? null : 'grudge']),
      [
        [1000, 'start-partition', null],
        [1300, 'start-partition', 'grudge'],
        [1300, 'stop-partition', null],
        [1600, 'stop-partition', 'grudge'],
      ],
    );
  });

  it('a fault the runtime could not inflict: its completion carries the error, and the heal is still recorded', async () => {
    const ops = await run([{ kind: 'pause', target: 'primary' }], 2500, ['n1']);
    assert.deepEqual(brief(ops), [
      [1000, 'start-pause', null],
      [1300, 'start-pause', ['n1'], 'no such container: n1'],
      [2000, 'stop-pause', null],
      [2300, 'stop-pause', ['n1'], 'no such container: n1'],
    ]);
  });
});
