import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { removeLeftovers } from '../../harness/runtimes/docker/cleanup.js';
import { builtinLocalImage } from '../../harness/builtins.js';
import { imageExists } from '../../harness/runtimes/docker/images.js';
import { LABELS, runFilter } from '../../harness/runtimes/docker/labels.js';
import { localImages, type ImageUser, type RunImages } from '../../harness/runtimes/docker/run-images.js';

/** The engine the Docker tests use (the one `.ci/setup` started); no mock: these tests are about real containers. */
export const docker = new Docker();

/** The image the local one replaced (PostgreSQL 15 but no cluster: the postgres target initdbs then), used until it is built. */
const PROBE_IMAGE = 'faultline/base:probe';

/** The local image `faultline images build` makes, as the runs under test use it. */
export const LOCAL = builtinLocalImage();

/** A target's images in the target tests: every role from the local image, or the probe image while the local one is not built. */
export async function testImages(target: ImageUser): Promise<RunImages> {
  const image = (await imageExists(docker, LOCAL.tag)) ? LOCAL.tag : PROBE_IMAGE;
  assert.ok(await imageExists(docker, image), `neither ${LOCAL.tag} nor ${PROBE_IMAGE} is built: run \`faultline images build\``);
  return localImages(target, { ...LOCAL, tag: image });
}

/** Docker's label filter for what one faultline process created. */
const pidFilter = (pid: number): { label: string[] } => ({ label: [`${LABELS.pid}=${pid}`] });

/** Containers and networks carrying a faultline run label, optionally only those made by one process. */
export async function runResources(pid?: number): Promise<{ containers: string[]; networks: string[] }> {
  const filters = pid === undefined ? runFilter() : pidFilter(pid);
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return { containers: containers.map((c) => c.Names[0] ?? c.Id), networks: networks.map((n) => n.Name) };
}

/** The run id a faultline process labelled its containers with. */
export async function runIdOf(pid: number | undefined): Promise<string> {
  const [c] = await docker.listContainers({ all: true, filters: pidFilter(pid ?? -1) });
  assert.ok(c?.Labels?.[LABELS.run], `process ${String(pid)} has no labelled container`);
  return c.Labels[LABELS.run];
}

/** Polls `check` every 100 ms until it returns a value, or throws after `ms`. */
export async function eventually<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Removes the containers and networks one process's runs made (a test's own leftovers, after a failure). */
export async function removeByPid(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const filters = pidFilter(pid);
  const labelled = [...(await docker.listContainers({ all: true, filters })), ...(await docker.listNetworks({ filters }))];
  const runs = new Set(labelled.map((r) => r.Labels?.[LABELS.run]).filter((id): id is string => Boolean(id)));
  for (const runId of runs) await removeLeftovers(docker, { runId }).catch(() => undefined);
}
