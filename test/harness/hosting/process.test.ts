import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUserError } from '../../../harness/errors.js';
import { parseAddress, parsePeers } from '../../../harness/hosting/address.js';
import { connectClient, type ProcessClient } from '../../../harness/hosting/client.js';
import { FileStorage } from '../../../harness/hosting/file-storage.js';
import { startNode, type RunningNode } from '../../../harness/hosting/node-process.js';
import type { NodeContext, NodeFactory } from '../../../harness/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const HOST = '127.0.0.1';

/** A free port on loopback (the OS picks it; it is released at once, so a race is possible but unlikely). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `pred` every 10 ms until it holds or `ms` passes; true when it held. */
async function until(pred: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return pred();
}

/**
 * Answers 'ping' from a peer with 'pong'; answers a client's {type:'incr'} with its durable count (echoing rid);
 * records what it received and keeps its context for the test to send with.
 */
function counter(inbox: Map<string, [string, unknown][]>, ctxs: Map<string, NodeContext>): NodeFactory {
  return (ctx) => {
    ctxs.set(ctx.id, ctx);
    inbox.set(ctx.id, []);
    return {
      receive(from, msg) {
        inbox.get(ctx.id)!.push([from, msg]);
        const m = msg as { type?: string; n?: number; rid?: number };
        if (m.type === 'ping') ctx.send(from, { type: 'pong', n: m.n });
        if (m.type === 'incr') {
          const count = (ctx.storage.get<number>('count') ?? 0) + 1;
          ctx.storage.put('count', count);
          ctx.send(from, { type: 'ok', rid: m.rid, count });
        }
      },
    };
  };
}

