import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { nemesisPairs } from '../../checkers/history/nemesis-pairs.js';
import { builtinCheckers } from '../../harness/checking.js';
import { parseDefinition } from '../../harness/config/index.js';
import { Registry, type Plugin } from '../../harness/registry.js';
import { runTest } from '../../harness/run.js';
import type { DockerTarget } from '../../harness/runtimes/docker/target.js';
import { builtinWorkloads } from '../../workloads/index.js';
import { CONNECTION_OPTIONS, OpenClients, redisClient } from '../../targets/redis/client.js';
import { REDIS_OPERATIONS } from '../../targets/redis/ops.js';
import { removeDir, tempDir } from '../support/host-process.js';
import { startRedis } from '../support/host-servers.js';

/**
 * A plugin's target runs on an external cluster like a built-in one once it declares `external`: its services by
 * name and port. Here a user's own Redis target (its containers never used), in a plugin, against a redis-server
 * started on loopback, under the proxy's faults.
 */
const kvStore: DockerTarget<'kv'> = {
  name: 'my-kv',
  description: "a user's key-value store on Redis",
  bugs: [],
  defaultNodes: 1,
  operations: REDIS_OPERATIONS,
  images: { kv: { official: 'redis:7', packages: ['redis-server'] } },
  nodeIds: () => ['kv1'],
  containers: () => {
    throw new Error('this plugin runs only on clusters its user starts');
  },
  async ready(view) {
    const c = new Redis({ ...view.endpoint(view.nodes[0], 6379), ...CONNECTION_OPTIONS });
    c.on('error', () => {});
    try {
      await c.connect();
      assert.equal(await c.ping(), 'PONG');
    } finally {
      c.disconnect();
    }
  },
  async open(view) {
    const clients = new OpenClients();
    const at = view.endpoint(view.nodes[0], 6379);
    return {
      client: () => clients.add(redisClient({ connection: () => new Redis({ ...at, ...CONNECTION_OPTIONS }), waitReplicas: 0 })),
      close: async () => clients.closeAll(),
    };
  },
  external: { services: [{ name: 'kv', port: 6379 }] },
};

const plugin: Plugin = { name: 'my-plugin', dockerTargets: [kvStore] };

describe('external runtime: a plugin target that declares external', function () {
  this.timeout(120_000);

  it('is offered for the external runtime and runs there, valid under the proxy faults', async () => {
    const registry = new Registry([builtinCheckers, builtinWorkloads, plugin]);
    assert.ok(registry.targetNames('external').includes('my-kv'));
    const redis = await startRedis();
    const store = tempDir('plugin-external');
    try {
      const def = parseDefinition(
        { runtime: 'external', target: 'my-kv', nodes: [`kv1=${redis.address}`], nemesis: { faults: 'client-partition,client-latency', interval: 2 }, timeLimit: 5, seed: 7, store },
        registry.definitions(),
      );
      const outcome = await runTest(def, { registry });
      assert.equal(outcome.valid, true);
      assert.ok(nemesisPairs(outcome.history).some(({ complete: o }) => o?.f === 'start-client-partition' && o.error === undefined));
      assert.ok(outcome.history.filter((o) => o.type === 'ok').length > 20);
    } finally {
      await redis.stop();
      removeDir(store);
    }
  });
});
