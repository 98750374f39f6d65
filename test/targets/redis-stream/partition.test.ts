import assert from 'node:assert/strict';
import { builtinLocalImage } from '../../../harness/builtins.js';
import { localImage } from '../../../harness/runtimes/docker/image-recipe.js';
import { builtinTargets } from '../../../targets/index.js';
import { redisStream } from '../../../targets/redis-stream/docker.js';
import { compareIds, entriesOf, inReadOrder, streamsOf } from '../../../targets/redis-stream/entries.js';
import { checkLayout, partitionOf, waitOf } from '../../../targets/redis-stream/layout.js';
import { kafkaPartition, murmur2 } from '../../../targets/redis-stream/murmur2.js';

describe('redis-stream: partitioning and stream replies', () => {
  it("hashes keys as Kafka's murmur2 does (the vectors of Kafka's UtilsTest)", () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [s, h] of cases) assert.equal(murmur2(Buffer.from(s)), h, s);
  });

  it('puts one key in one partition, and the workload keys in every partition of the default 4', () => {
    const ps = Array.from({ length: 16 }, (_, i) => partitionOf(`k${i}`, 4));
    assert.deepEqual([...new Set(ps)].sort(), [0, 1, 2, 3]);
    assert.equal(partitionOf('k7', 4), kafkaPartition('k7', 4));
    assert.ok(Array.from({ length: 100 }, (_, i) => partitionOf(`key-${i}`, 7)).every((p) => p >= 0 && p < 7));
  });

  it('orders stream IDs numerically, never as strings', () => {
    assert.equal(compareIds('9-0', '10-0'), -1);
    assert.equal(compareIds('5-10', '5-9'), 1);
    assert.equal(compareIds('18446744073709551615-1', '18446744073709551615-1'), 0);
    assert.deepEqual(
      inReadOrder([
        [1, '10-0', 3],
        [0, '9-1', 2],
        [1, '9-0', 1],
      ]),
      [
        [0, '9-1', 2],
        [1, '9-0', 1],
        [1, '10-0', 3],
      ],
    );
  });

  it('reads replies as triples, keeping a value that is not an integer for the checker to refuse', () => {
    assert.deepEqual(entriesOf(2, [['1-0', ['key', 'k1', 'value', '42']], ['1-1', ['value', 'x']]]), [
      [2, '1-0', 42],
      [2, '1-1', 'x'],
    ]);
    const keys = new Map([['faultline-log:0', 0], ['faultline-log:3', 3]]);
    assert.deepEqual(streamsOf(null, keys), []);
    assert.deepEqual(streamsOf([['faultline-log:3', [['7-0', ['value', '1']]]]], keys), [[3, '7-0', 1]]);
    assert.throws(() => streamsOf([['other', []]], keys), /unexpected stream/);
  });

  it('refuses layouts and waits that cannot be', () => {
    assert.throws(() => checkLayout(['n1', 'n2'], {}), /one server unless replicated/);
    assert.throws(() => checkLayout(['n1', 'n2'], { replicated: true }), /replicated needs 3 nodes/);
    assert.throws(() => checkLayout(['n1'], { wait: 1 }), /wait needs replicated/);
    assert.throws(() => waitOf({ wait: 3 }, 3), /0 to 2/);
    assert.equal(waitOf({ wait: 2 }, 3), 2);
    checkLayout(['n1'], {});
    checkLayout(['n1', 'n2', 'n3'], { replicated: true, wait: 1 });
  });
});

describe('redis-stream: images and containers', () => {
  it('pins the official image to redis:7.0, and needs nothing the local image lacks (its recipe, so its tag, is unchanged)', () => {
    assert.equal(redisStream.images.redis.official, 'redis:7.0');
    const others = (builtinTargets.dockerTargets ?? []).filter((t) => t !== redisStream);
    assert.equal(localImage(others).tag, builtinLocalImage().tag);
  });

  it('runs one durable server, or redis-replicated\'s server and sentinel per node when replicated', () => {
    const ctx = (nodes: string[], options: Record<string, unknown>) => ({
      nodes,
      flavour: 'local' as const,
      image: () => 'img',
      ips: Object.fromEntries(nodes.map((n, i) => [n, `10.0.0.${i + 2}`])),
      bug: undefined,
      options,
    });
    const one = redisStream.containers(ctx(['n1'], {})).n1;
    assert.deepEqual(one.ports, [6379]);
    assert.ok(one.cmd.join(' ').includes('--appendfsync always'), one.cmd.join(' '));
    const three = redisStream.containers(ctx(['n1', 'n2', 'n3'], { replicated: true, wait: 1 }));
    assert.deepEqual(Object.keys(three), ['n1', 'n2', 'n3']);
    assert.deepEqual(three.n2.ports, [6379, 26379]);
    assert.match(three.n2.cmd[2], /replicaof 10\.0\.0\.2 6379/);
    assert.deepEqual(redisStream.nodeIds(1, { replicated: true }), ['n1', 'n2', 'n3']);
    assert.throws(() => redisStream.containers(ctx(['n1'], { replicated: true })), /replicated needs 3 nodes/);
  });
});
