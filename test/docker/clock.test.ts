import assert from 'node:assert/strict';
import { connect } from 'node:net';
import postgresJs from 'postgres';
import { removeLeftovers } from '../../harness/runtimes/docker/cleanup.js';
import { DockerCluster } from '../../harness/runtimes/docker/cluster.js';
import type { DockerTarget } from '../../harness/runtimes/docker/target.js';
import { PORT, postgres } from '../../targets/postgres/docker.js';
import { Redis } from 'ioredis';
import { redis } from '../../targets/redis/docker.js';
import { REDIS_PORT } from '../../targets/redis/server.js';
import { docker, LOCAL, runResources, testImages } from '../support/docker.js';

/**
 * Clock faults on a real PostgreSQL server: libfaketime preloaded by the runtime into the node's container, its
 * clock file written by docker exec. The server's wall clock (clock_timestamp()) jumps and comes back, and the
 * server keeps serving, since only the wall clock moves. Debian's Redis too (with glibc's malloc preloaded first: its
 * jemalloc would otherwise hang libfaketime's start): a jump of +60 s expires its PX keys at once.
 */

async function start(target: DockerTarget, clockFaults: boolean): Promise<DockerCluster> {
  return DockerCluster.start(docker, target, { nodes: 1, options: {}, images: await testImages(target), clockFaults });
}

async function remove(cluster: DockerCluster | undefined): Promise<void> {
  if (!cluster) return;
  await cluster.stop().catch(() => undefined);
  await removeLeftovers(docker, { runId: cluster.runId }).catch(() => undefined);
}

/** The libraries the container's first process (the server, or the shell that execs it) has loaded that name faketime. */
async function preloaded(cluster: DockerCluster): Promise<string> {
  return cluster.view.exec(cluster.nodes[0], ['sh', '-c', 'grep -o "[^ ]*faketime[^ ]*" /proc/1/maps | sort -u; true']);
}

/** A node that answers each connection with its wall clock (Date.now()): Node's clock is glibc's clock_gettime. */
const TIME_PORT = 7000;
const timeTeller: DockerTarget<'node'> = {
  name: 'time-teller',
  description: 'tells its wall clock, for testing the runtime',
  bugs: [],
  defaultNodes: 1,
  operations: [],
  images: { node: { official: LOCAL.tag, packages: [] } },
  nodeIds: (n) => Array.from({ length: n }, (_, i) => `n${i + 1}`),
  containers: ({ nodes, image }) =>
    Object.fromEntries(nodes.map((n) => [n, { image: image('node'), cmd: ['node', '-e', `require('net').createServer((s) => s.end(String(Date.now()))).listen(${TIME_PORT})`], ports: [TIME_PORT] }])),
  async ready(view, deadline) {
    while ((await nodeSkew(view.endpoint(view.nodes[0], TIME_PORT)).catch(() => undefined)) === undefined) {
      if (Date.now() > deadline) throw new Error('the time teller does not answer');
      await new Promise((r) => setTimeout(r, 50));
    }
  },
  open: async () => ({ client: () => ({ invoke: () => undefined, close: () => undefined }), close: async () => undefined }),
};

/** The node's wall clock minus the harness's, in ms. */
function nodeSkew({ host, port }: { host: string; port: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = '';
    const s = connect(port, host);
    s.setTimeout(1000, () => s.destroy(new Error('no answer')));
    s.on('data', (b) => (got += b.toString()));
    s.on('end', () => (got === '' ? reject(new Error('nothing told')) : resolve(Number(got) - Date.now())));
    s.on('error', reject);
  });
}

