import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { completeGrudge } from '../../harness/nemesis/grudge.js';
import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import { removeLeftovers } from '../../harness/runtimes/docker/cleanup.js';
import { DockerCluster } from '../../harness/runtimes/docker/cluster.js';
import type { DockerTarget } from '../../harness/runtimes/docker/target.js';
import { redisReplicated } from '../../targets/redis-replicated/docker.js';
import { redis } from '../../targets/redis/docker.js';
import { SET_KEY } from '../../targets/redis/ops.js';
import { docker, eventually, testImages } from '../support/docker.js';

/**
 * The Redis targets against real servers, started by the Docker runtime's own cluster code (network, published
 * ports, faults). Needs dockerd and the local image (or the probe image it replaced): without them the tests fail.
 */

async function start(target: DockerTarget, nodes: number, options: Record<string, unknown> = {}): Promise<DockerCluster> {
  return DockerCluster.start(docker, target, { nodes, options, images: await testImages(target) });
}

/** Removes a cluster whatever state the test left it in, and anything of its run that survived. */
async function remove(cluster: DockerCluster | undefined): Promise<void> {
  if (!cluster) return;
  await cluster.stop().catch(() => undefined);
  await removeLeftovers(docker, { runId: cluster.runId }).catch(() => undefined);
}

