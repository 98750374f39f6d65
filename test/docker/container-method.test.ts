import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Network, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import type { ExternalNode } from '../../harness/config/cluster-spec.js';
import { isUserError } from '../../harness/errors.js';
import { completeGrudge } from '../../harness/nemesis/grudge.js';
import { ContainerMethod } from '../../harness/runtimes/external/container/container-method.js';
import { nodesFromContainers } from '../../harness/runtimes/external/container/nodes.js';
import { undoDocker } from '../../harness/runtimes/external/container/undo.js';
import type { MethodContext } from '../../harness/runtimes/external/method.js';
import { REDIS_PORT } from '../../targets/redis/server.js';
import { docker, eventually, LOCAL } from '../support/docker.js';
import { MemoryJournal } from '../support/memory-journal.js';
import { ping, reaches, redisContainer } from '../support/redis-containers.js';

/**
 * The `docker` fault method against three real Redis servers a user started with testcontainers on a network of
 * their own: the containers have no NET_ADMIN, so every rule goes in through the helper from the local image.
 * Reachability is checked by real connections (redis-cli between containers, PING from the host).
 */
describe('docker fault method: Redis containers started with testcontainers', function () {
  this.timeout(180_000);
  let network: StartedNetwork;
  let containers: StartedTestContainer[] = [];
  let nodes: ExternalNode[];
  let journal: MemoryJournal;
  let method: ContainerMethod;
  const lines: string[] = [];

  const context = (j: MethodContext['journal']): MethodContext => ({ nodes, journal: j, log: (l) => lines.push(l) });
  const container = (n: string) => containers[nodes.findIndex((x) => x.name === n)];
  const ipOf = (n: string) => nodes.find((x) => x.name === n)!.ip!;
  /** Every ordered pair of nodes whose link works, as `a→b`. */
  const links = async (): Promise<string[]> => {
    const pairs = nodes.flatMap((a) => nodes.filter((b) => b !== a).map((b) => [a.name, b.name] as const));
    const ok = await Promise.all(pairs.map(([a, b]) => reaches(container(a), ipOf(b))));
    return pairs.filter((_, i) => ok[i]).map(([a, b]) => `${a}→${b}`);
  };
  const ALL = ['n1→n2', 'n1→n3', 'n2→n1', 'n2→n3', 'n3→n1', 'n3→n2'];
  /** Where the node's Redis is published now, as Docker says (independently of the method). */
  const publishedNow = async (n: string): Promise<number> => {
    const info = await docker.getContainer(container(n).getId()).inspect();
    return Number(info.NetworkSettings.Ports[`${REDIS_PORT}/tcp`]?.[0]?.HostPort);
  };
  const answers = (n: string, port: number) => ping(nodes.find((x) => x.name === n)!.host, port);

  before(async () => {
    network = await new Network().start();
    containers = await Promise.all([1, 2, 3].map(() => redisContainer(network).start()));
    nodes = nodesFromContainers(containers, { port: REDIS_PORT, network });
    journal = new MemoryJournal();
    method = await ContainerMethod.create(context(journal), { images: 'local', local: LOCAL, docker });
  });
  after(async () => {
    await method?.close();
    await Promise.all(containers.map((c) => c.stop({ timeout: 0 }).catch(() => undefined)));
    await network?.stop().catch(() => undefined);
  });

  it('hands the containers over as nodes: published port, address on the shared network, container id', async () => {
    assert.deepEqual(
      nodes.map((n) => n.name),
      ['n1', 'n2', 'n3'],
    );
    for (const [i, n] of nodes.entries()) {
      const info = await docker.getContainer(containers[i].getId()).inspect();
      assert.equal(n.container, info.Id);
      assert.equal(n.ip, info.NetworkSettings.Networks[network.getName()].IPAddress);
      assert.equal(n.port, await publishedNow(n.name));
      assert.equal(n.host, containers[i].getHost());
      assert.ok(await answers(n.name, n.port!), `${n.name} answers PING where the node says`);
    }
    assert.deepEqual(await links(), ALL);
  });

  it('refuses, as usage errors, a port the containers do not publish and a network they are not on', () => {
    assert.throws(() => nodesFromContainers(containers, { port: 1234, network }), (e: Error) => isUserError(e) && /does not publish port 1234: start it with withExposedPorts\(1234\)/.test(e.message));
    assert.throws(() => nodesFromContainers(containers, { port: REDIS_PORT, network: 'faultline-no-such-network' }), (e: Error) => isUserError(e) && /is not on network faultline-no-such-network/.test(e.message));
    assert.deepEqual(nodesFromContainers(containers, { port: REDIS_PORT }), nodes, 'the one network they share besides the default');
  });

  it('refuses, as usage errors, a node without a container and a container that does not exist', async () => {
    const ctx = (n: ExternalNode): MethodContext => ({ nodes: [n], journal: new MemoryJournal(), log: () => undefined });
    await assert.rejects(ContainerMethod.create(ctx({ name: 'x', host: '127.0.0.1' }), { images: 'local', local: LOCAL, docker }), (e: Error) => {
      assert.ok(isUserError(e));
      return /node x: the docker fault method needs the node's container/.test(e.message);
    });
    await assert.rejects(ContainerMethod.create(ctx({ name: 'x', host: '127.0.0.1', container: 'faultline-no-such-container' }), { images: 'local', local: LOCAL, docker }), (e: Error) => {
      assert.ok(isUserError(e));
      return /no container faultline-no-such-container/.test(e.message);
    });
  });

  it('partitions n1 from n2 and n3 (journaled first, with a flush per node), and healNet restores every link', async () => {
    await method.partition(completeGrudge([['n1'], ['n2', 'n3']]));
    const [entry] = journal.open();
    assert.equal(entry.kind, 'partition');
    assert.deepEqual(entry.nodes, ['n1', 'n2', 'n3']);
    assert.deepEqual(
      entry.undo.map((s) => s.method === 'docker' && [s.container, s.action, s.netToolsImage]),
      nodes.map((n) => [n.container, 'net-script', LOCAL.tag]),
    );
    assert.deepEqual(await links(), ['n2→n3', 'n3→n2']);
    await method.healNet();
    assert.equal(journal.open().length, 0);
    assert.deepEqual(await links(), ALL);
  });

  it('network changes asked for together apply in order: the last one (a heal) holds, and no entry is left open', async () => {
    await Promise.all([method.partition(completeGrudge([['n1'], ['n2', 'n3']])), method.lose(['n3'], 1), method.healNet()]);
    assert.deepEqual(
      journal.entries.slice(-2).map((e) => e.kind),
      ['partition', 'loss'],
    );
    assert.equal(journal.open().length, 0);
    assert.deepEqual(await links(), ALL);
  });

  it('made without network faults, it needs no helper image: healNet has nothing to do, and partition is refused', async () => {
    const noImage = { ...LOCAL, tag: 'faultline/no-such-image:0' };
    const bareJournal = new MemoryJournal();
    const bare = await ContainerMethod.create(context(bareJournal), { images: 'local', local: noImage, net: false, docker });
    await bare.healNet();
    await assert.rejects(bare.partition(completeGrudge([['n1'], ['n2', 'n3']])), /made without network faults/);
    assert.deepEqual(bareJournal.entries, [], 'nothing journaled: nothing was applied');
    await assert.rejects(ContainerMethod.create(context(new MemoryJournal()), { images: 'local', local: noImage, docker }), (e: Error) => isUserError(e) && /is not built/.test(e.message));
  });

  it('kill: SIGKILL, the container stays and answers nothing; restart: it answers where endpointOf says', async () => {
    const n1 = nodes[0];
    await method.kill('n1');
    const [entry] = journal.open();
    assert.deepEqual([entry.kind, entry.undo], ['kill', [{ method: 'docker', container: n1.container, action: 'start' }]]);
    const state = (await docker.getContainer(n1.container!).inspect()).State;
    assert.deepEqual([state.Running, state.ExitCode], [false, 137]);
    assert.equal(await answers('n1', n1.port!), false);

    await method.restart('n1');
    assert.equal(journal.open().length, 0);
    const now = await publishedNow('n1');
    // Asked by the port the node was given, or by the service's own port in the container: the same answer.
    assert.deepEqual(await method.endpointOf('n1', n1.port!), { host: n1.host, port: now });
    assert.deepEqual(await method.endpointOf('n1', REDIS_PORT), { host: n1.host, port: now });
    await eventually('n1 to answer PING after its restart', 20_000, async () => (await answers('n1', now)) || undefined);
  });

  it('a partition in force holds for a node killed and started again (its namespace is new)', async () => {
    await method.partition(completeGrudge([['n1'], ['n2', 'n3']]));
    await method.kill('n1');
    await method.restart('n1');
    await eventually('n1 to answer PING', 20_000, async () => (await answers('n1', await publishedNow('n1'))) || undefined);
    assert.deepEqual(await links(), ['n2→n3', 'n3→n2']);
    await method.healNet();
    assert.deepEqual(await links(), ALL);
    assert.equal(journal.open().length, 0);
  });

  it('pause freezes the node (PING unanswered) and resume thaws it', async () => {
    await method.pause('n2');
    assert.deepEqual(
      journal.open().map((e) => [e.kind, e.undo]),
      [['pause', [{ method: 'docker', container: nodes[1].container, action: 'unpause' }]]],
    );
    assert.equal((await docker.getContainer(nodes[1].container!).inspect()).State.Paused, true);
    assert.equal(await answers('n2', nodes[1].port!), false);
    await method.resume('n2');
    assert.equal(journal.open().length, 0);
    assert.equal(await answers('n2', nodes[1].port!), true);
  });

  it('loss drops packets in and out of the node (all of them at p = 1), until healNet', async () => {
    await method.lose(['n3'], 1);
    assert.deepEqual(
      journal.open().map((e) => [e.kind, e.nodes]),
      [['loss', ['n3']]],
    );
    assert.deepEqual(await links(), ['n1→n2', 'n2→n1']);
    await method.healNet();
    assert.deepEqual(await links(), ALL);
  });

  it("collects each node's docker logs into the run directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'container-logs-'));
    try {
      await method.collectLogs(dir);
      for (const n of nodes) assert.match(await readFile(join(dir, n.name, 'docker.log'), 'utf8'), /Ready to accept connections/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('undoDocker heals, from the journal alone, what a method dropped without healing left: partition, pause, kill', async () => {
    const left = new MemoryJournal();
    const dropped = await ContainerMethod.create(context(left), { images: 'local', local: LOCAL, docker });
    await dropped.partition(completeGrudge([['n1'], ['n2', 'n3']]));
    await dropped.pause('n3');
    await dropped.kill('n2');
    assert.deepEqual(
      left.open().map((e) => e.kind),
      ['partition', 'pause', 'kill'],
    );
    // What `faultline heal` does: the open entries' steps, last fault first, serialized and read back.
    const steps = JSON.parse(JSON.stringify(left.open().reverse().flatMap((e) => e.undo))) as Parameters<typeof undoDocker>[0][];
    const done = [];
    for (const s of steps) done.push(await undoDocker(s, { docker }));
    assert.match(done.join('\n'), /started container/);
    assert.match(done.join('\n'), /unpaused container/);
    await eventually('n2 to answer PING', 20_000, async () => (await answers('n2', await publishedNow('n2'))) || undefined);
    assert.deepEqual(await links(), ALL);
    // Undoing again changes nothing: each step looks first.
    const again = [];
    for (const s of steps) again.push(await undoDocker(s, { docker }));
    assert.deepEqual(
      again.filter((l) => /started|unpaused/.test(l)),
      [],
    );
    assert.deepEqual(await links(), ALL);
  });
});
