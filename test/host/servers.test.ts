import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { startPostgres, startRaftNodes, startRedis, type HostServer } from '../support/host-servers.js';
import { startStaleReadRedis, type StaleReadRedis } from '../support/stale-router.js';
import type { Op } from '../../checkers/history/op.js';
import { checkSync } from '../../checkers/linearizability/index.js';
import { externalView } from '../../harness/runtimes/external/view.js';
import type { ClientOp } from '../../harness/runtime.js';
import { PgSession } from '../../targets/postgres/session.js';
import { redis } from '../../targets/redis/docker.js';
import { invoke, read, write } from '../support/client-ops.js';

/**
 * The servers the external runtime's tests run against: real programs on this machine (`.ci/setup` installs
 * redis-server and postgresql), each stopped with its whole process group and its directory removed.
 */

/** Whether any process of the group still exists (signal 0 only asks). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function connect(s: { host: string; port: number }, password?: string): Redis {
  const c = new Redis({ host: s.host, port: s.port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, commandTimeout: 2000 });
  c.on('error', () => {});
  return c;
}

describe('host servers for the external tests', function () {
  this.timeout(120_000);

  it('a redis-server with a password: serves with it, refuses without, and is gone after stop()', async () => {
    const s: HostServer = await startRedis({ password: 'pw-1' });
    let dir: string;
    try {
      const ok = connect(s, 'pw-1');
      await ok.connect();
      dir = ((await ok.call('CONFIG', 'GET', 'dir')) as string[])[1];
      assert.ok(existsSync(dir));
      assert.equal(await ok.set('k', 'v'), 'OK');
      assert.equal(await ok.get('k'), 'v');
      ok.disconnect();
      const anonymous = connect(s);
      await assert.rejects(anonymous.connect());
      anonymous.disconnect();
    } finally {
      await s.stop();
    }
    assert.equal(groupAlive(s.process.pid), false);
    assert.equal(existsSync(dir), false, `${dir} removed`);
  });

  it('PostgreSQL as the postgres user, scram with a password, its own database; stop() ends every backend', async () => {
    const pg = await startPostgres({ user: 'fl', password: 'pw-2', database: 'fldb' });
    try {
      const session = new PgSession({ host: pg.host, port: pg.port, application: 't', connectTimeoutMs: 5000, queryTimeoutMs: 5000, settings: {}, user: 'fl', password: 'pw-2', database: 'fldb' });
      const [row] = await session.one((sql) => sql`SELECT current_user AS u, current_database() AS d, (SELECT setting FROM pg_settings WHERE name = 'password_encryption') AS enc`);
      session.close();
      assert.deepEqual({ ...row }, { u: 'fl', d: 'fldb', enc: 'scram-sha-256' });
      const wrong = new PgSession({ host: pg.host, port: pg.port, application: 't', connectTimeoutMs: 5000, queryTimeoutMs: 5000, settings: {}, user: 'fl', password: 'nope' });
      await assert.rejects(wrong.connect(), /password authentication failed/);
      wrong.close();
    } finally {
      await pg.stop();
    }
    assert.equal(groupAlive(pg.process.pid), false);
  });

  it('three faultline raft-kv node processes, stopped together', async () => {
    const raft = await startRaftNodes(3);
    assert.deepEqual(raft.nodes.map((n) => n.id), ['n1', 'n2', 'n3']);
    await raft.stop();
    for (const n of raft.nodes) assert.equal(groupAlive(n.process.pid), false);
  });

  describe('a Redis that reads from a lagging replica (the stale-read deployment)', () => {
    let deployment: StaleReadRedis | undefined;
    before(async () => {
      deployment = await startStaleReadRedis({ lagMs: 50 });
    });
    after(() => deployment?.stop());

    it('acknowledges a write on the primary and answers the read after it from the replica, with the old value', async () => {
      const c = connect(deployment!);
      await c.connect();
      try {
        assert.equal(await c.set('x', '1'), 'OK');
        // Replication to the replica takes at least the link's 50 ms; this read is sent as soon as the write is acknowledged.
        assert.equal(await c.get('x'), null);
        let seen: string | null = null;
        for (let i = 0; i < 100 && seen !== '1'; i++) {
          await new Promise((r) => setTimeout(r, 20));
          seen = await c.get('x');
        }
        assert.equal(seen, '1', 'the replica catches up');
        // Pipelined commands to both servers come back in the order they were sent.
        const replies = await c.pipeline().set('y', '2').get('x').sadd('s', 'a').ping().exec();
        assert.deepEqual(replies?.map(([e, v]) => e ?? v), ['OK', '1', 1, 'PONG']);
        assert.equal(await c.call('ROLE').then((r) => (r as unknown[])[0]), 'master');
      } finally {
        c.disconnect();
      }
    });

    it('the redis target pointed at it records a history the linearizability checker rejects', async () => {
      const v = externalView(redis, [{ name: 'n1', host: deployment!.host, port: deployment!.port }], { bug: undefined, options: {} });
      await redis.ready(v, Date.now() + 30_000);
      const session = await redis.open(v);
      const history: Op[] = [];
      const record = (o: Omit<Op, 'index' | 'time'>) => history.push({ ...o, index: history.length, time: history.length } as Op);
      const perform = async (process: number, op: ClientOp) => {
        record({ process, type: 'invoke', ...op });
        const done = await invoke(clients[process], op);
        record({ process, type: done.type, f: op.f, key: op.key, value: done.type === 'ok' ? done.value : op.value });
      };
      const clients = [session.client(0), session.client(1)];
      try {
        // Two processes, each writing a value of its own and reading it back at once, one op at a time.
        for (let v = 1; v <= 10; v++) {
          const p = v % 2;
          await perform(p, write('k', v));
          await perform(p, read('k'));
        }
      } finally {
        clients.forEach((c) => c.close());
        await session.close();
      }
      assert.ok(history.some((o) => o.type === 'ok' && o.f === 'read' && o.value !== history[o.index - 2]?.value), 'some read missed the write before it');
      assert.equal(checkSync(history, 'cas-register').valid, false);
    });
  });
});
