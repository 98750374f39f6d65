import assert from 'node:assert/strict';
import { SimNetwork, type NetworkOptions } from '../../../harness/runtimes/sim/network.js';
import type { NodeContext, NodeFactory } from '../../../harness/node.js';

/** A node that answers every 'ping' with a 'pong' and counts, in memory and durably, what it received. */
function echo(seen: Map<string, { volatile: number; durable: number }>): NodeFactory {
  return (ctx: NodeContext) => {
    let volatile = 0;
    return {
      receive(from, msg) {
        volatile++;
        ctx.storage.put('count', (ctx.storage.get<number>('count') ?? 0) + 1);
        seen.set(ctx.id, { volatile, durable: ctx.storage.get<number>('count')! });
        if (msg === 'ping') ctx.send(from, 'pong');
      },
    };
  };
}

function cluster(options: Partial<NetworkOptions> = {}) {
  const net = new SimNetwork({ seed: 1, trace: true, ...options });
  const seen = new Map<string, { volatile: number; durable: number }>();
  const nodes = ['n1', 'n2', 'n3'];
  for (const n of nodes) net.addNode(n, nodes.filter((p) => p !== n), echo(seen));
  const inbox: [number, string, unknown][] = [];
  net.addEndpoint('c1', (from, msg) => inbox.push([net.now(), from, msg]));
  return { net, seen, inbox };
}

describe('sim: the simulated network', () => {
  it('delivers after a delay within the link latency, and the reply comes back', () => {
    const { net, inbox } = cluster({ latency: { min: 2, max: 4 } });
    net.send('c1', 'n1', 'ping');
    net.runUntil(100);
    assert.equal(inbox.length, 1);
    const [t, from, msg] = inbox[0];
    assert.deepEqual([from, msg], ['n1', 'pong']);
    assert.ok(t >= 4 && t <= 8, `round trip ${t} ms`);
  });

  it('the same seed gives the same run, message for message; another seed another', () => {
    const run = (seed: number) => {
      const { net } = cluster({ seed, latency: { min: 1, max: 20 } });
      for (let i = 0; i < 20; i++) net.at(i, () => net.send('c1', `n${(i % 3) + 1}`, 'ping'));
      net.at(7, () => net.partition([['n1'], ['n2', 'n3', 'c1']]));
      net.at(15, () => net.heal());
      net.runUntil(200);
      return JSON.stringify(net.trace);
    };
    assert.equal(run(42), run(42));
    assert.notEqual(run(42), run(43));
  });

  it('a partition drops messages between groups, including those in flight, until healed', () => {
    const { net, inbox } = cluster({ latency: { min: 5, max: 5 } });
    net.partition([['n1'], ['n2', 'n3', 'c1']]);
    net.send('c1', 'n1', 'ping');
    net.send('c1', 'n2', 'ping');
    net.runUntil(50);
    assert.deepEqual(inbox.map(([, from]) => from), ['n2']);
    net.heal();
    net.send('c1', 'n1', 'ping');
    net.at(2, () => net.partition([['n1'], ['c1']])); // cut while the ping is in flight
    net.runUntil(100);
    assert.deepEqual(inbox.map(([, from]) => from), ['n2']);
    assert.ok(net.trace!.some((e) => e.kind === 'drop' && e.to === 'n1' && e.reason === 'partition'));
    net.heal();
    net.send('c1', 'n1', 'ping');
    net.runUntil(200);
    assert.deepEqual(inbox.map(([, from]) => from), ['n2', 'n1']);
  });

  it('a member in no group of a partition still reaches everyone', () => {
    const { net, inbox } = cluster();
    net.partition([['n1'], ['n2']]);
    net.send('c1', 'n1', 'ping');
    net.send('c1', 'n2', 'ping');
    net.runUntil(50);
    assert.equal(inbox.length, 2);
  });

  it('a kill loses volatile state and timers, keeps durable storage; a restart runs a new program on it', () => {
    const { net, seen, inbox } = cluster();
    net.send('c1', 'n1', 'ping');
    net.send('c1', 'n1', 'ping');
    net.runUntil(50);
    assert.deepEqual(seen.get('n1'), { volatile: 2, durable: 2 });
    net.kill('n1');
    net.send('c1', 'n1', 'ping');
    net.runUntil(100);
    assert.equal(inbox.length, 2, 'a dead node answers nothing');
    assert.ok(net.trace!.some((e) => e.kind === 'drop' && e.to === 'n1' && e.reason === 'down'));
    net.restart('n1', ['n2', 'n3']);
    net.send('c1', 'n1', 'ping');
    net.runUntil(150);
    assert.deepEqual(seen.get('n1'), { volatile: 1, durable: 3 });
    assert.equal(inbox.length, 3);
  });

  it('timers of a killed node never fire, not even after a restart', () => {
    const net = new SimNetwork({ seed: 1 });
    const fired: string[] = [];
    let life = 0;
    net.addNode('n1', [], (ctx) => {
      const me = ++life;
      ctx.setTimer(10, () => fired.push(`life ${me}`));
      return { receive() {} };
    });
    net.runUntil(5);
    net.kill('n1');
    net.restart('n1', []);
    net.runUntil(100);
    assert.deepEqual(fired, ['life 2']);
  });

  it('a pause holds messages and timers; the resume runs them in order', () => {
    const net = new SimNetwork({ seed: 1, latency: { min: 1, max: 1 } });
    const events: string[] = [];
    net.addNode('n1', [], (ctx) => {
      ctx.setTimer(10, () => events.push(`timer at ${ctx.now()}`));
      return { receive: (_from, msg) => events.push(`${String(msg)} at ${ctx.now()}`) };
    });
    net.addEndpoint('c1', () => {});
    net.pause('n1');
    net.send('c1', 'n1', 'a');
    net.at(5, () => net.send('c1', 'n1', 'b'));
    net.runUntil(50);
    assert.deepEqual(events, []);
    net.resume('n1');
    net.runUntil(60);
    assert.deepEqual(events, ['a at 50', 'b at 50', 'timer at 50']);
  });

  it('loss drops messages with the given probability, reproducibly', () => {
    const delivered = (seed: number, p: number) => {
      const { net, inbox } = cluster({ seed });
      net.lose(['n1'], p);
      for (let i = 0; i < 1000; i++) net.send('c1', 'n1', 'ping');
      net.runUntil(1000);
      return inbox.length;
    };
    assert.equal(delivered(1, 1), 0);
    assert.equal(delivered(1, 0), 1000);
    // Each round trip crosses the lossy member twice: about 1000 × 0.5 × 0.5 replies.
    const half = delivered(7, 0.5);
    assert.ok(half > 180 && half < 320, `${half} of 1000`);
    assert.equal(delivered(7, 0.5), half);
  });

  it('extra latency delays messages to and from the slowed member only', () => {
    const { net, inbox } = cluster({ latency: { min: 1, max: 1 } });
    net.slow(['n1'], { min: 100, max: 100 });
    net.send('c1', 'n1', 'ping');
    net.send('c1', 'n2', 'ping');
    net.runUntil(1000);
    assert.deepEqual(inbox.map(([t, from]) => [from, t]), [['n2', 2], ['n1', 202]]);
  });

  it('durable storage keeps what was written, not what the program changes afterwards', () => {
    const net = new SimNetwork({ seed: 1 });
    let ctx!: NodeContext;
    net.addNode('n1', [], (c) => {
      ctx = c;
      return { receive() {} };
    });
    const log = [1, 2];
    ctx.storage.put('log', log);
    log.push(3);
    assert.deepEqual(ctx.storage.get('log'), [1, 2]);
  });
});
