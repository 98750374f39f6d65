// Your own cluster, started with testcontainers in your own tests, handed to faultline as an external cluster: it
// runs its workload against it while the `docker` fault method kills (SIGKILL, then starts the same container) and
// pauses (the cgroup freezer) the container, with nothing installed in it and no SSH. Each fault is journaled before
// it is applied, and healed by the end of the run.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenericContainer, Wait } from 'testcontainers';
import { builtinRegistry, nodesFromContainers, parseDefinition, runTest } from 'faultline';
import { redisImage } from './image.js';

// testcontainers' reaper (Ryuk) is an image from a registry: where none is reachable, turn it off, and stop the
// containers yourself (after).
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

describe('a Redis started with testcontainers, under faultline', function () {
  this.timeout(180_000);
  const registry = builtinRegistry();
  const store = mkdtempSync(join(tmpdir(), 'testcontainers-cluster-'));
  let redis;

  before(async () => {
    // Durable: every write is fsynced before its reply, so a SIGKILL loses nothing acknowledged.
    redis = await new GenericContainer(redisImage())
      .withCommand(['redis-server', '--protected-mode', 'no', '--appendonly', 'yes', '--appendfsync', 'always'])
      .withExposedPorts(6379)
      .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
      .start();
  });
  after(() => redis?.stop({ timeout: 0 }));

  it('stays linearizable while its container is killed, restarted, paused and resumed', async () => {
    const def = parseDefinition(
      {
        runtime: 'external',
        target: 'redis',
        nodes: nodesFromContainers([redis], { port: 6379 }),
        faults: { kill: 'docker', pause: 'docker' },
        nemesis: { faults: 'kill,pause', interval: 1.5 },
        timeLimit: 6,
        seed: 1,
        store,
      },
      registry.definitions(),
    );
    const outcome = await runTest(def, { registry });
    assert.equal(outcome.valid, true, outcome.report);

    const faults = outcome.history.filter((o) => o.process === 'nemesis' && o.f.startsWith('start-'));
    assert.ok(faults.length > 0, 'the nemesis struck');
    assert.deepEqual(faults.filter((o) => o.error), [], 'every fault was made');
    // Healed by the end of the run: the container runs, unfrozen, and answers.
    assert.equal((await redis.exec(['redis-cli', 'PING'])).output.trim(), 'PONG');
  });
});
