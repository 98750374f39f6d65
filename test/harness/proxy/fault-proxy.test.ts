import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { threadId } from 'node:worker_threads';
import { FaultProxy } from '../../../harness/proxy/fault-proxy.js';
import { RTO_MS } from '../../../harness/proxy/pipe.js';
import { reset } from '../../../harness/proxy/reset.js';
import { EchoServer, Peer, sleep } from './peers.js';

/** How long a test watches for something that must not happen while a fault is in force. */
const QUIET_MS = 300;

describe('the TCP fault proxy: real sockets on loopback', function () {
  this.timeout(30_000);
  let proxy: FaultProxy;
  let servers: EchoServer[];
  let peers: Peer[];

  beforeEach(async () => {
    proxy = await FaultProxy.start({ seed: 7 });
    servers = [];
    peers = [];
  });

  afterEach(async () => {
    for (const p of peers) p.close();
    await proxy.close();
    for (const s of servers) await s.close();
  });

  /** An echo server for a node, fronted by the proxy; returns the front. */
  async function node(name: string, tag = ''): Promise<{ front: { host: string; port: number }; server: EchoServer }> {
    const server = await EchoServer.start(tag);
    servers.push(server);
    return { front: await proxy.front(name, 'echo', server.endpoint), server };
  }

  async function client(front: { host: string; port: number }): Promise<Peer> {
    const p = await Peer.connect(front);
    peers.push(p);
    return p;
  }

  it('relays in a worker thread, not on the clients\' event loop', () => {
    assert.notEqual(proxy.threadId, threadId);
    assert.ok(proxy.threadId > 0);
  });

  it('relays a megabyte each way intact and in order, through backpressure', async () => {
    const { front } = await node('n1');
    const c = await client(front);
    const payload = Buffer.alloc(1 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 8)) & 0xff;
    c.send(payload);
    assert.ok((await c.received(payload.length)).equals(payload));
    assert.equal(proxy.frontOf('n1', 'echo')?.port, front.port);
  });

  it('drop: a black hole; the connection stays open, a new one is accepted and black-holed too; heal delivers, in order', async () => {
    const { front, server } = await node('n1');
    const c = await client(front);
    c.send('a');
    await c.received(1);
    await proxy.cut(['n1'], 'drop');
    const before = server.received;
    c.send('b');
    const late = await client(front); // accepted: the handshake is the proxy's
    late.send('x');
    await sleep(QUIET_MS);
    assert.equal(c.data.toString(), 'a', 'no reply while cut');
    assert.equal(late.data.length, 0);
    assert.equal(server.received, before, 'the node heard nothing');
    assert.ok(!c.closed && !c.error && !late.closed && !late.error, 'both connections are still open');
    c.send('c');
    await proxy.heal(['n1']);
    // What was sent into the black hole arrives once it is healed, as TCP's retransmissions deliver it.
    assert.equal((await c.received(3)).toString(), 'abc');
    assert.equal((await late.received(1)).toString(), 'x');
  });

  it('reset: open connections get ECONNRESET, new ones are reset at once; heal lets them in again', async () => {
    const { front } = await node('n1');
    const c = await client(front);
    c.send('a');
    await c.received(1);
    await proxy.cut(['n1'], 'reset');
    assert.equal((await c.failed()).code, 'ECONNRESET');
    const refused = await Peer.connect(front).catch((e: NodeJS.ErrnoException) => e);
    const code = refused instanceof Peer ? (await refused.failed()).code : refused.code;
    assert.equal(code, 'ECONNRESET');
    await proxy.heal();
    const again = await client(front);
    again.send('b');
    assert.equal((await again.received(1)).toString(), 'b');
  });

  it('delay: every reply comes at least twice the least delay after its request, and in order', async () => {
    const { front } = await node('n1');
    const c = await client(front);
    await proxy.delay(['n1'], { min: 60, max: 120 });
    const sent: number[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 10; i++) {
      const msg = `<${i}>`;
      expected.push(msg);
      sent.push(performance.now());
      c.send(msg);
      await sleep(5);
    }
    const want = expected.join('');
    for (let i = 0; i < 10; i++) {
      await c.received(want.indexOf(`<${i}>`) + 3);
      assert.ok(performance.now() - sent[i] >= 120, `reply ${i} after ${(performance.now() - sent[i]).toFixed(0)} ms`);
    }
    assert.equal(c.data.toString(), want, 'never reordered');
  });

  it('lose with p=1: each chunk stalls a retransmission time-out each way, and the time-out backs off', async () => {
    const { front } = await node('n1');
    const c = await client(front);
    await proxy.lose(['n1'], 1);
    let t = performance.now();
    c.send('a');
    await c.received(1);
    assert.ok(performance.now() - t >= 2 * RTO_MS, `first round trip ${(performance.now() - t).toFixed(0)} ms`);
    t = performance.now();
    c.send('b');
    await c.received(2);
    assert.ok(performance.now() - t >= 4 * RTO_MS, `second round trip ${(performance.now() - t).toFixed(0)} ms (doubled)`);
    assert.equal(c.data.toString(), 'ab');
  });

  it('throttle: N bytes take at least N / rate, and arrive intact', async () => {
    const { front } = await node('n1');
    const c = await client(front);
    const rate = 20_000;
    await proxy.throttle(['n1'], rate);
    const payload = Buffer.alloc(6_000, 'z');
    const t = performance.now();
    c.send(payload);
    const got = await c.received(payload.length);
    assert.ok(performance.now() - t >= (payload.length / rate) * 1000, `${(performance.now() - t).toFixed(0)} ms`);
    assert.ok(got.equals(payload));
  });

  it('heal keeps what a delay held back, in order, and later traffic flows', async () => {
    const { front } = await node('n1');
    const c = await client(front);
    await proxy.delay(['n1'], { min: 300, max: 300 });
    c.send('a');
    await sleep(20);
    await proxy.heal(['n1']);
    c.send('b');
    assert.equal((await c.received(2)).toString(), 'ab', 'the held chunk first');
  });

  it('faults are per node: a cut node is silent while another answers', async () => {
    const n1 = await node('n1');
    const n2 = await node('n2');
    const c1 = await client(n1.front);
    const c2 = await client(n2.front);
    await proxy.cut(['n1'], 'drop');
    c1.send('1');
    c2.send('2');
    assert.equal((await c2.received(1)).toString(), '2');
    await sleep(QUIET_MS);
    assert.equal(c1.data.length, 0);
    assert.equal(n1.server.received, 0);
  });

  it('retarget: later connections go to the new upstream, open ones stay where they were', async () => {
    const { front } = await node('n1', 'A');
    const b = await EchoServer.start('B');
    servers.push(b);
    const old = await client(front);
    old.send('.');
    assert.equal((await old.received(2)).toString(), 'A.');
    await proxy.retarget('n1', 'echo', b.endpoint);
    const fresh = await client(front);
    fresh.send('.');
    old.send('.');
    assert.equal((await fresh.received(2)).toString(), 'B.');
    assert.equal((await old.received(4)).toString(), 'A.A.');
  });

  it('a node that refuses resets its client, and the proxy serves the others on', async () => {
    const gone = await EchoServer.start();
    const { front: dead } = { front: await proxy.front('n1', 'echo', gone.endpoint) };
    await gone.close();
    const c = await client(dead);
    assert.equal((await c.failed()).code, 'ECONNRESET');
    // A client that resets mid-stream is the proxy's problem as little.
    const { front } = await node('n2');
    const rude = await client(front);
    rude.send(Buffer.alloc(100_000));
    rude.socket.resetAndDestroy();
    const fine = await client(front);
    fine.send('ok');
    assert.equal((await fine.received(2)).toString(), 'ok');
  });

  it('refuses faults on nodes it does not front, and bad arguments, with why', async () => {
    await node('n1');
    await assert.rejects(proxy.cut(['n9'], 'drop'), /no front serves node n9/);
    await assert.rejects(proxy.lose(['n1'], 1.5), /between 0 and 1/);
    await assert.rejects(proxy.delay(['n1'], { min: 10, max: 5 }), /min <= max/);
    await assert.rejects(proxy.throttle(['n1'], 0), /positive rate/);
    await assert.rejects(proxy.front('n1', 'echo', { host: '127.0.0.1', port: 1 }), /already has a front/);
  });

  it('closes with connections half-closed (a reset cannot follow our FIN), and its thread exits', async () => {
    // The node keeps its side open after the client's FIN, which the proxy has passed on: the proxy's socket to
    // it is ended but not closed when the proxy closes.
    const server = await EchoServer.start('', { halfOpen: true });
    servers.push(server);
    const c = await client(await proxy.front('n1', 'echo', server.endpoint));
    c.send('a');
    await c.received(1);
    c.socket.end();
    while (server.ended === 0) await sleep(10);
    await proxy.close();
    await proxy.exited; // a socket handle left open keeps a worker from exiting (spinning as it waits)
  });

  it('close: the fronts stop listening and later calls reject', async () => {
    const { front } = await node('n1');
    await proxy.close();
    await assert.rejects(Peer.connect(front), /ECONNREFUSED/);
    await assert.rejects(proxy.heal(), /closed/);
  });
});

describe('the proxy\'s reset of a socket', () => {
  it('destroys, rather than resets, a socket whose shutdown is under way, and the socket closes', async () => {
    const server = await EchoServer.start('', { halfOpen: true });
    const s = connect({ ...server.endpoint });
    await once(s, 'connect');
    const errors: string[] = [];
    s.on('error', (e: NodeJS.ErrnoException) => errors.push(String(e.code)));
    s.end();
    // end() asks libuv for the shutdown a tick later; the reset comes while it is under way.
    await new Promise((r) => process.nextTick(r));
    const closed = once(s, 'close');
    reset(s);
    await closed; // a reset refused with EINVAL would leave the handle open and never close it
    assert.deepEqual(errors, []);
    await server.close();
  });
});
