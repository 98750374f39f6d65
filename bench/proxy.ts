/**
 * The TCP fault proxy's cost on loopback, with no fault in force, against the same traffic sent directly (both
 * measured in the same run, so the ratio holds on a busy machine): bulk throughput one way (a sink that counts),
 * the round-trip time of small requests one at a time, and small requests over 16 connections at once (what a
 * run's clients do). The clients and the servers share this thread; the proxy relays in its own.
 *
 *   node dist/bench/proxy.js
 */
import { connect, createServer, type Socket } from 'node:net';
import { FaultProxy, type Endpoint } from '../harness/proxy/fault-proxy.js';

const BULK_BYTES = 256 << 20;
const PINGS = 3_000;
const PARALLEL = 16;
const PARALLEL_PINGS = 1_000;
const PING = Buffer.alloc(64, 'p');

async function listen(onSocket: (s: Socket) => void): Promise<Endpoint> {
  const server = createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('no address');
  return { host: '127.0.0.1', port: a.port };
}

function open(to: Endpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ ...to, noDelay: true });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** MB/s of BULK_BYTES written as fast as the socket takes them, until the sink has read them all. */
async function bulk(to: Endpoint, sinkRead: () => number): Promise<number> {
  const s = await open(to);
  const chunk = Buffer.alloc(64 << 10);
  const base = sinkRead();
  const t0 = performance.now();
  let sent = 0;
  while (sent < BULK_BYTES) {
    sent += chunk.length;
    if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
  }
  while (sinkRead() - base < BULK_BYTES) await new Promise((r) => setImmediate(r));
  const ms = performance.now() - t0;
  s.destroy();
  return BULK_BYTES / (1 << 20) / (ms / 1000);
}

/** Round trips of one 64-byte request at a time on one connection: each one's time in µs. */
async function pings(s: Socket, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    let got = 0;
    await new Promise<void>((resolve) => {
      const on = (d: Buffer) => {
        got += d.length;
        if (got >= PING.length) {
          s.off('data', on);
          resolve();
        }
      };
      s.on('data', on);
      s.write(PING);
    });
    times.push((performance.now() - t) * 1000);
  }
  return times;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function measure(echo: Endpoint, sink: Endpoint, sinkRead: () => number) {
  const mbps = await bulk(sink, sinkRead);
  const one = await open(echo);
  await pings(one, 200); // warm up
  const rtt = await pings(one, PINGS);
  one.destroy();
  const conns = await Promise.all(Array.from({ length: PARALLEL }, () => open(echo)));
  const t0 = performance.now();
  await Promise.all(conns.map((c) => pings(c, PARALLEL_PINGS)));
  const parallelOps = (PARALLEL * PARALLEL_PINGS) / ((performance.now() - t0) / 1000);
  for (const c of conns) c.destroy();
  return { mbps, p50: pct(rtt, 50), p99: pct(rtt, 99), parallelOps };
}

let sunk = 0;
const echo = await listen((s) => {
  s.setNoDelay(true);
  s.on('data', (d) => s.write(d));
  s.on('error', () => undefined);
});
const sink = await listen((s) => {
  s.on('data', (d) => (sunk += d.length));
  s.on('error', () => undefined);
});
const proxy = await FaultProxy.start();
const viaEcho = await proxy.front('n1', 'echo', echo);
const viaSink = await proxy.front('n1', 'sink', sink);

const direct = await measure(echo, sink, () => sunk);
const proxied = await measure(viaEcho, viaSink, () => sunk);
await proxy.close();

const row = (name: string, m: typeof direct) =>
  `${name.padEnd(8)} bulk ${m.mbps.toFixed(0).padStart(5)} MB/s   rtt p50 ${m.p50.toFixed(0).padStart(4)} µs  p99 ${m.p99.toFixed(0).padStart(5)} µs   ${PARALLEL} connections ${Math.round(m.parallelOps).toString().padStart(6)} round trips/s`;
console.log(row('direct', direct));
console.log(row('proxied', proxied));
console.log(
  `ratio    bulk ${(proxied.mbps / direct.mbps).toFixed(2)}×, rtt p50 +${(proxied.p50 - direct.p50).toFixed(0)} µs (${(proxied.p50 / direct.p50).toFixed(2)}×), ` +
    `round trips/s over ${PARALLEL} connections ${(proxied.parallelOps / direct.parallelOps).toFixed(2)}×`,
);
