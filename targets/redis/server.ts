import type { ImageFlavour, ImageRole } from '../../harness/runtimes/docker/image-roles.js';

export const REDIS_PORT = 6379;

/**
 * A Redis node's image: Redis 7 from the registry; Debian's redis-server (7.0 in bookworm) in the local image. (Debian
 * links it with the system's libjemalloc, which clock faults work around: see harness/runtimes/docker/fake-clock.ts.)
 */
export const REDIS_IMAGE: ImageRole = { official: 'redis:7', packages: ['redis-server'] };

/**
 * Where Redis keeps its data in each image: the official image's working directory (its entrypoint hands it to
 * the redis user), Debian's package directory in the local one (where the server runs as root). Both are in the
 * container's own filesystem, which a SIGKILL and a start of the same container keep.
 */
export function dataDir(flavour: ImageFlavour): string {
  return flavour === 'official' ? '/data' : '/var/lib/redis';
}

/** The server binary: on PATH in the official image (run through its entrypoint), Debian's path in the local one. */
export function serverBinary(flavour: ImageFlavour): string {
  return flavour === 'official' ? 'redis-server' : '/usr/bin/redis-server';
}

/**
 * A durable server's arguments: every write is appended and fsynced before its reply (`appendfsync always`), so a
 * SIGKILL loses nothing acknowledged. No protected mode: clients come from outside the container (the harness,
 * through a published port) and there is no password.
 */
export function durableArgs(dir: string): string[] {
  return ['--port', String(REDIS_PORT), '--protected-mode', 'no', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always'];
}
