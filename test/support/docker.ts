import Docker from 'dockerode';

/** The engine the Docker tests use (the one `.ci/setup` started); no mock: these tests are about real containers. */
export const docker = new Docker();

/** Containers and networks carrying a faultline run label, optionally only those made by one process. */
export async function runResources(pid?: number): Promise<{ containers: string[]; networks: string[] }> {
  const filters = { label: [pid === undefined ? 'faultline.run' : `faultline.pid=${pid}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return { containers: containers.map((c) => c.Names[0] ?? c.Id), networks: networks.map((n) => n.Name) };
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
  const filters = { label: [`faultline.pid=${pid}`] };
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
}
