import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { isUserError } from '../../harness/errors.js';
import { buildLocalImage, dockerClient, imageExists, pullMissing } from '../../harness/runtimes/docker/images.js';
import { resolveImages } from '../../harness/runtimes/docker/run-images.js';
import { PG_BIN, PG_DATA } from '../../targets/postgres/image.js';
import { pg2pc } from '../../targets/pg-2pc/docker.js';
import { LOCAL } from '../support/docker.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');
const LABEL = { 'faultline.test': 'images' };

/** Runs a command in a fresh container of the local image; resolves with its exit code and output. */
async function runIn(docker: Dockerode, cmd: string[], options: { user?: string; capAdd?: string[] } = {}): Promise<{ code: number; out: string }> {
  const container = await docker.createContainer({
    Image: LOCAL.tag,
    Cmd: cmd,
    User: options.user,
    Tty: true, // one raw stream, no multiplexing headers
    Labels: LABEL,
    HostConfig: { CapAdd: options.capAdd, NetworkMode: 'none' },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const out = (await container.logs({ stdout: true, stderr: true })).toString();
    return { code: StatusCode, out };
  } finally {
    await container.remove({ force: true });
  }
}

/** Runs a command in a running container, as root unless told; resolves with its exit code and output. */
async function execIn(docker: Dockerode, container: Dockerode.Container, cmd: string[], user = 'root'): Promise<{ code: number; out: string }> {
  // No TTY: a TTY would make psql page its output and wait for a key.
  const exec = await container.exec({ Cmd: cmd, User: user, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  docker.modem.demuxStream(stream, out, out);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const { ExitCode } = await exec.inspect();
  return { code: ExitCode ?? -1, out: Buffer.concat(chunks).toString() };
}

describe('docker: images', function () {
  let docker: Dockerode;

  before(async function () {
    // CI runs `faultline images build` before the tests; a machine that has not is built here, once.
    this.timeout(900_000);
    docker = await dockerClient();
    const { built, ms } = await buildLocalImage(docker, LOCAL, { log: (line) => process.stderr.write(`  images build: ${line}\n`) });
    if (built) process.stderr.write(`  built ${LOCAL.tag} in ${(ms / 1000).toFixed(1)} s\n`);
  });

  after(async function () {
    if (docker === undefined) return;
    const left = await docker.listContainers({ all: true, filters: { label: ['faultline.test=images'] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  });

  it('names the local image by its recipe, and resolves local and auto to it once built, for every role', async () => {
    assert.match(LOCAL.tag, /^faultline\/bookworm:[0-9a-f]{8}$/);
    assert.equal(await imageExists(docker, LOCAL.tag), true);
    const local = { flavour: 'local', byRole: { participant: LOCAL.tag, coordinator: LOCAL.tag } };
    assert.deepEqual(await resolveImages(async () => docker, pg2pc, 'local', LOCAL), local);
    assert.deepEqual(await resolveImages(async () => docker, pg2pc, 'auto', LOCAL), local);
  });

  it('a second build is a no-op while the image exists', async () => {
    const { tag, built } = await buildLocalImage(docker, LOCAL, { log: () => assert.fail('a skipped build logs nothing') });
    assert.deepEqual([tag, built], [LOCAL.tag, false]);
  });

  it('runs Redis 7, PostgreSQL 15, iptables and this Node', async () => {
    const versions = await Promise.all([
      runIn(docker, ['redis-server', '--version']),
      runIn(docker, [`${PG_BIN}/postgres`, '--version']),
      runIn(docker, ['iptables', '--version']),
      runIn(docker, ['node', '--version']),
    ]);
    for (const v of versions) assert.equal(v.code, 0, v.out);
    const [redis, postgres, iptables, node] = versions.map((v) => v.out.trim());
    assert.match(redis, /^Redis server v=7\./);
    assert.match(postgres, /^postgres \(PostgreSQL\) 15\./);
    assert.match(iptables, /^iptables v1\.8/);
    assert.match(node, /^v20\./);
    assert.equal(node, process.version);
  });

  it('with NET_ADMIN, iptables rules can be added inside a container', async () => {
    const r = await runIn(docker, ['sh', '-c', 'iptables -A INPUT -s 10.1.2.3 -j DROP && iptables -S INPUT'], { capAdd: ['NET_ADMIN'] });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /-A INPUT -s 10\.1\.2\.3\/32 -j DROP/);
  });

  it('starts PostgreSQL as user postgres from the pre-initialized data directory within seconds', async function () {
    this.timeout(60_000);
    const container = await docker.createContainer({
      Image: LOCAL.tag,
      Cmd: [`${PG_BIN}/postgres`, '-D', PG_DATA],
      User: 'postgres',
      Labels: LABEL,
      HostConfig: { CapAdd: ['NET_ADMIN'], NetworkMode: 'none' },
    });
    try {
      await container.start();
      const started = Date.now();
      let ready = await execIn(docker, container, [`${PG_BIN}/pg_isready`, '-q'], 'postgres');
      while (ready.code !== 0 && Date.now() - started < 5_000) {
        await new Promise((r) => setTimeout(r, 100));
        ready = await execIn(docker, container, [`${PG_BIN}/pg_isready`, '-q'], 'postgres');
      }
      assert.equal(ready.code, 0, `pg_isready after ${Date.now() - started} ms: ${ready.out}`);
      // Over TCP (trust, no password), with the settings the recipe appended.
      const q = await execIn(docker, container, ['psql', '-h', '127.0.0.1', '-U', 'postgres', '-tAc', "select current_setting('listen_addresses'), current_setting('jit')"], 'postgres');
      assert.equal(q.code, 0, q.out);
      assert.equal(q.out.trim(), '*|off');
    } finally {
      await container.remove({ force: true });
    }
  });

  it('a pull that fails is one usage error naming the image and the way around it', async () => {
    await assert.rejects(pullMissing(docker, ['faultline/no-such-image:never']), (e: unknown) => {
      assert.ok(isUserError(e), String(e));
      assert.match(e.message, /^cannot pull faultline\/no-such-image:never \(.+\): .*faultline images build.*--images local$/);
      assert.equal(e.message.split('\n').length, 1);
      return true;
    });
  });

  it('--images local without the image is a usage error that says how to build it', async () => {
    const missing = { getImage: () => ({ inspect: async () => Promise.reject(Object.assign(new Error('no such image'), { statusCode: 404 })) }) };
    await assert.rejects(resolveImages(async () => missing as unknown as Dockerode, pg2pc, 'local', LOCAL), (e: unknown) => {
      assert.ok(isUserError(e), String(e));
      assert.match(e.message, /not built: run `faultline images build`/);
      return true;
    });
  });

  it('faultline images status names the tag and what auto picks; an unreachable Docker is one line and exit 254', () => {
    const ok = spawnSync(process.execPath, [bin, 'images', 'status'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`^local +${LOCAL.tag} +built$`, 'm'));
    assert.match(ok.stdout, /^official +.*postgres:16.*nicolaka\/netshoot/m);
    assert.match(ok.stdout, /^auto +local$/m);
    const down = spawnSync(process.execPath, [bin, 'images', 'status'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    assert.equal(down.status, 254, down.stderr);
    assert.match(down.stderr, /^faultline: cannot reach Docker \(unix:\/\/\/nonexistent\/docker\.sock: .+\): is dockerd running\?\n$/);
  });
});
