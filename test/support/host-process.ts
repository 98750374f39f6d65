import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Servers the tests start on this machine (redis-server, PostgreSQL, faultline node processes), each in a process
 * group of its own so that stopping it stops everything it started (PostgreSQL's backends too). Whatever a test
 * leaves running when it fails halfway is killed, and its directories removed, when the test process exits.
 */

/** Process groups and directories not yet cleaned up: what the exit hook kills and removes. */
const groups = new Set<number>();
const dirs = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const pgid of groups) killGroup(pgid, 'SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}

/** A temporary directory removed at exit (and by the server that uses it, when it stops); owned by `owner` if given. */
export function tempDir(prefix: string, owner?: { uid: number; gid: number }): string {
  hookExit();
  const dir = mkdtempSync(join(tmpdir(), `faultline-host-${prefix}-`));
  dirs.add(dir);
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/**
 * An executable: on PATH or in one of `places`. Missing, it is an error naming what installs it: these tests need
 * the real program and are never skipped for want of it.
 */
export function executable(name: string, places: readonly string[] = []): string {
  const candidates = [...places.map((p) => join(p, name)), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((p) => join(p, name))];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not installed: run .ci/setup (it installs redis-server and postgresql)`);
}

/** A system user's uid and gid (`id`), for running a server as that user. */
export function userIds(user: string): { uid: number; gid: number } {
  const id = (flag: string) => {
    const r = spawnSync('id', [flag, user], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`no user ${user} on this machine (${r.stderr.trim()}): run .ci/setup`);
    return Number(r.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

/** A started server process (and its group). */
export interface HostProcess {
  readonly pid: number;
  /** The last of what it wrote (stdout and stderr), for error messages. */
  output(): string;
  /** Whether it has exited. */
  readonly exited: boolean;
  /** Signals its whole group (a fault a test makes: SIGSTOP, SIGCONT, SIGKILL). */
  signal(signal: NodeJS.Signals): void;
  /** Stops the group: `signal` (default SIGTERM), SIGKILL after 5 s; resolves once the process has exited. Idempotent. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ProcessSpec {
  /** Names it in errors ("redis-server on 127.0.0.1:7001"). */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  /** A line of its output that says it serves. */
  ready: RegExp;
  /** How long it may take to say so. */
  timeoutMs?: number;
}

const OUTPUT_KEPT = 8192;

/** Starts a program in a new process group and resolves once its output matches `ready`; rejects if it exits first. */
export function startProcess(spec: ProcessSpec): Promise<HostProcess> {
  hookExit();
  const child: ChildProcess = spawn(spec.command, spec.args, { cwd: spec.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  const pid = child.pid;
  if (pid !== undefined) groups.add(pid);
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (e) => {
      output += `\n${e.message}`;
      exited = true;
      resolve();
    });
  });
  // The group outlives its leader while members remain (PostgreSQL's backends): forget it only once stopped.
  const proc: HostProcess = {
    pid: pid ?? -1,
    output: () => output,
    get exited() {
      return exited;
    },
    signal(signal) {
      if (pid !== undefined) killGroup(pid, signal);
    },
    async stop(signal = 'SIGTERM') {
      if (pid === undefined) return;
      if (!exited) {
        killGroup(pid, signal);
        // A group a test paused (SIGSTOP) takes no signal but SIGKILL until it runs again.
        killGroup(pid, 'SIGCONT');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exit, new Promise<void>((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
      }
      // Anything of its group still there (a stopped process ignores SIGTERM; a backend outliving its postmaster).
      killGroup(pid, 'SIGKILL');
      await exit;
      groups.delete(pid);
    },
  };
  return new Promise<HostProcess>((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) void proc.stop('SIGKILL').finally(() => reject(error));
      else resolve(proc);
    };
    const timeoutMs = spec.timeoutMs ?? 30_000;
    const timer = setTimeout(() => settle(new Error(`${spec.name} did not start within ${timeoutMs} ms: ${tail(output)}`)), timeoutMs);
    const read = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
      if (spec.ready.test(output)) settle();
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    void exit.then(() => settle(new Error(`${spec.name} exited before it served: ${tail(output)}`)));
  });
}

/** The last lines of a program's output, on one line. */
export function tail(output: string): string {
  return output.trim().split('\n').slice(-3).join(' | ') || '(no output)';
}
