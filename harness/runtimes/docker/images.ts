import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type Dockerode from 'dockerode';
import { describeError, usageError } from '../../errors.js';
import { DEFAULT_MIRROR, IMAGE_CHANGES, NODE_PATH, SUITE, type LocalImage } from './image-recipe.js';

export const BUILD_HINT = 'run `faultline images build` (as root, needs debootstrap)';

/** Where the client talks to: DOCKER_HOST, else the default socket. */
function dockerAddress(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

function unreachable(e: unknown) {
  const hint = (e as { code?: string }).code === 'EACCES' ? 'run as root or as a member of the docker group' : 'is dockerd running?';
  return usageError(`cannot reach Docker (${dockerAddress()}: ${describeError(e)}): ${hint}`);
}

/** An error from the engine: one it answered with (a status code) says what went wrong; no answer is `unreachable`. */
function engineError(e: unknown, what: string): Error {
  return (e as { statusCode?: number }).statusCode !== undefined ? new Error(`${what}: ${describeError(e)}`) : unreachable(e);
}

/** A client for DOCKER_HOST or the default socket, known to answer: otherwise a one-line usage error. */
export async function dockerClient(): Promise<Dockerode> {
  // Loaded when Docker is first used: `faultline check` and the simulation never pay its start-up (about 0.15 s).
  const { default: Client } = await import('dockerode');
  const docker = new Client();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer to ping within 10 s')), 10_000);
      }),
    ]);
  } catch (e) {
    throw unreachable(e);
  } finally {
    clearTimeout(timer);
  }
  return docker;
}

export async function imageExists(docker: Dockerode, tag: string): Promise<boolean> {
  return (await imageId(docker, tag)) !== undefined;
}

async function imageId(docker: Dockerode, tag: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(tag).inspect()).Id;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw engineError(e, `inspecting ${tag}`);
  }
}

/** Drains a progress stream (pull, import); rejects with the first error the engine reports in it. */
function followProgress(docker: Dockerode, stream: NodeJS.ReadableStream): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: unknown[]) => (err ? reject(err) : resolve(out)));
  });
}

/** Pulls each image the engine lacks; a pull that fails is a usage error naming the image and the way around it. */
export async function pullMissing(docker: Dockerode, images: readonly string[]): Promise<void> {
  for (const image of new Set(images)) {
    if (await imageExists(docker, image)) continue;
    try {
      await followProgress(docker, await docker.pull(image));
    } catch (e) {
      throw usageError(`cannot pull ${image} (${describeError(e)}): without a registry, ${BUILD_HINT} and use --images local`);
    }
  }
}

export interface BuildOptions {
  /** Build even when the tag exists (replacing it). */
  force?: boolean;
  /** Progress, one line at a time. */
  log: (line: string) => void;
  /** The Debian mirror; else FAULTLINE_DEBIAN_MIRROR, else deb.debian.org. */
  mirror?: string;
}

/**
 * Builds the recipe's image unless it exists: debootstrap a minimal bookworm with the recipe's packages, copy this
 * Node in, run the recipe's script (the roles' preparation, then a trim) and import the tree into the engine. The
 * tree lives in a temporary directory that is removed however the build ends.
 */
export async function buildLocalImage(docker: Dockerode, recipe: LocalImage, options: BuildOptions): Promise<{ tag: string; built: boolean; ms: number }> {
  const started = Date.now();
  const { log } = options;
  const { tag, packages } = recipe;
  const previous = await imageId(docker, tag);
  if (!options.force && previous !== undefined) return { tag, built: false, ms: Date.now() - started };
  if (process.getuid?.() !== 0) throw usageError('images build: debootstrap and chroot need root: run it as root (e.g. sudo npx faultline images build)');
  const debootstrap = await findExecutable('debootstrap');
  if (debootstrap === undefined) throw usageError('images build: debootstrap not found: apt-get install debootstrap (or run bash .ci/setup)');
  const mirror = options.mirror ?? process.env.FAULTLINE_DEBIAN_MIRROR ?? DEFAULT_MIRROR;

  const dir = await mkdtemp(join(tmpdir(), 'faultline-image-'));
  const rootfs = join(dir, 'rootfs');
  // Ctrl-C reaches debootstrap too; we stay alive long enough to unmount and remove the half-built tree.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`debootstrap ${SUITE} (minbase, ${packages.join(', ')}) from ${mirror} into ${dir}`);
    await run(debootstrap, ['--variant=minbase', `--include=${packages.join(',')}`, SUITE, rootfs, mirror], {
      signal: abort.signal,
      // Per-package lines (hundreds of them) are noise; the phases are progress.
      log: (line) => {
        if (/^[IWE]: /.test(line) && !/^I: (Retrieving|Validating|Extracting|Unpacking|Configuring) (?!the |required |base )/.test(line)) log(`debootstrap: ${line.startsWith('I: ') ? line.slice(3) : line}`);
      },
      what: 'debootstrap',
    }).catch((e: unknown) => {
      // Mostly the mirror (unreachable, or a proxy in the way): the user's to fix.
      throw abort.signal.aborted ? e : usageError(`images build: ${describeError(e)} (mirror ${mirror}; another with --mirror or FAULTLINE_DEBIAN_MIRROR)`);
    });

    log(`debootstrap done (${seconds(started)}); copy ${process.execPath} (${process.version}) to ${NODE_PATH}, prepare (${recipe.steps.length} step${recipe.steps.length === 1 ? '' : 's'}), trim`);
    await copyFile(process.execPath, join(rootfs, NODE_PATH));
    await chmod(join(rootfs, NODE_PATH), 0o755);
    await run('chroot', [rootfs, '/bin/sh', '-c', recipe.script], { signal: abort.signal, what: 'preparing the tree (chroot)' });

    log(`import as ${tag} (${seconds(started)})`);
    await importTree(docker, rootfs, tag, abort.signal);
    const inspect = await docker.getImage(tag).inspect();
    if (inspect.Config?.Labels?.['faultline.image'] !== 'local') throw new Error(`the import did not produce ${tag} with its label`);
    log(`imported (${seconds(started)}): ${Math.round(inspect.Size / 1e6)} MB`);
    // A forced build leaves the image it replaced untagged: remove it, unless containers still use it.
    if (previous !== undefined && previous !== inspect.Id) await docker.getImage(previous).remove().catch(() => undefined);
    return { tag, built: true, ms: Date.now() - started };
  } catch (e) {
    if (abort.signal.aborted) throw usageError('images build: interrupted (the partial tree was removed)');
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await removeTree(dir, log);
  }
}

