import type Dockerode from 'dockerode';
import { PassThrough } from 'node:stream';

/**
 * Runs a command in a running container (docker exec) and resolves with its output; rejects with the exit code and
 * the first line of its error output. The container's own tools do the work (iptables for partitions), so nothing
 * on the host needs privileges.
 */
export async function execIn(container: Dockerode.Container, cmd: string[], options: { user?: string } = {}): Promise<string> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, ...(options.user && { User: options.user }) });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough().on('data', (b: Buffer) => out.push(b));
  const stderr = new PassThrough().on('data', (b: Buffer) => err.push(b));
  container.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) {
    const why = Buffer.concat(err).toString().trim().split('\n')[0] || Buffer.concat(out).toString().trim().split('\n')[0] || 'no output';
    throw new Error(`${cmd.join(' ').slice(0, 60)} exited with ${String(ExitCode)}: ${why}`);
  }
  return Buffer.concat(out).toString();
}
