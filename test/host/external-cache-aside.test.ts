import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheResult } from '../../checkers/cache/result.js';
import { nemesisPairs } from '../../checkers/history/nemesis-pairs.js';
import type { Op } from '../../checkers/history/op.js';
import { faultlineAsync } from '../support/cli.js';
import { removeDir, tempDir } from '../support/host-process.js';
import { startPostgres, startRedis, type HostServer } from '../support/host-servers.js';

/**
 * cache-aside on servers the user runs (`--runtime external`): a Redis and a PostgreSQL started on the loopback,
 * named cache and db, the real CLI in front of them. The target's faults there are the fault proxy's.
 */
describe('external runtime: cache-aside on the user’s Redis and PostgreSQL', function () {
  this.timeout(240_000);
  let redis: HostServer;
  let pg: HostServer;
  let store: string;

  before(async () => {
    [redis, pg] = await Promise.all([startRedis(), startPostgres()]);
    store = tempDir('cache-aside-store');
  });
  after(async () => {
    await Promise.all([redis?.stop(), pg?.stop()]);
    removeDir(store);
  });

  const latest = (name: string) => {
    const dir = join(store, name);
    const run = join(dir, readdirSync(dir).sort().at(-1)!);
    return {
      results: JSON.parse(readFileSync(join(run, 'results.json'), 'utf8')) as { valid: boolean; checker: CacheResult },
      history: readFileSync(join(run, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Op),
    };
  };
  const args = (extra: string[]) => ['run', '--runtime', 'external', '--target', 'cache-aside', '--nodes', `cache=${redis.address},db=${pg.address}`, '--time-limit', '8', '--nemesis-interval', '2', '--store', store, ...extra];

  it('finds fill-race with latency (aimed at the database, made by the proxy), and the correct mode is valid under latency and cache partitions', async () => {
    const seen: string[] = [];
    let found = false;
    for (let seed = 1; seed <= 5 && !found; seed++) {
      const r = await faultlineAsync(args(['--bug', 'fill-race', '--nemesis', 'latency', '--seed', String(seed)]));
      seen.push(`seed ${seed}: exit ${r.code} ${r.stderr.trim()}: ${r.stdout.split('\n').find((l) => l.startsWith('cache:'))}`);
      found = r.code === 1;
    }
    assert.ok(found, seen.join('\n'));
    const bad = latest('cache-aside-cache-fill-race');
    assert.equal(bad.results.checker.linearizable, false);
    const latency = nemesisPairs(bad.history).flatMap((p) => (p.complete?.f === 'start-latency' && p.complete.error === undefined ? [p.complete.value] : []));
    assert.ok(latency.length > 0 && latency.every((v) => JSON.stringify(v).includes('"role":"db"') && JSON.stringify(v).includes('"via":"proxy"')), JSON.stringify(latency));

    const r = await faultlineAsync(args(['--nemesis', 'latency,partition', '--seed', '1']));
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const good = latest('cache-aside-cache');
    assert.equal(good.results.valid, true);
    assert.ok(good.results.checker.figures.hits > 0 && good.results.checker.figures.misses > 0);
    const partitioned = nemesisPairs(good.history).some((p) => p.complete?.f === 'start-partition' && p.complete.error === undefined && JSON.stringify(p.complete.value).includes('"role":"cache"'));
    assert.ok(partitioned, 'the cache was cut off from the clients');
  });

  it('refuses a cluster without a db node, in one line (exit 254)', async () => {
    const r = await faultlineAsync(['run', '--runtime', 'external', '--target', 'cache-aside', '--nodes', `cache=${redis.address}`, '--time-limit', '2', '--nemesis', 'none', '--store', store]);
    assert.equal(r.code, 254, r.stderr);
    // The run's first line says what it starts; the error is the one line after it.
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[1], /^faultline: cache-aside on the external cluster: cache-aside: two nodes, cache \(Redis\) and db \(PostgreSQL\); got cache$/);
  });
});