/** One op, with a guard so that a client that never answers fails the test rather than hanging it. */
function invoke(client: Client, op: ClientOp): Promise<Completion> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no completion of ${JSON.stringify(op)} within 10 s`)), 10_000);
    client.invoke(op, (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A direct connection to one node's published port (not through the target's client). */
function direct(cluster: DockerCluster, node: string, port: number): Redis {
  const { host, port: published } = cluster.view.endpoint(node, port);
  const conn = new Redis({ host, port: published, maxRetriesPerRequest: 1, commandTimeout: 1000 });
  conn.on('error', () => {});
  return conn;
}

describe('docker: redis (one server)', function () {
  this.timeout(120_000);
  let cluster: DockerCluster | undefined;

  before(async () => {
    cluster = await start(redis, 1);
  });
  after(() => remove(cluster));

  it('maps read, write and cas to GET, SET and the cas script', async () => {
    const c = cluster!.client(0);
    try {
      assert.deepEqual(await invoke(c, { f: 'read', key: 'k0', value: null }), { type: 'ok', value: null });
      assert.deepEqual(await invoke(c, { f: 'write', key: 'k0', value: 3 }), { type: 'ok', value: 3 });
      assert.deepEqual(await invoke(c, { f: 'read', key: 'k0', value: null }), { type: 'ok', value: 3 });
      assert.deepEqual(await invoke(c, { f: 'cas', key: 'k0', value: [3, 4] }), { type: 'ok', value: [3, 4] });
      assert.deepEqual(await invoke(c, { f: 'cas', key: 'k0', value: [3, 1] }), { type: 'fail', value: [3, 1], error: 'cas mismatch' });
      assert.deepEqual(await invoke(c, { f: 'cas', key: 'absent', value: [0, 1] }), { type: 'fail', value: [0, 1], error: 'cas mismatch' });
      assert.deepEqual(await invoke(c, { f: 'read', key: 'k0', value: null }), { type: 'ok', value: 4 });
      assert.deepEqual(await invoke(c, { f: 'read', key: 'absent', value: null }), { type: 'ok', value: null });
    } finally {
      c.close();
    }
  });

  it('maps add and a keyless read to SADD and SMEMBERS of one set', async () => {
    const c = cluster!.client(1);
    try {
      for (const v of [12, 3, 7]) assert.deepEqual(await invoke(c, { f: 'add', value: v }), { type: 'ok', value: v });
      assert.deepEqual(await invoke(c, { f: 'read', value: null }), { type: 'ok', value: [3, 7, 12] });
      // An error reply did not happen: fail (here an add to a key that holds a string), and the client goes on.
      assert.equal((await invoke(c, { f: 'write', key: `${SET_KEY}:s`, value: 1 })).type, 'ok');
      const wrong = await invoke(c, { f: 'add', key: 's', value: 1 });
      assert.equal(wrong.type, 'fail');
      assert.match(String(wrong.error), /WRONGTYPE/);
      assert.deepEqual(await invoke(c, { f: 'add', value: 5 }), { type: 'ok', value: 5 });
      const conn = direct(cluster!, 'n1', 6379);
      try {
        assert.deepEqual((await conn.smembers(SET_KEY)).sort(), ['12', '3', '5', '7']);
      } finally {
        conn.disconnect();
      }
    } finally {
      c.close();
    }
  });

  it('names its one node as the primary', async () => {
    assert.deepEqual(await eventually('a primary', 3000, async () => (cluster!.primaries().length ? cluster!.primaries() : undefined)), ['n1']);
  });

  it('keeps every acknowledged write across a SIGKILL and a start; ops while it is down fail', async () => {
    const writer = cluster!.client(9);
    assert.deepEqual(await invoke(writer, { f: 'write', key: 'durable', value: 2 }), { type: 'ok', value: 2 });
    writer.close();
    const clients = Array.from({ length: 8 }, (_, i) => cluster!.client(10 + i));
    const acked: number[] = [];
    let next = 1000;
    let stop = false;
    // Eight processes add unique elements as fast as they can; the kill lands while adds are in flight.
    const workers = clients.map(async (c) => {
      while (!stop) {
        const v = next++;
        const r = await invoke(c, { f: 'add', value: v });
        if (r.type === 'ok') acked.push(v);
        if (r.type !== 'ok') return r;
      }
      return undefined;
    });
    await sleep(500);
    await cluster!.faults.kill('n1');
    stop = true;
    const ends = await Promise.all(workers);
    clients.forEach((c) => c.close());
    assert.ok(acked.length > 20, `only ${acked.length} adds acknowledged before the kill`);
    console.log(`      (${acked.length} adds acknowledged before the kill)`);
    // Cut off mid-flight, an add's outcome is unknown (info); an add that found no connection failed.
    for (const e of ends) if (e) assert.ok(e.type === 'info' || e.type === 'fail', JSON.stringify(e));

    const down = cluster!.client(30);
    const refused = await invoke(down, { f: 'write', key: 'k1', value: 1 });
    down.close();
    assert.equal(refused.type, 'fail', `a write to a killed server: ${JSON.stringify(refused)}`);

    await cluster!.faults.restart('n1');
    const after = cluster!.client(31);
    try {
      const read = await eventually('the restarted server answers', 20_000, async () => {
        const r = await invoke(after, { f: 'read', value: null });
        return r.type === 'ok' ? r : undefined;
      });
      const present = new Set(read.value as number[]);
      const lost = acked.filter((v) => !present.has(v));
      assert.equal(lost.length, 0, `${lost.length} of ${acked.length} acknowledged adds lost by the kill, e.g. ${lost.slice(0, 5).join(', ')}`);
      assert.deepEqual(await invoke(after, { f: 'read', key: 'durable', value: null }), { type: 'ok', value: 2 });
    } finally {
      after.close();
    }
  });

  it('makes an op sent to a paused server info, after the command time-out', async () => {
    const c = cluster!.client(40);
    try {
      assert.equal((await invoke(c, { f: 'read', key: 'k0', value: null })).type, 'ok');
      await cluster!.faults.pause('n1');
      const t0 = Date.now();
      const r = await invoke(c, { f: 'write', key: 'k0', value: 1 });
      assert.equal(r.type, 'info', JSON.stringify(r));
      assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    } finally {
      c.close();
      await cluster!.faults.resume('n1');
    }
  });
});

describe('docker: redis-replicated (Sentinel)', function () {
  this.timeout(180_000);

  describe('replication, and failover of a paused primary', () => {
    let cluster: DockerCluster | undefined;
    before(async () => {
      cluster = await start(redisReplicated, 3);
    });
    after(() => remove(cluster));

    it('names n1 as the primary at start', async () => {
      assert.deepEqual(await eventually('a primary', 3000, async () => (cluster!.primaries().length ? cluster!.primaries() : undefined)), ['n1']);
    });

    it('replicates writes from the primary to the replicas', async () => {
      const c = cluster!.client(0);
      try {
        assert.deepEqual(await invoke(c, { f: 'write', key: 'k0', value: 4 }), { type: 'ok', value: 4 });
        assert.deepEqual(await invoke(c, { f: 'add', value: 9 }), { type: 'ok', value: 9 });
      } finally {
        c.close();
      }
      for (const node of ['n2', 'n3']) {
        const conn = direct(cluster!, node, 6379);
        try {
          await eventually(`k0 on ${node}`, 5000, async () => ((await conn.get('k0')) === '4' ? true : undefined));
          await eventually(`the set on ${node}`, 5000, async () => ((await conn.sismember(SET_KEY, '9')) === 1 ? true : undefined));
          // A replica refuses writes: the client must never have written there.
          await assert.rejects(conn.set('k0', '5'), /READONLY/);
        } finally {
          conn.disconnect();
        }
      }
    });

    it('promotes another node within 10 s of pausing the primary, and demotes the old one when it resumes', async () => {
      await cluster!.faults.pause('n1');
      const t0 = Date.now();
      const promoted = await eventually('a new primary', 10_000, async () => cluster!.primaries().find((n) => n !== 'n1'));
      const took = Date.now() - t0;
      assert.ok(['n2', 'n3'].includes(promoted));
      await cluster!.faults.resume('n1');
      // Sentinel turns the old primary into a replica of the new one (the cached primaries may predate the resume).
      const n1 = direct(cluster!, 'n1', 6379);
      try {
        await eventually('n1 demoted', 30_000, async () => (((await n1.call('ROLE').catch(() => [])) as unknown[])[0] === 'slave' ? true : undefined));
      } finally {
        n1.disconnect();
      }
      assert.deepEqual(await eventually('one primary', 5000, async () => (cluster!.primaries().join() === promoted ? true : undefined)), true);
      // Clients follow: a fresh process finds the new primary through the sentinels and writes there.
      const c = cluster!.client(50);
      try {
        const r = await eventually('a write after failover', 10_000, async () => {
          const w = await invoke(c, { f: 'write', key: 'k1', value: 2 });
          return w.type === 'ok' ? w : undefined;
        });
        assert.equal(r.type, 'ok');
      } finally {
        c.close();
      }
      console.log(`      (failover after pause: ${took} ms, to ${promoted})`);
    });
  });

  describe('a partition that isolates the primary', () => {
    let cluster: DockerCluster | undefined;
    before(async () => {
      cluster = await start(redisReplicated, 3);
    });
    after(() => remove(cluster));

    it('loses the writes the isolated primary acknowledged once the partition heals', async () => {
      const c = cluster!.client(0);
      try {
        for (const v of [1, 2, 3]) assert.equal((await invoke(c, { f: 'add', value: v })).type, 'ok');
        await cluster!.faults.partition(completeGrudge([['n1'], ['n2', 'n3']]));
        const t0 = Date.now();
        const promoted = await eventually('a primary on the majority side', 10_000, async () => cluster!.primaries().find((n) => n !== 'n1'));
        const took = Date.now() - t0;
        // n1 does not know: it still acknowledges the client that reached it before the partition.
        for (const v of [100, 101, 102]) assert.deepEqual(await invoke(c, { f: 'add', value: v }), { type: 'ok', value: v });
        await cluster!.faults.heal();
        assert.deepEqual(await eventually('n1 demoted', 30_000, async () => (cluster!.primaries().join() === promoted ? cluster!.primaries() : undefined)), [promoted]);
        const reader = cluster!.client(1);
        try {
          const read = await eventually('a read after healing', 10_000, async () => {
            const r = await invoke(reader, { f: 'read', value: null });
            return r.type === 'ok' ? r : undefined;
          });
          assert.deepEqual(read.value, [1, 2, 3], 'the adds acknowledged by the isolated primary are gone');
        } finally {
          reader.close();
        }
        console.log(`      (failover under partition: ${took} ms, to ${promoted})`);
      } finally {
        c.close();
      }
    });

    it('with wait=2, makes the isolated primary’s writes info rather than acknowledged', async () => {
      // Options are read when the session opens; a cluster of its own with the option set.
      const waited = await start(redisReplicated, 3, { wait: 2 });
      try {
        const c = waited.client(0);
        try {
          assert.deepEqual(await invoke(c, { f: 'add', value: 1 }), { type: 'ok', value: 1 });
          await waited.faults.partition(completeGrudge([['n1'], ['n2', 'n3']]));
          const r = await invoke(c, { f: 'add', value: 2 });
          assert.equal(r.type, 'info', JSON.stringify(r));
          assert.match(String(r.error), /WAIT: 0 of 2/);
        } finally {
          c.close();
        }
      } finally {
        await remove(waited);
      }
    });
  });
});
