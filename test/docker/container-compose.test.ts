import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DockerComposeEnvironment, Wait, type StartedDockerComposeEnvironment } from 'testcontainers';
import type { ExternalNode } from '../../harness/config/cluster-spec.js';
import { completeGrudge } from '../../harness/nemesis/grudge.js';
import { ContainerMethod } from '../../harness/runtimes/external/container/container-method.js';
import { nodesFromCompose } from '../../harness/runtimes/external/container/nodes.js';
import { REDIS_PORT } from '../../targets/redis/server.js';
import { docker, eventually, LOCAL } from '../support/docker.js';
import { MemoryJournal } from '../support/memory-journal.js';
import { ping, reaches } from '../support/redis-containers.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/compose/', import.meta.url));
const SERVICES = ['r1', 'r2', 'r3'];

/**
 * Compose v2 is Docker's CLI plugin (`docker compose`); where only the standalone v1 (`docker-compose`, Debian's
 * package) is installed, testcontainers runs that, and names containers `<project>_<service>_1` instead of `<service>-1`.
 */
function composeCli(): { standalone: boolean } {
  const works = (cmd: string, args: string[]) => {
    try {
      execFileSync(cmd, args, { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (works('docker', ['compose', 'version'])) return { standalone: false };
  if (works('docker-compose', ['version'])) return { standalone: true };
  throw new Error('neither `docker compose` nor `docker-compose` runs here: apt-get install docker-compose (bash .ci/setup does)');
}

describe('docker fault method: a compose environment started with testcontainers', function () {
  this.timeout(180_000);
  const project = `faultline-compose-${randomBytes(3).toString('hex')}`;
  let environment: StartedDockerComposeEnvironment | undefined;
  let nodes: ExternalNode[];
  let method: ContainerMethod;
  const journal = new MemoryJournal();

  before(async () => {
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    const { standalone } = composeCli();
    let compose = new DockerComposeEnvironment(FIXTURES, 'redis.yml')
      .withProjectName(project)
      .withEnvironment({ REDIS_IMAGE: LOCAL.tag })
      .withDefaultWaitStrategy(Wait.forLogMessage('Ready to accept connections'));
    if (standalone) compose = compose.withClientOptions({ executable: { standalone: true } });
    environment = await compose.up();
    const containers = SERVICES.map((s) => (standalone ? `${project}_${s}_1` : `${s}-1`));
    nodes = nodesFromCompose(environment, { containers, port: REDIS_PORT });
    nodes.forEach((n, i) => containerNames.set(n.name, containers[i]));
    method = await ContainerMethod.create({ nodes, journal, log: () => undefined }, { images: 'local', local: LOCAL, docker });
  });
  after(async () => {
    await method?.close();
    await environment?.down({ timeout: 0 }).catch(() => undefined);
  });

  /** testcontainers' name of each node's container (nodesFromCompose keeps their order). */
  const containerNames = new Map<string, string>();
  const container = (n: string) => docker.getContainer(nodes.find((x) => x.name === n)!.container!);
  /** Whether `from` reaches `to`'s Redis over the project's network (redis-cli inside `from`). */
  const reach = (from: string, to: string) => reaches(environment!.getContainer(containerNames.get(from)!), nodes.find((x) => x.name === to)!.ip!);

  it('names each node after its service, on the project network, with its published port and container', async () => {
    assert.deepEqual(
      nodes.map((n) => n.name),
      SERVICES,
    );
    for (const n of nodes) {
      const info = await container(n.name).inspect();
      assert.equal(n.container, info.Id);
      const networks = Object.values(info.NetworkSettings.Networks);
      assert.equal(networks.length, 1, 'on the project network only');
      assert.equal(n.ip, networks[0].IPAddress);
      assert.equal(n.port, Number(info.NetworkSettings.Ports[`${REDIS_PORT}/tcp`]?.[0]?.HostPort));
      assert.ok(await ping(n.host, n.port!), `${n.name} answers PING`);
    }
  });

  it('partitions r1 from r2 and r3, and heals', async () => {
    assert.equal(await reach('r2', 'r1'), true);
    await method.partition(completeGrudge([['r1'], ['r2', 'r3']]));
    assert.deepEqual(await Promise.all([reach('r2', 'r1'), reach('r1', 'r3'), reach('r2', 'r3')]), [false, false, true]);
    await method.healNet();
    assert.deepEqual(await Promise.all([reach('r2', 'r1'), reach('r1', 'r3'), reach('r2', 'r3')]), [true, true, true]);
    assert.equal(journal.open().length, 0);
  });

  it('kills r2 and starts it again, answering where endpointOf says', async () => {
    const r2 = nodes[1];
    await method.kill('r2');
    assert.equal(await ping(r2.host, r2.port!), false);
    await method.restart('r2');
    const at = await method.endpointOf('r2', r2.port!);
    assert.ok(at);
    await eventually('r2 to answer PING', 20_000, async () => (await ping(at.host, at.port)) || undefined);
    assert.equal(journal.open().length, 0);
  });
});
