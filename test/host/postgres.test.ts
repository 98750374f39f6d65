import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../harness/errors.js';
import type { ExternalNode } from '../../harness/config/cluster-spec.js';
import { externalView } from '../../harness/runtimes/external/view.js';
import { postgres } from '../../targets/postgres/docker.js';
import { PgSession } from '../../targets/postgres/session.js';
import { cas, invoke, read, write } from '../support/client-ops.js';
import { removeDir, tempDir } from '../support/host-process.js';
import { startPostgres } from '../support/host-servers.js';

/**
 * The postgres target on a PostgreSQL the user started (here: initdb and postgres on loopback, as the postgres
 * user), seen through the external runtime's cluster view with no fault proxy.
 */

const view = (nodes: ExternalNode[], bug?: string) => externalView(postgres, nodes, { bug, options: {} });
const soon = () => Date.now() + 30_000;
/** A deadline no test waits for: a ready check that polled until it would outlast the test's time-out. */
const never = () => Date.now() + 3_600_000;

/** Ready, open, and the register's ops on `key` (not yet written) through one client, with what PostgreSQL answered. */
async function exercise(v: ReturnType<typeof view>, key = 'x'): Promise<void> {
  await postgres.ready(v, soon());
  const session = await postgres.open(v);
  const c = session.client(0);
  try {
    assert.deepEqual(await invoke(c, read(key)), { type: 'ok', value: null });
    assert.deepEqual(await invoke(c, write(key, 1)), { type: 'ok', value: 1 });
    assert.deepEqual(await invoke(c, cas(key, 1, 2)), { type: 'ok', value: [1, 2] });
    assert.deepEqual(await invoke(c, cas(key, 1, 3)), { type: 'fail', value: [1, 3], error: 'cas mismatch' });
    assert.deepEqual(await invoke(c, read(key)), { type: 'ok', value: 2 });
  } finally {
    c.close();
    await session.close();
  }
}

describe('external: postgres on a PostgreSQL the test started', function () {
  this.timeout(120_000);

  it('trust authentication, the defaults (user and database postgres): ready creates the table, the client works', async () => {
    const pg = await startPostgres();
    try {
      await exercise(view([{ name: 'n1', host: pg.host, port: pg.port }]));
    } finally {
      await pg.stop();
    }
  });

  describe('a user, a password (scram-sha-256) and a database of its own', () => {
    const VAR = 'FAULTLINE_TEST_PG_PASSWORD';
    let pg: Awaited<ReturnType<typeof startPostgres>> | undefined;
    let dir: string | undefined;
    before(async () => {
      pg = await startPostgres({ user: 'tester', password: 's3cret-pg', database: 'jepsen' });
      dir = tempDir('pg-secret');
    });
    after(async () => {
      delete process.env[VAR];
      if (dir) removeDir(dir);
      await pg?.stop();
    });
    const node = (extra: Partial<ExternalNode>): ExternalNode => ({ name: 'n1', host: pg!.host, port: pg!.port, user: 'tester', database: 'jepsen', ...extra });

    it('is reached with the password from the environment, in the database named, as the user named', async () => {
      process.env[VAR] = 's3cret-pg';
      await exercise(view([node({ password: { env: VAR } })]));
      // The table is in the named database, owned by the named user.
      const s = new PgSession({ host: pg!.host, port: pg!.port, application: 't', connectTimeoutMs: 5000, queryTimeoutMs: 5000, settings: {}, user: 'tester', password: 's3cret-pg', database: 'jepsen' });
      try {
        const [row] = await s.one((sql) => sql`SELECT tableowner, (SELECT value FROM registers WHERE key = 'x') AS x FROM pg_tables WHERE tablename = 'registers'`);
        assert.deepEqual({ ...row }, { tableowner: 'tester', x: 2 });
      } finally {
        s.close();
      }
    });

    it('also from a file (its trailing newline is not part of the password)', async () => {
      const file = join(dir!, 'password');
      writeFileSync(file, 's3cret-pg\n');
      await exercise(view([node({ password: { file } })]), 'y');
    });

    it('a wrong password: ready fails at once, in one line, with the server\'s refusal', async () => {
      process.env[VAR] = 'not-the-password';
      await assert.rejects(postgres.ready(view([node({ password: { env: VAR } })]), never()), (e: Error) => {
        assert.ok(e instanceof UsageError, String(e));
        assert.match(e.message, /^postgres on n1 refuses the login: 28P01: password authentication failed for user "tester"$/);
        return true;
      });
    });

    it('a database that does not exist: the same, at once', async () => {
      process.env[VAR] = 's3cret-pg';
      await assert.rejects(postgres.ready(view([node({ password: { env: VAR }, database: 'nope' })]), never()), (e: Error) => {
        assert.ok(e instanceof UsageError, String(e));
        assert.match(e.message, /^postgres on n1 refuses the login: 3D000: database "nope" does not exist$/);
        return true;
      });
    });
  });
});
