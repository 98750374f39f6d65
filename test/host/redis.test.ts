import assert from 'node:assert/strict';
import { UsageError } from '../../harness/errors.js';
import type { ExternalNode } from '../../harness/config/cluster-spec.js';
import type { TargetSession } from '../../harness/runtimes/docker/target.js';
import { externalView } from '../../harness/runtimes/external/view.js';
import { redis } from '../../targets/redis/docker.js';
import { cas, invoke, read, write } from '../support/client-ops.js';
import { startRedis, type HostServer } from '../support/host-servers.js';

/**
 * The redis target on a server the user started (here: a redis-server on loopback), seen through the external
 * runtime's cluster view with no fault proxy: its own ready check, then its clients.
 */

const view = (nodes: ExternalNode[]) => externalView(redis, nodes, { bug: undefined, options: {} });
const soon = () => Date.now() + 30_000;
/** A deadline no test waits for: a ready check that polled until it would outlast the test's time-out. */
const never = () => Date.now() + 3_600_000;

/** Ready, open, and the register's and the set's ops through one client, with what Redis answered. */
async function exercise(v: ReturnType<typeof view>): Promise<void> {
  await redis.ready(v, soon());
  const session: TargetSession = await redis.open(v);
  const c = session.client(0);
  try {
    assert.deepEqual(await invoke(c, write('x', 1)), { type: 'ok', value: 1 });
    assert.deepEqual(await invoke(c, read('x')), { type: 'ok', value: 1 });
    assert.deepEqual(await invoke(c, cas('x', 1, 2)), { type: 'ok', value: [1, 2] });
    assert.deepEqual(await invoke(c, cas('x', 1, 3)), { type: 'fail', value: [1, 3], error: 'cas mismatch' });
    assert.deepEqual(await invoke(c, read('x')), { type: 'ok', value: 2 });
    assert.deepEqual(await invoke(c, { f: 'add', value: 7 }), { type: 'ok', value: 7 });
    assert.deepEqual(await invoke(c, { f: 'read', value: null }), { type: 'ok', value: [7] });
    assert.deepEqual(await session.primaries?.(), ['n1']);
  } finally {
    c.close();
    await session.close();
  }
}

describe('external: redis on a redis-server the test started', function () {
  this.timeout(60_000);

  describe('without a password', () => {
    let server: HostServer | undefined;
    before(async () => {
      server = await startRedis();
    });
    after(() => server?.stop());

    it('is ready, and its client reads, writes and compares-and-sets on it', async () => {
      await exercise(view([{ name: 'n1', host: server!.host, port: server!.port }]));
    });

    it('is one server: two nodes are refused in one line', async () => {
      const n = { host: server!.host, port: server!.port };
      await assert.rejects(redis.ready(view([{ name: 'n1', ...n }, { name: 'n2', ...n }]), soon()), (e: Error) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, /^the redis target is one server \(asked for 2 nodes/);
        return true;
      });
    });
  });

  describe('with a password (requirepass)', () => {
    const VAR = 'FAULTLINE_TEST_REDIS_PASSWORD';
    let server: HostServer | undefined;
    before(async () => {
      server = await startRedis({ password: 's3cret-redis' });
    });
    after(async () => {
      delete process.env[VAR];
      await server?.stop();
    });
    const node = (extra: Partial<ExternalNode> = {}): ExternalNode => ({ name: 'n1', host: server!.host, port: server!.port, ...extra });

    it('is reached with the password the test names in the environment', async () => {
      process.env[VAR] = 's3cret-redis';
      await exercise(view([node({ password: { env: VAR } })]));
    });

    it('a wrong password: ready fails at once, in one line, naming the refusal and not the password', async () => {
      process.env[VAR] = 'not-the-password';
      await assert.rejects(redis.ready(view([node({ password: { env: VAR } })]), never()), (e: Error) => {
        assert.ok(e instanceof UsageError, String(e));
        assert.match(e.message, /^redis on n1 refuses the credentials: WRONGPASS/);
        assert.doesNotMatch(e.message, /\n|not-the-password/);
        return true;
      });
    });

    it('no password given: ready fails at once, saying the server asks for one', async () => {
      await assert.rejects(redis.ready(view([node()]), never()), (e: Error) => {
        assert.ok(e instanceof UsageError, String(e));
        assert.match(e.message, /^redis on n1 asks for a password \(NOAUTH/);
        return true;
      });
    });
  });
});
