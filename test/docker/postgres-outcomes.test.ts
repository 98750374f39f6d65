import assert from 'node:assert/strict';
import postgresJs from 'postgres';
import type { Client } from '../../harness/runtime.js';
import { DockerCluster } from '../../harness/runtimes/docker/cluster.js';
import { QUERY_TIMEOUT_MS, STATEMENT_TIMEOUT_MS } from '../../targets/postgres/client.js';
import { PORT, postgres } from '../../targets/postgres/docker.js';
import { docker, testImages } from '../support/docker.js';
import { read, write, invoke, sleep, timed } from '../support/client-ops.js';

/**
 * The outcome rules of the postgres target's client, pinned against a real server: what the history says when a
 * statement or a COMMIT gets no answer, or an error, and what the server really did. The server is made slow on
 * purpose by triggers that sleep — through the session's statement_timeout, which they catch — on one key each.
 */

/** How long the triggers keep a statement (or a COMMIT) from answering: well past the client's time-out. */
const SLOW_S = 3;

describe('postgres target (docker): outcomes of statements and COMMITs that get no answer', function () {
  this.timeout(120_000);
  let cluster: DockerCluster | undefined;
  let admin: postgresJs.Sql | undefined;
  let nextProcess = 0;

  /** A new process's client, connected (one read done); its application_name in pg_stat_activity. */
  async function connectedClient(key: string): Promise<{ c: Client; application: string }> {
    const process = nextProcess++;
    const c = cluster!.client(process);
    assert.deepEqual((await invoke(c, read(key))).type, 'ok');
    return { c, application: `faultline-p${process}` };
  }

  /** The backend pids serving an application_name. */
  const backends = async (application: string): Promise<number[]> =>
    (await admin!`SELECT pid FROM pg_stat_activity WHERE application_name = ${application}`).map((r) => r.pid as number);

  /** Waits until none of `pids` is a backend any more (a reset client's backend ends once it notices). */
  async function gone(pids: number[], ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const left = await admin!`SELECT pid FROM pg_stat_activity WHERE pid IN ${admin!(pids)}`;
      if (left.length === 0) return;
      if (Date.now() > deadline) assert.fail(`backends ${left.map((r) => r.pid).join(', ')} still there after ${ms} ms`);
      await sleep(200);
    }
  }

  const value = async (key: string): Promise<unknown> => (await admin!`SELECT value FROM registers WHERE key = ${key}`)[0]?.value ?? null;

  before(async () => {
    const images = await testImages(postgres);
    cluster = await DockerCluster.start(docker, postgres, { nodes: 1, options: {}, images });
    const { host, port } = cluster.view.endpoint('n1', PORT);
    admin = postgresJs({ host, port, user: 'postgres', database: 'postgres', max: 1, connect_timeout: 5, fetch_types: false, onnotice: () => {} });
    // A sleep that the session's statement_timeout does not end: it catches the cancel and sleeps on.
    await admin.unsafe(`
      CREATE FUNCTION unstoppable_sleep(seconds float8) RETURNS void AS $$
      DECLARE until timestamptz := clock_timestamp() + make_interval(secs => seconds);
      BEGIN
        WHILE clock_timestamp() < until LOOP
          BEGIN
            PERFORM pg_sleep(extract(epoch FROM until - clock_timestamp()));
          EXCEPTION WHEN query_canceled THEN NULL;
          END;
        END LOOP;
      END $$ LANGUAGE plpgsql`);
    await admin.unsafe(`
      CREATE FUNCTION slow_row() RETURNS trigger AS $$
      BEGIN PERFORM unstoppable_sleep(TG_ARGV[0]::float8); RETURN NEW; END $$ LANGUAGE plpgsql`);
  });

  after(async () => {
    admin?.end({ timeout: 0 }).catch(() => {});
    await cluster?.stop();
  });

  it('a COMMIT that outlasts the client\'s time-out is info, and it did commit', async () => {
    const key = 'slow-commit';
    const { c, application } = await connectedClient(key);
    try {
      assert.deepEqual(await invoke(c, write(key, 1)), { type: 'ok', value: 1 });
      // Deferred: the sleep runs inside COMMIT, after every statement before it was answered.
      await admin!.unsafe(`
        CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT OR UPDATE ON registers DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.key = '${key}') EXECUTE FUNCTION slow_row('${SLOW_S}')`);
      const pids = await backends(application);
      assert.equal(pids.length, 1);
      const { completion, ms } = await timed(c, write(key, 2));
      assert.equal(completion.type, 'info', JSON.stringify(completion));
      assert.match(String(completion.error), /^commit: query timeout/);
      assert.ok(ms >= QUERY_TIMEOUT_MS - 50 && ms < QUERY_TIMEOUT_MS + 1000, `took ${ms} ms`);
      // Not yet committed: the trigger is still asleep inside COMMIT.
      assert.equal(await value(key), 1);
      // Once the backend wakes, its COMMIT completes — nobody is left to hear it — and the write is there.
      await gone(pids);
      assert.equal(await value(key), 2);
    } finally {
      await admin!`DROP TRIGGER IF EXISTS slow_commit ON registers`;
      c.close();
    }
  });

  it('a statement refused by the server (statement_timeout on a row lock) is fail; the session serves on', async () => {
    const key = 'locked';
    const { c, application } = await connectedClient(key);
    const { host, port } = cluster!.view.endpoint('n1', PORT);
    const locker = postgresJs({ host, port, user: 'postgres', database: 'postgres', max: 1, connect_timeout: 5, fetch_types: false, onnotice: () => {} });
    try {
      assert.deepEqual(await invoke(c, write(key, 1)), { type: 'ok', value: 1 });
      const pids = await backends(application);
      await locker`BEGIN`;
      assert.equal((await locker`SELECT value FROM registers WHERE key = ${key} FOR UPDATE`).length, 1);
      const { completion, ms } = await timed(c, write(key, 2));
      assert.equal(completion.type, 'fail', JSON.stringify(completion));
      assert.match(String(completion.error), /^57014: /);
      assert.ok(ms >= STATEMENT_TIMEOUT_MS - 50 && ms < QUERY_TIMEOUT_MS, `took ${ms} ms`);
      await locker`ROLLBACK`;
      assert.equal(await value(key), 1);
      // A refusal leaves the connection usable: the same backend serves the next op.
      assert.deepEqual(await invoke(c, write(key, 3)), { type: 'ok', value: 3 });
      assert.deepEqual(await backends(application), pids);
      assert.equal(await value(key), 3);
    } finally {
      locker.end({ timeout: 0 }).catch(() => {});
      c.close();
    }
  });

  it('a statement before COMMIT that gets no answer is fail, nothing is written, and the next op runs on a new connection', async () => {
    const key = 'no-answer';
    const { c, application } = await connectedClient(key);
    try {
      assert.deepEqual(await invoke(c, write(key, 1)), { type: 'ok', value: 1 });
      // Not deferred: the upsert itself sleeps, so COMMIT is never sent. (BEFORE INSERT fires for every upsert,
      // existing row or not; BEFORE UPDATE too would sleep twice.)
      await admin!.unsafe(`
        CREATE TRIGGER slow_statement BEFORE INSERT ON registers
        FOR EACH ROW WHEN (NEW.key = '${key}') EXECUTE FUNCTION slow_row('${SLOW_S}')`);
      const pids = await backends(application);
      assert.equal(pids.length, 1);
      const { completion, ms } = await timed(c, write(key, 2));
      assert.equal(completion.type, 'fail', JSON.stringify(completion));
      assert.match(String(completion.error), /^query timeout/);
      assert.ok(ms >= QUERY_TIMEOUT_MS - 50 && ms < QUERY_TIMEOUT_MS + 1000, `took ${ms} ms`);
      // The backend finishes the upsert, finds its connection reset while waiting for the next statement, and
      // aborts the transaction: the value was not written.
      await gone(pids);
      assert.equal(await value(key), 1);
      // The client did not go on on the old connection: its next op opens another, and works.
      await admin!`DROP TRIGGER slow_statement ON registers`;
      assert.deepEqual(await invoke(c, write(key, 4)), { type: 'ok', value: 4 });
      const now = await backends(application);
      assert.equal(now.length, 1);
      assert.notEqual(now[0], pids[0]);
      assert.equal(await value(key), 4);
    } finally {
      await admin!`DROP TRIGGER IF EXISTS slow_statement ON registers`;
      c.close();
    }
  });
});
