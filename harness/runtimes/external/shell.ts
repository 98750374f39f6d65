import { spawn } from 'node:child_process';

/** How long a hook may run before it is killed and counted as failed: kubectl and cloud CLIs can take a while. */
export const HOOK_TIMEOUT_MS = 60_000;

/** What of a command's output is kept (its tail): enough for run.log and the error, not a flood in memory. */
const KEEP_BYTES = 64 * 1024;

/**
 * After the shell exits, how long to wait for its output to end. A command that leaves a process in the
 * background holding our pipes (`nohup server &` in a restart hook) would otherwise keep us waiting for ever.
 */
const DRAIN_MS = 2_000;

export interface ShellOptions {
  /** Names the command in run.log and in the error: `n1 partition`, `heal f3`. */
  label: string;
  /** Appends a line to run.log. */
  log(line: string): void;
  timeoutMs?: number;
}

/**
 * Runs a user's command as `/bin/sh -c`, with this process's environment (so kubectl, ssh and cloud CLIs find their
 * configuration) and no stdin. The command, its output and its exit status go to run.log, each line prefixed with
 * the label; a non-zero exit, a signal or the time-out rejects with the status and the last line of stderr.
 */
export function runShell(command: string, o: ShellOptions): Promise<void> {
  const timeoutMs = o.timeoutMs ?? HOOK_TIMEOUT_MS;
  o.log(`${o.label}: $ ${command}`);
  return new Promise((resolve, reject) => {
    // Its own process group, so a time-out kills what the shell started too, not the shell alone.
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = { stdout: new Tail(), stderr: new Tail() };
    child.stdout.on('data', (b: Buffer) => out.stdout.add(b));
    child.stderr.on('data', (b: Buffer) => out.stderr.add(b));
    let timedOut = false;
    let settled = false;
    let drain: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    const finish = (status: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drain);
      child.stdout.destroy();
      child.stderr.destroy();
      for (const [name, tail] of Object.entries(out)) for (const line of tail.lines()) o.log(`${o.label}: ${name}| ${line}`);
      let failure: string | undefined;
      if (spawnError) failure = `could not be started (${spawnError.message})`;
      else if (timedOut) failure = `timed out after ${timeoutMs / 1000} s and was killed`;
      else if (signal) failure = `was killed by ${signal}`;
      else if (status !== 0) failure = `exited with status ${status}`;
      o.log(`${o.label}: ${failure ?? 'exit 0'}`);
      if (failure === undefined) return resolve();
      const last = out.stderr.lines().at(-1) ?? out.stdout.lines().at(-1);
      reject(new Error(`${o.label}: '${command}' ${failure}${last ? `: ${last}` : ''}`));
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('exit', (status, signal) => {
      let open = 2;
      const drained = () => --open === 0 && finish(status, signal);
      for (const s of [child.stdout, child.stderr]) {
        if (s.closed) drained();
        else s.once('close', drained);
      }
      drain = setTimeout(() => finish(status, signal), DRAIN_MS);
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** The last KEEP_BYTES of a stream. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;

  add(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.size - this.chunks[0].length >= KEEP_BYTES) this.size -= this.chunks.shift()!.length;
  }

  lines(): string[] {
    return Buffer.concat(this.chunks)
      .toString('utf8')
      .split(/\r?\n/)
      .map((l) => l.trimEnd())
      .filter((l) => l !== '');
  }
}
