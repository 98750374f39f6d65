import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { usageError } from '../../errors.js';
import type { ClockChange } from '../../runtime.js';
import type { ImageFlavour, ImageRoles } from './image-roles.js';
import type { ContainerSpec } from './target.js';

/**
 * Clock faults through libfaketime (Debian bookworm's 0.9.10), as Jepsen makes them: preloaded into every process of
 * a node's container, it reads the node's clock offset from a file at each call (FAKETIME_NO_CACHE), so the offset
 * changes while the servers run. Only the wall clock moves (FAKETIME_DONT_FAKE_MONOTONIC), as an NTP step moves
 * it: a TTL or a lease computed from the wall clock meets the jump, timers on the monotonic clock do not.
 */

/**
 * The directory, in every node's container, that holds the clock file: the host's, bound in read-only. The host
 * writes the offset there itself, so a jump on several nodes lands on all of them within a millisecond; a `docker
 * exec` per node took 100 ms or more each on a loaded machine, and a "jump on a majority" then reached the majority
 * one node at a time, past a lease the jump should have cut short on all of them at once.
 */
export const CLOCK_DIR = '/etc/faultline-clock';
/** The file the offset is read from; it holds `+0` from before the server starts. */
export const CLOCK_FILE = `${CLOCK_DIR}/offset`;

/** The spec of a clock that is right: libfaketime's "no offset". */
export const RIGHT_CLOCK = '+0';

/**
 * The clock files of a run's nodes, on the host: one directory per node (bound at CLOCK_DIR), written by renaming
 * a whole new file over the old, so that libfaketime, which reads the file at every call, never reads it half-written.
 */
export class HostClocks {
  private constructor(private readonly root: string) {}

  /** A run's clock directories, each node's clock right; readable by the containers' own users. */
  static create(nodes: readonly string[]): HostClocks {
    const clocks = new HostClocks(mkdtempSync(join(tmpdir(), 'faultline-clock-')));
    chmodSync(clocks.root, 0o755);
    for (const n of nodes) {
      mkdirSync(clocks.dirOf(n), { mode: 0o755 });
      clocks.set(n, RIGHT_CLOCK);
    }
    return clocks;
  }

  /** The host directory bound into node `n`'s container at CLOCK_DIR. */
  dirOf(n: string): string {
    return join(this.root, n);
  }

  /** Puts a spec in node `n`'s clock file: in force for the node's next clock reading. */
  set(n: string, spec: string): void {
    const file = join(this.dirOf(n), 'offset');
    writeFileSync(`${file}.new`, `${spec}\n`, { mode: 0o644 });
    renameSync(`${file}.new`, file);
  }

  /** Removes the run's clock files (the containers that read them are gone). */
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Where the local image's libfaketime is (Debian's package): `$LIB` is the dynamic loader's multiarch directory. */
const LOCAL_LIBFAKETIME = '/usr/$LIB/faketime/libfaketime.so.1';

/**
 * glibc's malloc as a library of its own (libc_malloc_debug, glibc 2.34 and later; bookworm's images have it),
 * preloaded before libfaketime. A server linked with the system's libjemalloc (Debian's redis-server) otherwise hangs
 * at start: libfaketime's start allocates, jemalloc's start then reads the clock, and libfaketime is not yet ready
 * to answer (libfaketime issue #130, open). With glibc's malloc first in line, libfaketime allocates from glibc and
 * jemalloc starts later, after libfaketime. Measured on Debian's Redis 7.0.15: it starts, keys with a PX expire on a
 * +60 s jump, the server keeps answering, and an append-only-file rewrite (a fork) completes. A process that
 * allocates with glibc already (PostgreSQL, Node) is unchanged; where the library is missing the loader says so and
 * goes on.
 */
const GLIBC_MALLOC = '/usr/$LIB/libc_malloc_debug.so.0';

/** Where the host's libfaketime directory is bound in an official image's container (they lack it). */
const MOUNTED_DIR = '/opt/faultline-faketime';

/** The host's libfaketime as Debian installs it (`libfaketime`, .ci/setup), in its multiarch directory, or elsewhere. */
function hostLibfaketime(): string | undefined {
  const multiarch = existsSync('/usr/lib') ? readdirSync('/usr/lib').map((d) => join('/usr/lib', d, 'faketime')) : [];
  const dirs = [...multiarch, '/usr/lib64/faketime', '/usr/lib/faketime', '/usr/local/lib/faketime'];
  return dirs.map((d) => join(d, 'libfaketime.so.1')).find((f) => existsSync(f));
}

/**
 * A node's container with libfaketime preloaded and its clock directory (HostClocks) bound in: the local image has the library; an
 * official image gets the host's bound in (a glibc image of the same architecture, as redis:7 and postgres:16 are),
 * and a host without it is refused.
 */
export function withFakeClock(spec: ContainerSpec, flavour: ImageFlavour, clockDir: string, findHostLibrary: () => string | undefined = hostLibfaketime): ContainerSpec {
  let preload = LOCAL_LIBFAKETIME;
  let mounts: Record<string, string> = { ...spec.mounts, [clockDir]: CLOCK_DIR };
  if (flavour === 'official') {
    const hostLibrary = findHostLibrary();
    if (hostLibrary === undefined) {
      throw usageError('clock faults with official images need libfaketime on this host (apt-get install libfaketime), or use --images local');
    }
    preload = `${MOUNTED_DIR}/libfaketime.so.1`;
    mounts = { ...mounts, [dirname(hostLibrary)]: MOUNTED_DIR };
  }
  return {
    ...spec,
    env: {
      ...spec.env,
      LD_PRELOAD: `${GLIBC_MALLOC}:${preload}`,
      FAKETIME_TIMESTAMP_FILE: CLOCK_FILE,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
    mounts,
  };
}

/** Refuses clock faults for a target one of whose roles cannot run under libfaketime in this flavour (ImageRole.noFakeClock). */
export function refuseFakeClock(target: { readonly name: string; readonly images: ImageRoles }, flavour: ImageFlavour): void {
  for (const [role, r] of Object.entries(target.images)) {
    const why = r.noFakeClock?.[flavour];
    if (why !== undefined) {
      const other = flavour === 'local' ? '; --images official may serve' : '';
      throw usageError(`clock faults cannot run target '${target.name}' from the ${flavour} images (role '${role}'): ${why}${other}`);
    }
  }
}

/**
 * libfaketime's spec for a change: a jump is an offset in seconds (`+60`, `-30.5`). A drift is refused: libfaketime
 * measures a rate (`+0 x2`) from each process's own start, so set during a run it first jumps the clock by
 * (rate - 1) × the process's age, and it scales the processes' sleeps and poll time-outs too (measured: a server up
 * 5 s jumped 5 s at `x2`, and its 1 s sleeps took 0.5 s).
 */
export function clockSpec(change: ClockChange): string {
  if ('rate' in change) {
    throw new Error(`the docker runtime cannot drift a clock (rate ${change.rate}): libfaketime measures a rate from each process's start, so it would jump the clock and speed up sleeps; use clock:offset=… (a jump)`);
  }
  const seconds = Math.abs(change.offsetMs) / 1000;
  return `${change.offsetMs < 0 ? '-' : '+'}${seconds}`;
}
