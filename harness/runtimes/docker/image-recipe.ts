import { createHash } from 'node:crypto';

/**
 * What `faultline images build` puts in the local image: a minimal Debian bookworm (debootstrap's minbase) with the
 * servers the Docker targets run, iptables for the network nemesis, and this machine's Node for Node-based nodes.
 * Its tag is a hash of everything here, so a changed recipe (or another Node) is a new image, never a stale one.
 */
export const RECIPE_VERSION = 1;

export const SUITE = 'bookworm';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

export const PACKAGES: readonly string[] = ['redis-server', 'postgresql', 'iptables', 'iproute2', 'procps', 'ca-certificates'];

/** Where bookworm's PostgreSQL (15) keeps its binaries; `postgres`, `pg_ctl`, `pg_isready` are not on PATH. */
export const PG_BIN = '/usr/lib/postgresql/15/bin';
/** The pre-initialized cluster (superuser `postgres`, trust auth, listening on every address). */
export const PG_DATA = '/var/lib/postgresql/data';

/** The image's Node: the host's own binary, copied in (it needs only glibc and libstdc++, both in the image). */
export const NODE_PATH = '/usr/local/bin/node';

/** The image's PATH, and the label that marks it as ours. */
export const IMAGE_CHANGES: readonly string[] = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LABEL faultline.image=local'];

/**
 * Runs as root inside the debootstrapped tree (chroot) after the host's node is copied in. initdb now, not at
 * container start, is what makes PostgreSQL ready about a second after its container starts.
 */
export const CHROOT_SCRIPT = `set -eu
${NODE_PATH} --version >/dev/null
# Debian's postinst made a cluster for pg_ctlcluster; containers run postgres directly on ${PG_DATA} instead.
rm -rf /etc/postgresql/15 /var/lib/postgresql/15
install -d -o postgres -g postgres -m 2775 /run/postgresql
runuser -u postgres -- ${PG_BIN}/initdb -D ${PG_DATA} --auth=trust -U postgres --encoding=UTF8 --locale=C.UTF-8 >/dev/null
echo "listen_addresses = '*'" >> ${PG_DATA}/postgresql.conf
# JIT only pays off for long analytical queries; without it (LLVM, Z3, the bitcode) the image is 150 MB smaller.
echo "jit = off" >> ${PG_DATA}/postgresql.conf
rm -rf /usr/lib/postgresql/15/lib/llvmjit* /usr/lib/postgresql/15/lib/bitcode /usr/lib/*-linux-gnu/libLLVM-* /usr/lib/*-linux-gnu/libz3.so*
echo "host all all 0.0.0.0/0 trust" >> ${PG_DATA}/pg_hba.conf
echo "host all all ::/0 trust" >> ${PG_DATA}/pg_hba.conf
# Nothing a container needs: package caches and lists, docs, translations, install logs.
apt-get clean
rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/* /var/cache/debconf/*-old
find /var/log -type f -delete
`;

export const IMAGE_REPO = 'faultline/bookworm';

/** 8 hex digits of the recipe: suite, packages, version, script and the Node that goes in. */
export function recipeHash(nodeVersion: string = process.version): string {
  const recipe = JSON.stringify({ RECIPE_VERSION, SUITE, PACKAGES, CHROOT_SCRIPT, IMAGE_CHANGES, nodeVersion });
  return createHash('sha256').update(recipe).digest('hex').slice(0, 8);
}