/** `tar` of the tree, streamed into the engine's import (POST /images/create?fromSrc=-). */
async function importTree(docker: Dockerode, rootfs: string, image: string, signal: AbortSignal): Promise<void> {
  const tar = start('tar', ['-C', rootfs, '--numeric-owner', '-c', '.'], { signal, what: 'tar of the tree', stdout: 'pipe' });
  const [repo, tag] = image.split(':');
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.importImage(tar.child.stdout!, { repo, tag, changes: IMAGE_CHANGES, message: 'faultline images build' });
  } catch (e) {
    tar.child.kill();
    await tar.done.catch(() => undefined);
    throw engineError(e, 'docker import');
  }
  const results = await Promise.allSettled([followProgress(docker, stream), tar.done]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    // A cut-short tar must not leave a tag that looks built.
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
    throw failed.reason;
  }
}

interface RunOptions {
  signal: AbortSignal;
  /** What the command is, for its error. */
  what: string;
  /** Each line of output (stdout and stderr), unless stdout is piped to the caller. */
  log?: (line: string) => void;
  stdout?: 'pipe';
}

/**
 * Starts a command in its own process group, so that an abort stops it and everything it started (debootstrap runs
 * wget, dpkg, chroot…). `done` settles once it has exited; on a non-zero exit it rejects with its last lines of
 * output (the reason).
 */
function start(command: string, args: string[], options: RunOptions): { child: ChildProcess; done: Promise<void> } {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C.UTF-8', PATH: withSbin(process.env.PATH) };
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
  const tail: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      options.log?.(line);
    }
  };
  if (options.stdout !== 'pipe') child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const kill = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  options.signal.addEventListener('abort', kill, { once: true });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (e) => {
      // Only a process that never started ends here; one that runs always ends with 'close'.
      if (child.pid === undefined) reject(new Error(`${options.what}: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      options.signal.removeEventListener('abort', kill);
      if (code === 0) return resolve();
      const last = [...tail, partial].filter((l) => l.trim() !== '');
      // debootstrap's own reason is its last `E:` line; otherwise the last line says most.
      const reason = last.filter((l) => l.startsWith('E: ')).pop() ?? last.pop() ?? '';
      reject(new Error(`${options.what} failed (${signal ?? `exit ${code}`})${reason ? `: ${reason}` : ''}`));
    });
  });
  return { child, done };
}

function run(command: string, args: string[], options: RunOptions): Promise<void> {
  return start(command, args, options).done;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function withSbin(path: string | undefined): string {
  const dirs = (path ?? '').split(delimiter).filter(Boolean);
  for (const d of ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin']) if (!dirs.includes(d)) dirs.push(d);
  return dirs.join(delimiter);
}

async function findExecutable(name: string): Promise<string | undefined> {
  for (const dir of withSbin(process.env.PATH).split(delimiter)) {
    try {
      await access(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Removes the build directory. debootstrap mounts /proc and /sys inside the tree and leaves them mounted when it
 * dies half-way: unmount those first, and never delete through a mount that stays.
 */
async function removeTree(dir: string, log: (line: string) => void): Promise<void> {
  const mounted = async () =>
    (await readFile('/proc/self/mountinfo', 'utf8'))
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((p): p is string => p !== undefined)
      .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
      .filter((p) => p.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
  for (const mountPoint of await mounted()) {
    await run('umount', ['-l', mountPoint], { signal: new AbortController().signal, what: 'umount' }).catch(() => undefined);
  }
  const left = await mounted();
  if (left.length > 0) {
    log(`left ${dir} in place: ${left.join(', ')} still mounted`);
    return;
  }
  await rm(dir, { recursive: true, force: true });
}
