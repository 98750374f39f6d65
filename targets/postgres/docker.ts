import { describeError, UsageError, usageError } from '../../harness/errors.js';
import type { ImageFlavour } from '../../harness/runtimes/docker/image-roles.js';
import type { ClusterView, ContainerSpec, DockerTarget, TargetSession } from '../../harness/runtimes/docker/target.js';
import { pollUntil } from '../../harness/runtimes/docker/poll.js';
import { behaviourWith, type BugTable } from '../bugs.js';
import { numberedNodes } from '../../harness/node.js';
import { REGISTER_OPERATIONS } from '../register-ops.js';
import { CORRECT, PostgresClient, schema, sessionOptions, type Behaviour } from './client.js';
import { PG_BIN, PG_DATA, POSTGRES_IMAGE } from './image.js';
import { describe, refusedLogin } from './errors.js';
import { PgSession } from './session.js';

const BUGS: BugTable<Behaviour> = {
  // cas as SELECT then UPDATE under READ COMMITTED: two cas from the same value both succeed (a lost update).
  // No widening of the race is needed: a 10 s run with 5 processes finds it on every key.
  'read-committed': { isolation: 'READ COMMITTED' },
};

export const behaviourOf = (bug: string | undefined): Behaviour => behaviourWith(CORRECT, BUGS, bug);

export const PORT = 5432;

/**
 * Server settings, as `-c` arguments. Durability stays on (fsync, synchronous commit, full-page writes): a kill
 * must not lose acknowledged commits. max_prepared_transactions lets two-phase commit (PREPARE TRANSACTION) run
 * on these servers. The rest keeps a node small and its start quick: little shared memory, no huge-page probe, no JIT.
 */
const SETTINGS = [
  'listen_addresses=*',
  'fsync=on',
  'synchronous_commit=on',
  'full_page_writes=on',
  'max_prepared_transactions=64',
  'max_connections=200',
  'shared_buffers=32MB',
  'huge_pages=off',
  'jit=off',
];
const settingArgs = SETTINGS.flatMap((s) => ['-c', s]);

/**
 * The local image ships an initialized cluster; an image without one (the probe image) gets it here on first
 * start, the way the local image made its own: trust authentication, reachable from the run's network.
 */
const INIT_IF_NEEDED =
  `test -f ${PG_DATA}/PG_VERSION || { ${PG_BIN}/initdb --auth=trust -U postgres --encoding=UTF8 --locale=C.UTF-8 -D ${PG_DATA} >/dev/null && ` +
  `echo 'host all all 0.0.0.0/0 trust' >> ${PG_DATA}/pg_hba.conf; } || exit 1; exec ${PG_BIN}/postgres -D ${PG_DATA} "$@"`;

/** One PostgreSQL server's container from `image` of the run's flavour (the pg-2pc target's participants are these too). */
export function postgresContainer(image: string, flavour: ImageFlavour): ContainerSpec {
  if (flavour === 'official') {
    // The image's entrypoint runs initdb on the first start (a few seconds) and then `postgres` as its user.
    return { image, cmd: ['postgres', ...settingArgs], env: { POSTGRES_HOST_AUTH_METHOD: 'trust' }, ports: [PORT] };
  }
  return { image, entrypoint: [], cmd: ['sh', '-c', INIT_IF_NEEDED, 'postgres', ...settingArgs], user: 'postgres', ports: [PORT] };
}

/** Separate servers share nothing: a register spread over them could not be linearizable, correct or not. */
function oneServer(nodes: readonly string[]): void {
  if (nodes.length !== 1) throw usageError(`the postgres target is one server (asked for ${nodes.length} nodes; use --nodes 1)`);
}

/**
 * One PostgreSQL server holding a register per key (a row of `registers`), every op one SERIALIZABLE
 * transaction. A kill is a crash of the whole server: acknowledged commits must survive it (the WAL is fsynced).
 *
 * On a server the user runs (`--runtime external`): the node's `user` (default postgres), `password` and `database`
 * (default postgres); the user must be allowed to create the `registers` table there (ready creates it if absent).
 */
export const postgres: DockerTarget<'postgres'> = {
  name: 'postgres',
  description:
    'PostgreSQL, one server, registers as rows, SERIALIZABLE transactions (bugs: cas under READ COMMITTED; external: one node, its user, password and database, defaults postgres)',
  bugs: Object.keys(BUGS),
  defaultNodes: 1,
  operations: REGISTER_OPERATIONS,
  images: { postgres: POSTGRES_IMAGE },
  nodeIds: (n) => numberedNodes(n, 1),
  containers(ctx) {
    behaviourOf(ctx.bug);
    oneServer(ctx.nodes);
    return Object.fromEntries(ctx.nodes.map((node) => [node, postgresContainer(ctx.image('postgres'), ctx.flavour)]));
  },
  external: { services: [{ name: 'postgres', port: PORT }] },
  async ready(view, deadline) {
    oneServer(view.nodes);
    const node = view.nodes[0];
    await untilServing(view, node, deadline);
    const session = new PgSession(sessionOptions(view.endpoint(node, PORT), 'setup', view.credentials(node)));
    try {
      await session.one(schema);
    } catch (e) {
      throw new Error(`postgres on ${node}: creating the schema: ${describeError(e)}`);
    } finally {
      session.close();
    }
  },
  async open(view: ClusterView): Promise<TargetSession> {
    const behaviour = behaviourOf(view.bug);
    const node = view.nodes[0];
    const endpoint = view.endpoint(node, PORT);
    const credentials = view.credentials(node);
    const clients = new Set<PostgresClient>();
    return {
      client(process) {
        const client = new PostgresClient(sessionOptions(endpoint, `p${process}`, credentials), behaviour, process);
        clients.add(client);
        return client;
      },
      async close() {
        for (const c of clients) c.close();
        clients.clear();
      },
    };
  },
};

/**
 * Connects and runs `SELECT 1` until it works (the server is up and out of recovery) or the deadline passes. A
 * login the server refuses (the credentials, the database) fails at once, in one line.
 */
export async function untilServing(view: ClusterView, node: string, deadline: number): Promise<void> {
  const serving = async (): Promise<undefined> => {
    const session = new PgSession(sessionOptions(view.endpoint(node, PORT), 'ready', view.credentials(node)));
    try {
      await session.connect();
      return undefined;
    } catch (e) {
      if (refusedLogin(e)) throw usageError(`postgres on ${node} refuses the login: ${describe(e)}`);
      throw e;
    } finally {
      session.close();
    }
  };
  try {
    await pollUntil(deadline, serving);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new Error(`postgres on ${node} did not serve before the deadline: ${describeError(e)}`);
  }
}
