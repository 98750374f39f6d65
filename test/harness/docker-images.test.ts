import assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { isUserError } from '../../harness/errors.js';
import { builtinLocalImage, builtinRegistry } from '../../harness/builtins.js';
import { Registry } from '../../harness/registry.js';
import { BASE_PACKAGES, localImage } from '../../harness/runtimes/docker/image-recipe.js';
import type { ImageRole } from '../../harness/runtimes/docker/image-roles.js';
import { imageOf, imagesToPull, localImages, NET_TOOLS_IMAGE, netToolsImage, officialImages, resolveImages, type ImageUser } from '../../harness/runtimes/docker/run-images.js';
import type { DockerTarget } from '../../harness/runtimes/docker/target.js';
import { pg2pc } from '../../targets/pg-2pc/docker.js';
import { postgres } from '../../targets/postgres/docker.js';
import { raftKvDocker } from '../../targets/raft-kv/docker.js';
import { redis } from '../../targets/redis/docker.js';

/**
 * The Docker runtime's images, without Docker: each target declares its roles, and the runtime resolves them per
 * flavour, builds the local image from the built-in targets' declarations, and refuses what that image cannot run.
 */

const local = builtinLocalImage();
const etcd: ImageRole = { official: 'quay.io/coreos/etcd:v3.5.17', packages: ['etcd-server'] };
/** A plugin's target whose role needs a package faultline's own targets do not. */
const etcdTarget: ImageUser = { name: 'etcd-kv', images: { etcd, client: { official: 'node:20-slim', packages: [] } } };

/** A Docker stand-in that has every image and records which it was asked about; any other call fails the test. */
function engineWithEverything(): { docker: Dockerode; asked: string[] } {
  const asked: string[] = [];
  const docker = {
    getImage: (tag: string) => ({
      inspect: async () => {
        asked.push(tag);
        return { Id: `sha256:${tag}` };
      },
    }),
    pull: () => assert.fail('nothing is pulled when every image is there'),
  };
  return { docker: docker as unknown as Dockerode, asked };
}

function refusedWith(e: unknown, re: RegExp): true {
  assert.ok(isUserError(e), String(e));
  assert.equal(e.exitCode, 254);
  assert.ok(!e.message.includes('\n'), e.message);
  assert.match(e.message, re);
  return true;
}