describe('node hosting: nodes as OS processes over TCP', function () {
  let tmp: string;
  const running: RunningNode[] = [];
  const clients: ProcessClient[] = [];
  const inbox = new Map<string, [string, unknown][]>();
  const ctxs = new Map<string, NodeContext>();
  const quiet = () => {};

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-process-'));
    inbox.clear();
    ctxs.clear();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(running.splice(0).map((n) => n.close()));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function start(id: string, port: number, peers: Record<string, string>): Promise<RunningNode> {
    const n = await startNode({ id, listen: `${HOST}:${port}`, peers, dataDir: path.join(tmp, id), factory: counter(inbox, ctxs), log: quiet });
    running.push(n);
    return n;
  }

  async function pair() {
    const [p1, p2] = [await freePort(), await freePort()];
    const peers = { n1: `${HOST}:${p1}`, n2: `${HOST}:${p2}` };
    const n1 = await start('n1', p1, peers);
    const n2 = await start('n2', p2, peers);
    return { n1, n2, peers };
  }

  it('two nodes exchange messages over loopback TCP, both ways', async () => {
    const { n1 } = await pair();
    assert.equal(n1.address.startsWith(`${HOST}:`), true);
    assert.deepEqual(ctxs.get('n1')!.peers, ['n2']);
    for (let n = 0; n < 5; n++) ctxs.get('n1')!.send('n2', { type: 'ping', n });
    assert.ok(await until(() => inbox.get('n1')!.length === 5), 'n1 got its pongs');
    assert.deepEqual(
      inbox.get('n2')!.map(([from, m]) => [from, (m as { n: number }).n]),
      [0, 1, 2, 3, 4].map((n) => ['n1', n]),
    );
    assert.deepEqual(
      inbox.get('n1')!.map(([from, m]) => [from, m]),
      [0, 1, 2, 3, 4].map((n) => ['n2', { type: 'pong', n }]),
    );
  });

  it('ctx.now is monotonic real milliseconds and timers fire (and can be cancelled)', async () => {
    await pair();
    const ctx = ctxs.get('n1')!;
    const t0 = ctx.now();
    let fired = 0;
    let cancelledFired = false;
    ctx.setTimer(30, () => fired++);
    const cancel = ctx.setTimer(30, () => (cancelledFired = true));
    cancel();
    assert.ok(await until(() => fired === 1, 2000));
    assert.ok(ctx.now() - t0 >= 25, `${ctx.now() - t0} ms`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(cancelledFired, false);
  });

  it('a client request gets its reply; a request to a stopped node resolves undefined after its timeout', async () => {
    const { n2, peers } = await pair();
    const client = connectClient('c1', peers);
    clients.push(client);
    assert.deepEqual(await client.request('n1', { type: 'incr' }, 2000), { type: 'ok', rid: 1, count: 1 });
    assert.deepEqual(await client.request('n1', { type: 'incr' }, 2000), { type: 'ok', rid: 2, count: 2 });
    assert.deepEqual(inbox.get('n1')!.map(([from]) => from), ['c1', 'c1']);
    await n2.close();
    const t0 = Date.now();
    assert.equal(await client.request('n2', { type: 'incr' }, 300), undefined);
    assert.ok(Date.now() - t0 >= 290, `timed out after ${Date.now() - t0} ms`);
    // The other node still answers.
    assert.equal((await client.request('n1', { type: 'incr' }, 2000))?.count, 3);
  });

  it('durable state survives a restart of the node on the same data directory', async () => {
    const p1 = await freePort();
    const peers = { n1: `${HOST}:${p1}` };
    const n1 = await start('n1', p1, peers);
    const client = connectClient('c1', peers);
    clients.push(client);
    for (let i = 1; i <= 3; i++) assert.equal((await client.request('n1', { type: 'incr' }, 2000))?.count, i);
    await n1.close();
    await start('n1', p1, peers);
    // The client's connection broke with the old node; it reconnects on the next send (maybe after one loss).
    let reply: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 20 && !reply; attempt++) reply = await client.request('n1', { type: 'incr' }, 250);
    assert.equal(reply?.count, 4);
  });

  it('a send to an unreachable peer is dropped without throwing, and delivery works once the peer starts', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const peers = { n1: `${HOST}:${p1}`, n2: `${HOST}:${p2}` };
    const n1 = await start('n1', p1, peers);
    const ctx = ctxs.get('n1')!;
    for (let n = 0; n < 20; n++) assert.doesNotThrow(() => ctx.send('n2', { type: 'ping', n }));
    assert.doesNotThrow(() => ctx.send('nobody', { type: 'ping', n: -1 }));
    await new Promise((r) => setTimeout(r, 200)); // the connects fail (refused) and back off
    assert.ok(n1.transport.stats.dropped >= 20, `dropped ${n1.transport.stats.dropped}`);
    await start('n2', p2, peers);
    // Keep pinging (as Raft's heartbeats would) until one gets through the backoff.
    let n = 100;
    const got = () => inbox.get('n1')!.some(([from]) => from === 'n2');
    const deadline = Date.now() + 5000;
    while (!got() && Date.now() < deadline) {
      ctx.send('n2', { type: 'ping', n: n++ });
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(got(), 'a pong came back after n2 started');
    assert.ok(inbox.get('n2')!.every(([, m]) => (m as { n: number }).n >= 100), 'nothing sent before n2 started arrived');
  });

  it('listens on a free port when given port 0, and a node can message itself', async () => {
    const n = await startNode({ id: 'solo', listen: `${HOST}:0`, peers: {}, dataDir: path.join(tmp, 'solo'), factory: counter(inbox, ctxs), log: quiet });
    running.push(n);
    const port = parseAddress(n.address).port;
    assert.ok(port > 0, n.address);
    ctxs.get('solo')!.send('solo', { type: 'hello' });
    assert.ok(await until(() => inbox.get('solo')!.length === 1));
    assert.deepEqual(inbox.get('solo')![0], ['solo', { type: 'hello' }]);
    const client = connectClient('c9', { solo: n.address });
    clients.push(client);
    assert.equal((await client.request('solo', { type: 'incr' }, 2000))?.count, 1);
  });

  it('many frames in one burst, large and small, arrive whole and in order', async () => {
    const { n1 } = await pair();
    const ctx = ctxs.get('n1')!;
    const big = 'y'.repeat(200_000);
    for (let n = 0; n < 300; n++) ctx.send('n2', { type: 'data', n, body: n % 50 === 0 ? big : 'small\nline' });
    assert.ok(await until(() => inbox.get('n2')!.length === 300), `got ${inbox.get('n2')!.length}`);
    inbox.get('n2')!.forEach(([, m], n) => {
      const msg = m as { n: number; body: string };
      assert.equal(msg.n, n);
      assert.equal(msg.body, n % 50 === 0 ? big : 'small\nline');
    });
    assert.equal(n1.transport.stats.dropped, 0);
  });

  it('rejects bad addresses and peer lists as input errors', () => {
    assert.deepEqual(parseAddress('127.0.0.1:7001'), { host: '127.0.0.1', port: 7001 });
    assert.deepEqual(parseAddress('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(parsePeers('n2=127.0.0.1:7002, n3=127.0.0.1:7003'), { n2: '127.0.0.1:7002', n3: '127.0.0.1:7003' });
    for (const bad of ['127.0.0.1', 'localhost:99999', ':80', 'a:b']) assert.throws(() => parseAddress(bad), isUserError, bad);
    for (const bad of ['n2', '=127.0.0.1:1', 'n2=127.0.0.1:1,n2=127.0.0.1:2', 'n2=nowhere']) assert.throws(() => parsePeers(bad), isUserError, bad);
  });
});

describe('node hosting: file storage', function () {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-storage-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Runs the fixture; resolves once `ready(stdout)` holds, then SIGKILLs it and waits for it to be gone. */
  async function runAndKill(args: string[], ready: (out: string) => boolean): Promise<string> {
    const child = spawn(process.execPath, [path.join(here, 'storage-child.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    const ok = await until(() => ready(out) || child.exitCode !== null, 20_000);
    child.kill('SIGKILL');
    const how = await exited;
    assert.ok(ok && ready(out), `fixture not ready: ${err || out.slice(-200)}`);
    assert.equal(how, 'SIGKILL', `fixture ended by ${how}, not killed: ${err}`);
    return out;
  }

  it('values put by a process survive its SIGKILL', async () => {
    await runAndKill([tmp, 'puts', '50'], (out) => out.includes('done'));
    const storage = new FileStorage(tmp);
    for (let i = 0; i < 50; i++) assert.deepEqual(storage.get(`k${i}`), { i, text: `value ${i}` });
    assert.equal(storage.get('k50'), undefined);
  });

  it('a process killed in the middle of puts leaves the last completed value whole, never part of one', async () => {
    const out = await runAndKill([tmp, 'churn'], (o) => o.split('\n').length > 40);
    const lastDone = Math.max(...out.split('\n').filter(Boolean).map(Number));
    const v = new FileStorage(tmp).get<{ i: number; data: string; len: number }>('big')!;
    assert.equal(v.data.length, v.len);
    assert.ok(v.i === lastDone || v.i === lastDone + 1, `stored ${v.i}, last acknowledged ${lastDone}`);
    assert.equal(fs.readdirSync(tmp).some((f) => f.includes('.tmp-')), false, 'interrupted temp files are cleared');
  });

  it('a torn temporary file from an interrupted put is ignored, and later puts read back whole', () => {
    const s1 = new FileStorage(tmp);
    s1.put('log', { entries: [1, 2, 3] });
    // What a crash between write and rename leaves: half a value under a temporary name.
    fs.writeFileSync(path.join(tmp, `log.json.tmp-99999-0`), '{"v":{"entries":[1,2,3,4');
    const s2 = new FileStorage(tmp);
    assert.deepEqual(s2.get('log'), { entries: [1, 2, 3] });
    s2.put('log', { entries: [1, 2, 3, 4, 5] });
    assert.deepEqual(new FileStorage(tmp).get('log'), { entries: [1, 2, 3, 4, 5] });
  });

  it('keys of any text, undefined values, and copies on get', () => {
    const s = new FileStorage(tmp);
    s.put('Voted For/../x', 'n2');
    s.put('gone', undefined);
    const arr = [1, 2];
    s.put('arr', arr);
    arr.push(3);
    (s.get<number[]>('arr') ?? []).push(4);
    const again = new FileStorage(tmp);
    assert.equal(again.get('Voted For/../x'), 'n2');
    assert.equal(again.get('gone'), undefined);
    assert.deepEqual(again.get('arr'), [1, 2]);
    assert.deepEqual(s.get('arr'), [1, 2]);
    assert.equal(again.get('never'), undefined);
  });
});
