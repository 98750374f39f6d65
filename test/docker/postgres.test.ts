import assert from 'node:assert/strict';
import postgresJs from 'postgres';
import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import { DockerCluster } from '../../harness/runtimes/docker/cluster.js';
import { CONNECT_TIMEOUT_MS, QUERY_TIMEOUT_MS } from '../../targets/postgres/client.js';
import { PORT, postgres } from '../../targets/postgres/docker.js';
import { docker, testImages } from '../support/docker.js';
import { read, write, cas, invoke, sleep, timed } from '../support/client-ops.js';

/** The op, each time by a fresh client, until its completion passes `until` or the deadline; the last one. */
async function eventually(c: () => Client, op: ClientOp, until: (r: Completion) => boolean, ms: number): Promise<Completion> {
  const deadline = Date.now() + ms;
  for (;;) {
    const client = c();
    const r = await invoke(client, op);
    client.close();
    if (until(r) || Date.now() > deadline) return r;
    await sleep(200);
  }
}

/** n clients, each already connected (one read done), so that their next ops start together. */
async function connectedClients(cluster: DockerCluster, first: number, n: number, key: string): Promise<Client[]> {
  const clients = Array.from({ length: n }, (_, i) => cluster.client(first + i));
  for (const r of await Promise.all(clients.map((c) => invoke(c, read(key))))) assert.equal(r.type, 'ok', JSON.stringify(r));
  return clients;
}

/** n processes cas(0 → i+1) on one key at the same moment; how many succeeded, and what the key holds after. */
async function casRace(cluster: DockerCluster, first: number, key: string, n = 10): Promise<{ oks: number; types: string[]; final: unknown }> {
  const clients = await connectedClients(cluster, first, n, key);
  try {
    assert.equal((await invoke(clients[0], write(key, 0))).type, 'ok');
    const results = await Promise.all(clients.map((c, i) => invoke(c, cas(key, 0, i + 1))));
    const final = await invoke(clients[0], read(key));
    return { oks: results.filter((r) => r.type === 'ok').length, types: results.map((r) => r.type), final: final.value };
  } finally {
    for (const c of clients) c.close();
  }
}

/** A superuser connection of the test's own, to the published port (for settings the target never touches). */
async function adminOf(cluster: DockerCluster): Promise<postgresJs.Sql> {
  const { host, port } = cluster.view.endpoint('n1', PORT);
  const admin = postgresJs({ host, port, user: 'postgres', database: 'postgres', max: 1, connect_timeout: 5, fetch_types: false, onnotice: () => {} });
  await admin`SELECT 1`;
  return admin;
}

