import { createHash } from 'node:crypto';
import type { ImageRoles } from './image-roles.js';

/**
 * What `faultline images build` puts in the local image: a minimal Debian bookworm (debootstrap's minbase) with the
 * harness's own tools (iptables for the network nemesis, this machine's Node for node programs) and whatever the
 * targets it is built for declare for their roles (packages, preparation). Its tag is a hash of everything here, so
 * a changed recipe (another package, another Node) is a new image, never a stale one.
 */
export const RECIPE_VERSION = 1;

export const SUITE = 'bookworm';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

/**
 * The harness's packages: iptables and ip for faults, libfaketime for clock faults (preloaded into a node's servers
 * only when the nemesis has clock faults: fake-clock.ts), ps for a look inside a node, certificates for TLS clients,
 * and sshd, so that a container of this image can stand for a machine the SSH fault method logs into (the external
 * runtime's SSH tests run a cluster of them; nothing starts sshd unless a container's command does).
 */
export const BASE_PACKAGES: readonly string[] = ['iptables', 'iproute2', 'libfaketime', 'procps', 'ca-certificates', 'openssh-server'];

/** The image's Node: the host's own binary, copied in (it needs only glibc and libstdc++, both in the image). */
export const NODE_PATH = '/usr/local/bin/node';

/** The image's PATH, and the label that marks it as ours. */
export const IMAGE_CHANGES: readonly string[] = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LABEL faultline.image=local'];

export const IMAGE_REPO = 'faultline/bookworm';

/**
 * What opens the chroot script: the copied Node runs there; and no SSH host key is baked in, since every container
 * of the image would share it (openssh-server's installation made one): a container that runs sshd makes its own
 * (`ssh-keygen -A`).
 */
const CHECK_NODE = `set -eu
${NODE_PATH} --version >/dev/null
rm -f /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub
`;

/** What closes it: nothing a container needs (package caches and lists, docs, translations, install logs). */
const TRIM = `# Nothing a container needs: package caches and lists, docs, translations, install logs.
apt-get clean
rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/* /var/cache/debconf/*-old
find /var/log -type f -delete
`;

/** The local image as a recipe: what goes in, and the tag that names it. */
export interface LocalImage {
  /** `faultline/bookworm:<8 hex digits of the recipe>`. */
  readonly tag: string;
  /** Every Debian package in it: the base's and the targets' roles', sorted (their order changes nothing). */
  readonly packages: readonly string[];
  /** The roles' preparation steps, each once, sorted: each prepares its own server, so their order changes nothing either. */
  readonly steps: readonly string[];
  /** Runs as root inside the debootstrapped tree (chroot) after the host's Node is copied in. */
  readonly script: string;
}

/** The local image for these targets' roles, with this Node in it. */
export function localImage(targets: Iterable<{ readonly images: ImageRoles }>, nodeVersion: string = process.version): LocalImage {
  const roles = [...targets].flatMap((t) => Object.values(t.images));
  const packages = [...new Set([...BASE_PACKAGES, ...roles.flatMap((r) => r.packages)])].sort();
  const steps = [...new Set(roles.flatMap((r) => (r.prepare === undefined ? [] : [prepareStep(r.prepare)])))].sort();
  const script = CHECK_NODE + steps.join('') + TRIM;
  const recipe = JSON.stringify({ RECIPE_VERSION, SUITE, packages, script, IMAGE_CHANGES, nodeVersion });
  return { tag: `${IMAGE_REPO}:${createHash('sha256').update(recipe).digest('hex').slice(0, 8)}`, packages, steps, script };
}

/** A role's preparation as a step of the script: whole lines, so that two steps never run together. */
export function prepareStep(prepare: string): string {
  return prepare.endsWith('\n') ? prepare : `${prepare}\n`;
}
