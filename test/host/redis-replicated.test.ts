import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { UsageError } from '../../harness/errors.js';
import { externalView } from '../../harness/runtimes/external/view.js';
import { redisReplicated } from '../../targets/redis-replicated/docker.js';
import { invoke, read, write } from '../support/client-ops.js';
import { startSentinelDeployment, type SentinelDeployment } from '../support/sentinel-deployment.js';

/**
 * The redis-replicated target on a Sentinel deployment the user started (here: a primary, two replicas and three
 * `redis-server --sentinel` on loopback), listed with the primary second: the external ready check finds the
 * primary through the sentinels, and clients reach it through them.
 */

const ready = redisReplicated.external!.ready!;

function direct(s: { host: string; port: number }, password?: string): Redis {
  const c = new Redis({ host: s.host, port: s.port, password, maxRetriesPerRequest: 0, retryStrategy: () => null, commandTimeout: 2000 });
  c.on('error', () => {});
  return c;
}

/** Ready, then one client writes through the sentinels: the write is on the primary, and read back. */
async function writesToThePrimary(d: SentinelDeployment, v: ReturnType<typeof externalView>, password?: string): Promise<void> {
  await ready(v, Date.now() + 60_000);
  const session = await redisReplicated.open(v);
  const c = session.client(0);
  try {
    assert.deepEqual(await invoke(c, write('x', 5)), { type: 'ok', value: 5 });
    assert.deepEqual(await invoke(c, read('x')), { type: 'ok', value: 5 });
    assert.deepEqual(await session.primaries!(), ['n2']);
  } finally {
    c.close();
    await session.close();
  }
  const primary = direct(d.primary, password);
  try {
    assert.equal(await primary.get('x'), '5');
  } finally {
    primary.disconnect();
  }
}

describe('external: redis-replicated on a Sentinel deployment the test started', function () {
  this.timeout(120_000);

  describe('with a password on the servers and on the sentinels', () => {
    const VAR = 'FAULTLINE_TEST_SENTINEL_PASSWORD';
    let d: SentinelDeployment | undefined;
    before(async () => {
      d = await startSentinelDeployment({ password: 's3cret-sentinel', sentinelPassword: 's3cret-sentinel' });
      process.env[VAR] = 's3cret-sentinel';
    });
    after(async () => {
      delete process.env[VAR];
      await d?.stop();
    });

    it('is ready with n2 as the primary, and a client writes to it through the sentinels', async () => {
      const v = externalView(redisReplicated, d!.nodes({ password: { env: VAR } }), { bug: undefined, options: {} });
      await writesToThePrimary(d!, v, 's3cret-sentinel');
    });

    it('a master name the sentinels do not monitor: refused at once, naming the one they do', async () => {
      const v = externalView(redisReplicated, d!.nodes({ password: { env: VAR } }), { bug: undefined, options: { master: 'other' } });
      await assert.rejects(ready(v, Date.now() + 3_600_000), (e: Error) => {
        assert.ok(e instanceof UsageError, String(e));
        assert.match(e.message, /^redis-replicated: n1's sentinel monitors no master named 'other' \(it monitors: mymaster\); set the option master/);
        return true;
      });
    });
  });

  describe('a password on the servers only, and a master name of its own', () => {
    const VAR = 'FAULTLINE_TEST_SENTINEL_PASSWORD_2';
    let d: SentinelDeployment | undefined;
    before(async () => {
      d = await startSentinelDeployment({ password: 'pw-servers', master: 'shop' });
      process.env[VAR] = 'pw-servers';
    });
    after(async () => {
      delete process.env[VAR];
      await d?.stop();
    });

    it('asks the sentinels without a password, the servers with it', async () => {
      const v = externalView(redisReplicated, d!.nodes({ password: { env: VAR } }), { bug: undefined, options: { master: 'shop' } });
      // ioredis warns on the console for every connection given a password its server does not ask for.
      const warnings: unknown[] = [];
      const warn = console.warn;
      console.warn = (...args: unknown[]) => void warnings.push(args);
      try {
        await writesToThePrimary(d!, v, 'pw-servers');
      } finally {
        console.warn = warn;
      }
      assert.deepEqual(warnings, []);
    });

    it('nodes named at addresses the sentinels do not report: not ready, and the error says whose address to give', async () => {
      // Every node given an ip (its address among its peers) that the sentinels never report.
      const nodes = d!.nodes({ password: { env: VAR } }).map((n) => ({ ...n, ip: '127.0.0.2' }));
      const v = externalView(redisReplicated, nodes, { bug: undefined, options: { master: 'shop' } });
      await assert.rejects(ready(v, Date.now() + 2000), /the sentinels name the primary 127\.0\.0\.1:\d+, none of the nodes \(n1 127\.0\.0\.2:\d+.*give each node the address its sentinels know it by/);
    });
  });
});