describe('postgres target (docker)', function () {
  this.timeout(120_000);
  /** Correct mode, and the read-committed bug: two servers, started side by side. */
  let correct: DockerCluster | undefined;
  let buggy: DockerCluster | undefined;
  let admin: postgresJs.Sql | undefined;
  let nextProcess = 0;
  const processes = (n: number) => (nextProcess += n) - n;

  before(async () => {
    const images = await testImages(postgres);
    const start = (bug?: string) => DockerCluster.start(docker, postgres, { nodes: 1, bug, options: {}, images });
    const [c, b] = await Promise.allSettled([start(), start('read-committed')]);
    if (c.status === 'fulfilled') correct = c.value;
    if (b.status === 'fulfilled') buggy = b.value;
    if (c.status === 'rejected') throw c.reason;
    if (b.status === 'rejected') throw b.reason;
    admin = await adminOf(correct!);
  });

  after(async () => {
    admin?.end({ timeout: 0 }).catch(() => {}); // its server was killed by then: do not wait for a goodbye
    await Promise.all([correct?.stop(), buggy?.stop()]);
  });

  it('asks for one durable server that can PREPARE TRANSACTION, and refuses more nodes or unknown bugs', () => {
    const image = (role: string) => (role === 'postgres' ? 'img' : assert.fail(`asked for role ${role}`));
    const ctx = { nodes: ['n1'], flavour: 'local' as const, image, ips: { n1: '10.0.0.2' }, bug: undefined, options: {} };
    const spec = postgres.containers(ctx).n1;
    assert.equal(spec.image, 'img');
    const args = spec.cmd.join(' ');
    for (const s of ['fsync=on', 'synchronous_commit=on', 'max_prepared_transactions=64']) assert.ok(args.includes(`-c ${s}`), s);
    assert.equal(spec.user, 'postgres');
    const official = postgres.containers({ ...ctx, flavour: 'official' }).n1;
    assert.deepEqual(official.cmd.slice(0, 1), ['postgres']);
    assert.equal(official.env?.POSTGRES_HOST_AUTH_METHOD, 'trust');
    assert.throws(() => postgres.containers({ ...ctx, nodes: ['n1', 'n2'] }), /one server/);
    assert.throws(() => postgres.containers({ ...ctx, bug: 'no-such-bug' }), /no bug 'no-such-bug'/);
  });

  it('maps read, write and cas to completions', async () => {
    const c = correct!.client(processes(1));
    try {
      assert.deepEqual(await invoke(c, read('map')), { type: 'ok', value: null });
      assert.deepEqual(await invoke(c, cas('map', 0, 1)), { type: 'fail', value: [0, 1], error: 'cas mismatch' });
      assert.deepEqual(await invoke(c, write('map', 3)), { type: 'ok', value: 3 });
      assert.deepEqual(await invoke(c, read('map')), { type: 'ok', value: 3 });
      assert.deepEqual(await invoke(c, cas('map', 3, 4)), { type: 'ok', value: [3, 4] });
      assert.deepEqual(await invoke(c, cas('map', 3, 1)), { type: 'fail', value: [3, 1], error: 'cas mismatch' });
      assert.deepEqual(await invoke(correct!.client(processes(1)), read('map')), { type: 'ok', value: 4 });
      assert.deepEqual(await invoke(c, read('map-other')), { type: 'ok', value: null });
    } finally {
      c.close();
    }
  });

  it('correct mode: of 10 concurrent cas from the same value exactly one succeeds, the others fail', async () => {
    for (let round = 0; round < 5; round++) {
      const { oks, types, final } = await casRace(correct!, processes(10), `race-${round}`);
      assert.equal(oks, 1, `round ${round}: ${types.join(' ')}`);
      assert.deepEqual(types.filter((t) => t !== 'ok' && t !== 'fail'), [], 'no unknown outcomes');
      assert.ok(typeof final === 'number' && final >= 1 && final <= 10);
    }
  });

  it('read-committed bug: concurrent cas from the same value can both succeed (a lost update)', async () => {
    const rounds: number[] = [];
    for (let round = 0; round < 10 && !rounds.some((oks) => oks > 1); round++) {
      rounds.push((await casRace(buggy!, processes(10), `race-${round}`)).oks);
    }
    assert.ok(rounds.some((oks) => oks > 1), `oks per round: ${rounds.join(', ')}`);
  });

  it('a COMMIT whose answer never comes is info, and it may well have taken effect', async () => {
    // A synchronous standby that does not exist makes COMMIT wait after the commit record is on disk; the server
    // is paused during that wait, so the client's timeout fires while COMMIT is in flight.
    const cluster = correct!;
    const c = cluster.client(processes(1));
    try {
      assert.equal((await invoke(c, read('in-flight'))).type, 'ok');
      await admin!`ALTER SYSTEM SET synchronous_standby_names = 'nobody'`;
      await admin!`SELECT pg_reload_conf()`;
      await sleep(300);
      const op = timed(c, write('in-flight', 2));
      await sleep(300);
      await cluster.faults.pause('n1');
      const { completion, ms } = await op;
      await cluster.faults.resume('n1');
      assert.equal(completion.type, 'info', JSON.stringify(completion));
      assert.ok(ms < 4000, `took ${ms} ms`);
    } finally {
      await cluster.faults.resume('n1');
      await admin!`ALTER SYSTEM RESET synchronous_standby_names`;
      await admin!`SELECT pg_reload_conf()`;
      c.close();
    }
    // The write was on disk: once the wait ends (no synchronous standby wanted any more), everyone sees it.
    const seen = await eventually(() => cluster.client(processes(1)), read('in-flight'), (r) => r.type === 'ok' && r.value === 2, 10_000);
    assert.deepEqual(seen, { type: 'ok', value: 2 });
  });

  it('against a paused server, ops end within the timeout: a read fails, a write whose BEGIN got no answer fails', async () => {
    const cluster = correct!;
    const [c1, c2] = await connectedClients(cluster, processes(2), 2, 'paused');
    const fresh = cluster.client(processes(1));
    try {
      assert.equal((await invoke(c1, write('paused', 1))).type, 'ok');
      await cluster.faults.pause('n1');
      const [r, w, f] = await Promise.all([timed(c1, read('paused')), timed(c2, write('paused', 2)), timed(fresh, write('paused', 3))]);
      await cluster.faults.resume('n1');
      // Nothing that could commit was sent: COMMIT is sent only after the statements before it were answered.
      assert.equal(r.completion.type, 'fail', JSON.stringify(r.completion));
      assert.equal(w.completion.type, 'fail', JSON.stringify(w.completion));
      assert.equal(f.completion.type, 'fail', JSON.stringify(f.completion));
      for (const { ms } of [r, w, f]) assert.ok(ms >= CONNECT_TIMEOUT_MS - 100 && ms < QUERY_TIMEOUT_MS + 2000, `took ${ms} ms`);
      // The same clients reconnect on their next op, and the failed writes did not happen.
      assert.deepEqual(await invoke(c1, read('paused')), { type: 'ok', value: 1 });
      assert.deepEqual(await invoke(c2, write('paused', 4)), { type: 'ok', value: 4 });
    } finally {
      await cluster.faults.resume('n1');
      for (const c of [c1, c2, fresh]) c.close();
    }
  });

  it('a SIGKILL and start of the container keeps every acknowledged write', async () => {
    const cluster = correct!;
    const c = cluster.client(processes(1));
    const acknowledged = new Map<string, number>();
    try {
      for (let i = 0; i < 20; i++) {
        const key = `durable-${i % 5}`;
        const r = await invoke(c, write(key, i));
        assert.equal(r.type, 'ok', JSON.stringify(r));
        acknowledged.set(key, i);
      }
      await cluster.faults.kill('n1');
      // Down: connections are refused, so nothing was sent and nothing happened.
      const down = await invoke(c, write('durable-0', 99));
      assert.equal(down.type, 'fail', JSON.stringify(down));
      await cluster.faults.restart('n1');
      for (const [key, value] of acknowledged) {
        const r = await eventually(() => cluster.client(processes(1)), read(key), (x) => x.type === 'ok', 30_000);
        assert.deepEqual(r, { type: 'ok', value }, key);
      }
      // The client that saw the crash serves again.
      assert.deepEqual(await invoke(c, read('durable-0')), { type: 'ok', value: acknowledged.get('durable-0') });
    } finally {
      await cluster.faults.restart('n1');
      c.close();
    }
  });
});