describe('docker: clock faults (libfaketime)', function () {
  this.timeout(120_000);
  let cluster: DockerCluster | undefined;
  let sql: postgresJs.Sql | undefined;

  /** The server's wall clock minus the harness's, in ms. */
  const skewMs = async () => {
    const [row] = await sql!<{ ms: string }[]>`select (extract(epoch from clock_timestamp()) * 1000)::bigint::text as ms`;
    return Number(row.ms) - Date.now();
  };

  before(async () => {
    cluster = await start(postgres, true);
    const { host, port } = cluster.view.endpoint(cluster.nodes[0], PORT);
    sql = postgresJs({ host, port, user: 'postgres', database: 'postgres', max: 1, connect_timeout: 5, fetch_types: false, onnotice: () => {} });
  });
  after(async () => {
    await sql?.end({ timeout: 1 }).catch(() => undefined);
    await remove(cluster);
  });

  it('jumps a PostgreSQL server 60 s ahead and 30.5 s back while it keeps serving, and a reset puts it right', async () => {
    const [node] = cluster!.nodes;
    const clock = cluster!.faults.clock!;
    assert.match(await preloaded(cluster!), /libfaketime\.so\.1/);
    const start = await skewMs();
    assert.ok(Math.abs(start) < 1000, `the clock starts right (${start} ms)`);
    await sql!`create table if not exists ticks (at timestamptz)`;

    await clock.change(node, { offsetMs: 60_000 });
    const ahead = await skewMs();
    assert.ok(ahead > 59_000 && ahead < 61_000, `the server's clock is ${ahead} ms ahead`);
    await sql!`insert into ticks values (clock_timestamp())`;

    await clock.change(node, { offsetMs: -30_500 });
    const behind = await skewMs();
    assert.ok(behind > -31_500 && behind < -29_500, `the server's clock is ${behind} ms behind`);
    // The row written 60 s ahead is now 90 s in the server's future: what a wall-clock jump does to timestamps.
    const [gap] = await sql!<{ s: number }[]>`select extract(epoch from max(at) - clock_timestamp())::float8 as s from ticks`;
    assert.ok(gap.s > 89 && gap.s < 91.5, `the earlier row is ${gap.s} s in the future`);

    await clock.reset(node);
    const reset = await skewMs();
    assert.ok(Math.abs(reset) < 1000, `the reset clock is right again (${reset} ms)`);
    assert.equal((await sql!`select 1 as one`)[0].one, 1);
    console.log(`      skew (ms): ${start} at start, ${ahead} after +60 s, ${behind} after -30.5 s, ${reset} after reset; row from +60 s seen ${gap.s.toFixed(2)} s ahead`);
  });

  it('refuses a drift: libfaketime measures a rate from each process start', async () => {
    await assert.rejects(() => Promise.resolve(cluster!.faults.clock!.change(cluster!.nodes[0], { rate: 2 })), /cannot drift/);
  });

  it("jumps Debian's Redis +60 s: keys with a PX expire at once, the server keeps answering, and after a reset a PX key lives again", async () => {
    const c = await start(redis, true);
    const { host, port } = c.view.endpoint(c.nodes[0], REDIS_PORT);
    const r = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await r.connect();
      assert.match(await preloaded(c), /libfaketime\.so\.1/);
      // The server's TIME against the harness's clock, in ms.
      const skew = async () => {
        const [s, us] = await r.time();
        return Number(s) * 1000 + Math.floor(Number(us) / 1000) - Date.now();
      };
      assert.ok(Math.abs(await skew()) < 1000);
      await r.set('lease', 'holder-1', 'PX', 5000);
      const before = await r.pttl('lease');
      assert.ok(before > 4000 && before <= 5000, `PTTL ${before} before the jump`);

      await c.faults.clock!.change(c.nodes[0], { offsetMs: 60_000 });
      const ahead = await skew();
      assert.ok(ahead > 59_000 && ahead < 61_000, `the server's clock is ${ahead} ms ahead`);
      assert.equal(await r.pttl('lease'), -2, 'the lease expired with the jump');
      assert.equal(await r.get('lease'), null);
      assert.equal(await r.ping(), 'PONG');
      assert.equal(await r.set('lease', 'holder-2', 'PX', 5000, 'NX'), 'OK', 'a second holder takes the lock the jump freed');

      await c.faults.clock!.reset(c.nodes[0]);
      assert.ok(Math.abs(await skew()) < 1000, 'the reset clock is right again');
      await r.set('fresh', 'v', 'PX', 5000);
      const fresh = await r.pttl('fresh');
      assert.ok(fresh > 4000 && fresh <= 5000, `a fresh PX key lives (PTTL ${fresh})`);
      console.log(`      redis: PTTL ${before} ms before the jump, -2 after +60 s (skew ${ahead} ms); ${fresh} ms for a fresh key after the reset`);
    } finally {
      r.disconnect();
      await remove(c);
    }
  });

  it("binds the host's libfaketime into a container of an image without it (the official flavour)", async () => {
    // The local image standing for a registry image: the library preloaded is the host's, bound in.
    const c = await DockerCluster.start(docker, timeTeller, { nodes: 1, options: {}, images: { flavour: 'official', byRole: { node: LOCAL.tag } }, clockFaults: true });
    try {
      assert.match(await preloaded(c), /^\/opt\/faultline-faketime\/libfaketime\.so\.1$/m);
      const at = () => nodeSkew(c.view.endpoint(c.nodes[0], TIME_PORT));
      const before = await at();
      await c.faults.clock!.change(c.nodes[0], { offsetMs: 60_000 });
      const ahead = await at();
      assert.ok(Math.abs(before) < 1000 && ahead > 59_000 && ahead < 61_000, `skew ${before} ms, then ${ahead} ms`);
    } finally {
      await remove(c);
    }
  });

  it('preloads nothing when the test has no clock faults', async () => {
    const plain = await start(redis, false);
    try {
      assert.equal(plain.faults.clock, undefined);
      assert.equal(await preloaded(plain), '');
      assert.doesNotMatch(await plain.view.exec(plain.nodes[0], ['env']), /LD_PRELOAD|FAKETIME/);
    } finally {
      await remove(plain);
    }
  });
});
