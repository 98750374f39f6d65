import type Dockerode from 'dockerode';
import type { WaitStrategy } from 'testcontainers';

/**
 * testcontainers' wait strategies for what the runtime can tell of a container on its own. Whether a node serves
 * clients is the target's to say (`DockerTarget.ready`: a leader elected, a query answered), which is stronger than
 * any port or log line; testcontainers' default, a listening-port check, would run three `docker exec` in every
 * container every 100 ms while the servers start, on the same CPUs. So a node's container is ready when its
 * process is running, and a one-shot container when it has exited.
 */
abstract class Strategy implements WaitStrategy {
  private timeoutMs = 60_000;
  private timeoutSet = false;

  abstract waitUntilReady(container: Dockerode.Container): Promise<void>;

  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}

/** Started: the process is running (one that exits at once fails here, with its last words, not at a later timeout). */
class Running extends Strategy {
  async waitUntilReady(container: Dockerode.Container): Promise<void> {
    const { State } = await container.inspect();
    if (!State.Running) throw new Error(`its process exited with ${State.ExitCode}${await lastWords(container)}`);
  }
}

/** A one-shot container has done its work: its process exited 0. */
class Exited extends Strategy {
  async waitUntilReady(container: Dockerode.Container): Promise<void> {
    const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running after ${this.getStartupTimeout()} ms`)), this.getStartupTimeout()).unref());
    const { StatusCode } = (await Promise.race([container.wait(), timer])) as { StatusCode: number };
    if (StatusCode !== 0) throw new Error(`exited with ${StatusCode}${await lastWords(container)}`);
  }
}

export const runningProcess = (): WaitStrategy => new Running();
export const exitedZero = (): WaitStrategy => new Exited();

/** `: ` and the last line a container wrote, often the reason it stopped; '' if it wrote nothing. */
export async function lastWords(container: Dockerode.Container): Promise<string> {
  const logs = (await container.logs({ stdout: true, stderr: true, tail: 5 }).catch(() => Buffer.alloc(0))) as Buffer;
  const text = logs.toString('utf8').replace(/[\x00-\x08\x0e-\x1f]/g, '').trim().split('\n').pop()?.trim() ?? '';
  return text ? `: ${text}` : '';
}
