import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { faultlineAsync } from '../support/cli.js';
import { removeDir, tempDir } from '../support/host-process.js';
import { startPostgres, startRedis, type HostServer } from '../support/host-servers.js';

/**
 * redis-lock with `--runtime external` as a user runs it: the real CLI against a redis-server and a PostgreSQL the
 * test started on loopback as the user's own, named n1 and pg (the resource's node, with its user, password and
 * database). The nodes serve different services: n1 Redis alone, pg PostgreSQL alone.
 */

interface LockCheck {
  checker: string;
  valid: boolean | 'unknown';
  fencing: string;
  mutualExclusion: boolean;
  keys: { okWrites: number; final?: number }[];
  lostUpdates: unknown[];
}

function latest(store: string): { valid: unknown; checker: LockCheck } {
  const dir = realpathSync(join(store, 'latest'));
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { valid: unknown; checker: LockCheck };
}

describe('external runtime: redis-lock on a redis-server and a PostgreSQL the user started', function () {
  this.timeout(180_000);
  const secret = `lock-${process.pid}-Zq`;
  let redis: HostServer | undefined;
  let pg: (HostServer & { user: string; database: string }) | undefined;
  let store: string;
  before(async () => {
    redis = await startRedis();
    pg = await startPostgres({ password: secret, database: 'locks' });
  });
  after(async () => {
    await redis?.stop();
    await pg?.stop();
  });
  beforeEach(() => {
    store = tempDir('redis-lock-store');
  });
  afterEach(() => removeDir(store));

  const nodes = () =>
    JSON.stringify([
      { name: 'n1', host: redis!.host, port: redis!.port },
      { name: 'pg', host: pg!.host, port: pg!.port, user: pg!.user, database: pg!.database, password: { env: 'FAULTLINE_TEST_PG_PASSWORD' } },
    ]);
  const run = (extra: string[]) =>
    faultlineAsync(['run', '--runtime', 'external', '--target', 'redis-lock', '--workload', 'lock', '--nodes', nodes(), '--time-limit', '6', '--store', store, '--quiet', ...extra], {
      FAULTLINE_TEST_PG_PASSWORD: secret,
    });

  it('the fenced lock keeps the counter safe under client pauses', async () => {
    const r = await run(['--nemesis', 'pause-client', '--nemesis-interval', '2', '--seed', '1']);
    assert.equal(r.code, 0, r.stderr);
    const { valid, checker } = latest(store);
    assert.equal(valid, true);
    assert.equal(checker.checker, 'lock');
    assert.equal(checker.fencing, 'all');
    assert.ok(checker.keys[0].okWrites > 20, `${checker.keys[0].okWrites} ok writes`);
  });

  it('the seeds\' per-second-key lock loses increments on the same servers', async () => {
    const r = await run(['--bug', 'per-second-key', '--nemesis', 'none', '--seed', '2']);
    assert.equal(r.code, 1, r.stderr);
    const { valid, checker } = latest(store);
    assert.equal(valid, false);
    assert.ok(checker.lostUpdates.length > 0);
  });
});