describe('docker images: roles declared by targets, resolved by the runtime', () => {
  describe('the local image, from the built-in targets’ declarations', () => {
    it('holds the harness’s base packages and every package a built-in target declares, each once, sorted', () => {
      const declared = [...builtinRegistry().dockerTargets().values()].flatMap((t) => Object.values(t.images).flatMap((r) => r.packages));
      assert.deepEqual(local.packages, [...new Set([...BASE_PACKAGES, ...declared])].sort());
      assert.deepEqual(local.packages, ['ca-certificates', 'iproute2', 'iptables', 'libfaketime', 'openssh-server', 'postgresql', 'procps', 'redis-server']);
      assert.match(local.tag, /^faultline\/bookworm:[0-9a-f]{8}$/);
    });

    it('runs each role’s preparation once (postgres and pg-2pc share one), between the Node check and the trim', () => {
      assert.equal(local.steps.length, 1);
      const [step] = local.steps;
      assert.match(step, /initdb -D \/var\/lib\/postgresql\/data/);
      assert.equal(local.script.split(step).length, 2, 'the step appears once');
      assert.ok(local.script.indexOf('--version') < local.script.indexOf(step));
      assert.ok(local.script.indexOf(step) < local.script.indexOf('apt-get clean'));
    });

    it('is named by its contents: the order targets come in changes nothing, another package or Node changes the tag', () => {
      const targets = [redis, postgres, pg2pc, raftKvDocker];
      assert.equal(localImage(targets).tag, localImage([...targets].reverse()).tag);
      assert.equal(localImage(targets).tag, local.tag);
      assert.notEqual(localImage([...targets, etcdTarget]).tag, local.tag);
      assert.notEqual(localImage(targets, 'v99.0.0').tag, local.tag);
    });
  });

  describe('official: the registry’s image of each role', () => {
    it('resolves each role to its own image, and adds the net-tools image for iptables', () => {
      assert.deepEqual(officialImages(pg2pc), { flavour: 'official', byRole: { participant: 'postgres:16', coordinator: 'node:20-slim' }, netTools: NET_TOOLS_IMAGE });
      assert.deepEqual(officialImages(redis).byRole, { redis: 'redis:7' });
      assert.deepEqual(officialImages(raftKvDocker).byRole, { node: 'node:20-slim' });
    });

    it('pulls exactly the images the run’s target needs, plus the net-tools image', async () => {
      assert.deepEqual(imagesToPull(officialImages(redis)), ['redis:7', 'nicolaka/netshoot:v0.13']);
      assert.deepEqual(imagesToPull(officialImages(pg2pc)), ['postgres:16', 'node:20-slim', 'nicolaka/netshoot:v0.13']);
      const { docker, asked } = engineWithEverything();
      const images = await resolveImages(async () => docker, postgres, 'official', local);
      assert.deepEqual(images.byRole, { postgres: 'postgres:16' });
      assert.deepEqual(asked, ['postgres:16', 'nicolaka/netshoot:v0.13'], 'no redis, no node image for a postgres run');
    });
  });

  describe('local: the one image for every role', () => {
    it('resolves every role of a built-in target to the local image, which has iptables itself', () => {
      for (const t of builtinRegistry().dockerTargets().values()) {
        const images = localImages(t, local);
        assert.equal(images.flavour, 'local');
        assert.equal(images.netTools, undefined);
        assert.deepEqual(Object.keys(images.byRole), Object.keys(t.images));
        assert.ok(Object.values(images.byRole).every((i) => i === local.tag), t.name);
      }
    });

    it('auto takes the local image once it is built', async () => {
      const { docker, asked } = engineWithEverything();
      assert.deepEqual(await resolveImages(async () => docker, redis, 'auto', local), { flavour: 'local', byRole: { redis: local.tag } });
      assert.deepEqual(asked, [local.tag]);
    });

    it('refuses a target needing a package the local image lacks: one line, exit 254, naming the package and the way to run it', () => {
      assert.throws(
        () => localImages(etcdTarget, local),
        (e: unknown) =>
          refusedWith(
            e,
            /^target 'etcd-kv' needs the Debian package etcd-server \(role 'etcd'\), which the local image faultline\/bookworm:[0-9a-f]{8} lacks \(it is built for faultline's own targets\): use --images official to run it from quay\.io\/coreos\/etcd:v3\.5\.17, node:20-slim$/,
          ),
      );
    });

    it('refuses a role whose preparation the local image was not built with', () => {
      const prepared: ImageUser = { name: 'prepared', images: { db: { official: 'db:1', packages: ['postgresql'], prepare: 'touch /ready' } } };
      assert.throws(() => localImages(prepared, local), (e: unknown) => refusedWith(e, /^target 'prepared' needs the preparation of role 'db', which the local image .* lacks .*: use --images official to run it from db:1$/));
    });

    it('--images local refuses such a target before Docker is reached, so before any container starts', async () => {
      const unreachable = async (): Promise<Dockerode> => assert.fail('Docker was reached');
      await assert.rejects(resolveImages(unreachable, etcdTarget, 'local', local), (e: unknown) => refusedWith(e, /needs the Debian package etcd-server/));
    });

    it('a plugin target that needs only what the image holds runs from it', () => {
      const cache: ImageUser = { name: 'cache', images: { server: { official: 'redis:7.2', packages: ['redis-server'] } } };
      assert.deepEqual(localImages(cache, local).byRole, { server: local.tag });
    });
  });

  describe('what a target’s containers get', () => {
    it('ctx.image(role) is the role’s image in the run’s flavour; a role the target does not declare is its mistake', () => {
      const official = redis.containers({ nodes: ['n1'], flavour: 'official', image: imageOf(redis, officialImages(redis)), ips: { n1: '10.0.0.2' }, bug: undefined, options: {} }).n1;
      assert.equal(official.image, 'redis:7');
      assert.equal(official.cmd[0], 'redis-server', 'on PATH in the official image');
      const inLocal = redis.containers({ nodes: ['n1'], flavour: 'local', image: imageOf(redis, localImages(redis, local)), ips: { n1: '10.0.0.2' }, bug: undefined, options: {} }).n1;
      assert.equal(inLocal.image, local.tag);
      assert.equal(inLocal.cmd[0], '/usr/bin/redis-server', "Debian's path in the local image");
      assert.throws(() => imageOf(redis, officialImages(redis))('postgres'), /^Error: target 'redis' asked for image role 'postgres', which it does not declare \(it declares: redis\)$/);
    });
  });

  describe('the iptables helper’s image, for containers the user started (the docker fault method)', () => {
    it('auto and local take the local image once it is built (it has iptables whatever targets it was built for)', async () => {
      for (const choice of ['auto', 'local'] as const) {
        const { docker, asked } = engineWithEverything();
        assert.equal(await netToolsImage(async () => docker, choice, local), local.tag);
        assert.deepEqual(asked, [local.tag]);
      }
    });

    it('official takes the registry’s net-tools image, without asking about the local one', async () => {
      const { docker, asked } = engineWithEverything();
      assert.equal(await netToolsImage(async () => docker, 'official', local), NET_TOOLS_IMAGE);
      assert.deepEqual(asked, [NET_TOOLS_IMAGE]);
    });

    it('local without the local image is a usage error that says how to build it', async () => {
      const lacking = { getImage: () => ({ inspect: () => Promise.reject(Object.assign(new Error('no such image'), { statusCode: 404 })) }) } as unknown as Dockerode;
      await assert.rejects(netToolsImage(async () => lacking, 'local', local), (e: unknown) => refusedWith(e, /^the local image faultline\/bookworm:[0-9a-f]{8} is not built: run `faultline images build`/));
    });
  });

  describe('declarations from a plugin', () => {
    const base = { ...redis, name: 'mine' } as DockerTarget;
    const cases: [string, unknown, RegExp][] = [
      ['no images', undefined, /^plugin p: target 'mine' must declare its images \(a mapping of role to \{ official, packages \}\)$/],
      ['no roles', {}, /must declare its images/],
      ['no official image', { db: { packages: [] } }, /^plugin p: target 'mine' image role 'db' must name its official image/],
      ['packages not a list', { db: { official: 'db:1', packages: 'postgresql' } }, /image role 'db' must list the Debian packages it needs/],
      ['a package name with a comma', { db: { official: 'db:1', packages: ['a,b'] } }, /image role 'db' must list the Debian packages/],
      ['prepare not shell', { db: { official: 'db:1', packages: [], prepare: 42 } }, /image role 'db': prepare must be shell commands/],
    ];
    for (const [what, images, re] of cases) {
      it(`refuses ${what} when it is registered`, () => {
        assert.throws(() => new Registry([{ name: 'p', dockerTargets: [{ ...base, images } as DockerTarget] }]), (e: unknown) => refusedWith(e, re));
      });
    }
  });
});
