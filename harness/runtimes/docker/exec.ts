import type { StartedTestContainer } from 'testcontainers';

/**
 * Runs a command in a running container (docker exec, through testcontainers) and resolves with its output; rejects
 * with the exit code and the first line of its error output. The container's own tools do the work (iptables for
 * partitions), so nothing on the host needs privileges.
 */
export async function execIn(container: StartedTestContainer, cmd: string[], options: { user?: string } = {}): Promise<string> {
  const { exitCode, stdout, stderr } = await container.exec(cmd, options.user ? { user: options.user } : {});
  if (exitCode !== 0) {
    const why = stderr.trim().split('\n')[0] || stdout.trim().split('\n')[0] || 'no output';
    throw new Error(`${cmd.join(' ').slice(0, 60)} exited with ${String(exitCode)}: ${why}`);
  }
  return stdout;
}
