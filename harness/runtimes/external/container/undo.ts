import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { describeError } from '../../../errors.js';
import { dockerClient } from '../../docker/images.js';
import type { UndoStep } from '../method.js';
import { netScriptRunner } from './net-helper.js';

export type DockerUndoStep = Extract<UndoStep, { method: 'docker' }>;

/**
 * Undoes one journaled docker fault, in a process that knows nothing of the run but the step (`faultline heal`).
 * Each step is made to be safe whatever happened since: a container already running is not started again, one not
 * paused is not unpaused, and one that is not running has no rules to flush (they went with its network namespace;
 * a start gives it a fresh one). A container that is gone has nothing left to undo. Resolves with what it did.
 */
export async function undoDocker(step: DockerUndoStep, o: { docker?: Dockerode } = {}): Promise<string> {
  const docker = o.docker ?? (await dockerClient());
  const container = docker.getContainer(step.container);
  const name = step.container.slice(0, 12);
  let info: Dockerode.ContainerInspectInfo;
  try {
    info = await container.inspect();
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return `container ${name} is gone: nothing to undo`;
    throw new Error(`container ${name}: ${describeError(e)}`);
  }
  const { Running, Paused } = info.State;
  switch (step.action) {
    case 'start':
      if (Running) return `container ${name} is running already`;
      await container.start();
      return `started container ${name}`;
    case 'unpause':
      if (!Paused) return `container ${name} is not paused`;
      await container.unpause();
      return `unpaused container ${name}`;
    case 'net-script': {
      if (!Running) return `container ${name} is not running: no rules to flush`;
      if (step.script === undefined || step.netToolsImage === undefined) throw new Error(`the journal's net-script step for container ${name} has no script or no image`);
      await netScriptRunner(step.netToolsImage, `heal-${randomBytes(4).toString('hex')}`)(info.Id, name, step.script);
      return `ran the network script in container ${name}'s namespace`;
    }
  }
}
