import type { ImageRole } from '../../harness/runtimes/docker/image-roles.js';

/** Where bookworm's PostgreSQL (15) keeps its binaries; `postgres`, `pg_ctl`, `pg_isready` are not on PATH. */
export const PG_BIN = '/usr/lib/postgresql/15/bin';
/** The local image's pre-initialized cluster (superuser `postgres`, trust auth, listening on every address). */
export const PG_DATA = '/var/lib/postgresql/data';

/**
 * Run as root in the local image's tree once Debian's postgresql is in. initdb now, not at container start, is
 * what makes PostgreSQL ready about a second after its container starts.
 */
const PREPARE = `# Debian's postinst made a cluster for pg_ctlcluster; containers run postgres directly on ${PG_DATA} instead.
rm -rf /etc/postgresql/15 /var/lib/postgresql/15
install -d -o postgres -g postgres -m 2775 /run/postgresql
runuser -u postgres -- ${PG_BIN}/initdb -D ${PG_DATA} --auth=trust -U postgres --encoding=UTF8 --locale=C.UTF-8 >/dev/null
echo "listen_addresses = '*'" >> ${PG_DATA}/postgresql.conf
# JIT only pays off for long analytical queries; without it (LLVM, Z3, the bitcode) the image is 150 MB smaller.
echo "jit = off" >> ${PG_DATA}/postgresql.conf
rm -rf /usr/lib/postgresql/15/lib/llvmjit* /usr/lib/postgresql/15/lib/bitcode /usr/lib/*-linux-gnu/libLLVM-* /usr/lib/*-linux-gnu/libz3.so*
echo "host all all 0.0.0.0/0 trust" >> ${PG_DATA}/pg_hba.conf
echo "host all all ::/0 trust" >> ${PG_DATA}/pg_hba.conf
`;

/** A PostgreSQL server's image: PostgreSQL 16 from the registry; bookworm's 15, initialized at build, locally. */
export const POSTGRES_IMAGE: ImageRole = { official: 'postgres:16', packages: ['postgresql'], prepare: PREPARE };
