import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import postgresJs from 'postgres';
import type { Op } from '../../checkers/history/op.js';
import { nemesisPairs } from '../../checkers/history/nemesis-pairs.js';
import type { CheckerResult } from '../../checkers/registry.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import { runTest } from '../../harness/api.js';
import { type RunOutcome } from '../../harness/run.js';
import type { Client, ClientOp, Completion } from '../../harness/runtime.js';
import { DockerCluster } from '../../harness/runtimes/docker/cluster.js';
import { imageExists } from '../../harness/runtimes/docker/images.js';
import { imageOf, localImages } from '../../harness/runtimes/docker/run-images.js';
import { DECISION_LOG } from '../../targets/pg-2pc/decision-log.js';
import { DATA_DIR, pg2pc } from '../../targets/pg-2pc/docker.js';
import type { ParticipantFinalRead, ParticipantRead } from '../../targets/pg-2pc/protocol.js';
import { PORT } from '../../targets/postgres/docker.js';
import { eventually, LOCAL, runResources } from '../support/docker.js';
import { untilCaught } from '../support/detect.js';
import { invoke } from '../support/client-ops.js';

const transfer = (id: number, from: number, to: number, amount: number): ClientOp => ({ f: 'transfer', value: { id, from, to, amount } });
const images = localImages(pg2pc, LOCAL);

describe('pg-2pc target (docker): the coordinator against real participants', function () {
  this.timeout(180_000);
  const docker = new Dockerode();
  let cluster: DockerCluster | undefined;
  const admins = new Map<string, postgresJs.Sql>();
  let nextProcess = 0;
  const clients: Client[] = [];
  const client = () => {
    const c = cluster!.client(nextProcess++);
    clients.push(c);
    return c;
  };

  /** A superuser connection of the test's own to a participant, through its published port. */
  async function admin(node: string): Promise<postgresJs.Sql> {
    const known = admins.get(node);
    if (known) return known;
    const { host, port } = cluster!.view.endpoint(node, PORT);
    // One connection (max: 1), so that BEGIN … ROLLBACK below is one transaction.
    const conn = postgresJs({ host, port, user: 'postgres', database: 'postgres', max: 1, connect_timeout: 5, fetch_types: false, onnotice: () => {}, connection: { lock_timeout: 5000 } });
    await conn`SELECT 1`;
    admins.set(node, conn);
    return conn;
  }
  const balance = async (node: string, account: number) => (await (await admin(node))`SELECT balance FROM accounts WHERE id = ${account}`)[0]?.balance as number;
  const markers = async (node: string) => ((await (await admin(node))`SELECT txid FROM markers ORDER BY txid`) as unknown as { txid: number }[]).map((r) => r.txid);
  const prepared = async (node: string) => ((await (await admin(node))`SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'fl-%' ORDER BY gid`) as unknown as { gid: string }[]).map((r) => r.gid);

  before(async () => {
    assert.ok(await imageExists(docker, LOCAL.tag), `${LOCAL.tag} does not exist: run \`faultline images build\``);
    cluster = await DockerCluster.start(docker, pg2pc, { nodes: 2, options: {}, images });
  });

  after(async () => {
    for (const c of clients) c.close();
    for (const a of admins.values()) a.end({ timeout: 0 }).catch(() => {});
    await cluster?.stop();
  });

  it('is a coordinator c1 running `faultline coordinator pg-2pc` and PostgreSQL participants p1…pn', () => {
    assert.deepEqual(pg2pc.nodeIds(3), ['c1', 'p1', 'p2', 'p3']);
    assert.equal(pg2pc.defaultNodes, 3);
    const ips = { c1: '10.0.0.2', p1: '10.0.0.3', p2: '10.0.0.4' };
    const specs = pg2pc.containers({ nodes: ['c1', 'p1', 'p2'], flavour: 'local', image: imageOf(pg2pc, images), ips, bug: 'no-recovery', options: {} });
    const cmd = specs.c1.cmd.join(' ');
    assert.match(cmd, /faultline\.js coordinator pg-2pc --id c1 --listen 0\.0\.0\.0:7000 --participants p1=10\.0\.0\.3:5432,p2=10\.0\.0\.4:5432 --data-dir \/data --bug no-recovery$/);
    assert.ok(specs.p1.cmd.join(' ').includes('-c max_prepared_transactions=64'));
    assert.deepEqual(cluster!.nodes, ['c1', 'p1', 'p2']);
  });

  it('a transfer commits at both participants; a read sees the balances and the markers', async () => {
    const c = client();
    assert.deepEqual(await invoke(c, transfer(1, 0, 1, 7)), { type: 'ok', value: { id: 1, from: 0, to: 1, amount: 7, participants: ['p1', 'p2'] } });
    assert.deepEqual([await balance('p1', 0), await balance('p2', 1)], [93, 107]);
    assert.deepEqual([await markers('p1'), await markers('p2')], [[1], [1]]);
    assert.deepEqual([await prepared('p1'), await prepared('p2')], [[], []]);
    // Overdrafts are allowed: the point is atomicity and conservation.
    assert.equal((await invoke(c, transfer(2, 3, 2, 150))).type, 'ok');
    const r = await invoke(c, { f: 'read', value: { since: 2 } });
    assert.equal(r.type, 'ok', JSON.stringify(r));
    const read = r.value as { since: number; participants: Record<string, ParticipantRead> };
    assert.deepEqual(read, {
      since: 2,
      participants: { p1: { balances: { '0': 93, '2': 250 }, markers: [2] }, p2: { balances: { '1': 107, '3': -50 }, markers: [2] } },
    });
  });

  it('a participant that cannot prepare: the transfer fails and the participant that had prepared rolls back', async () => {
    // Marker 10 already at p2: the transfer's INSERT fails there, after p1 (first in order) has prepared.
    await (await admin('p2'))`INSERT INTO markers (txid) VALUES (10)`;
    const r = await invoke(client(), transfer(10, 0, 1, 5));
    assert.equal(r.type, 'fail', JSON.stringify(r));
    assert.match(r.error ?? '', /p2 did not prepare: 23505/);
    await eventually('p1 to roll back fl-10', 10_000, async () => ((await prepared('p1')).length === 0 ? true : undefined));
    assert.equal(await balance('p1', 0), 93);
    assert.deepEqual(await markers('p1'), [1, 2]);
    assert.deepEqual(await prepared('p2'), []);
  });

  it('a row lock held elsewhere: lock_timeout aborts the transfer instead of waiting, and nothing commits', async () => {
    const holder = await admin('p2');
    await holder`BEGIN`;
    await holder`SELECT * FROM accounts WHERE id = 1 FOR UPDATE`;
    const t0 = Date.now();
    let r: Completion;
    try {
      r = await invoke(client(), transfer(11, 0, 1, 5));
    } finally {
      await holder`ROLLBACK`;
    }
    assert.equal(r.type, 'fail', JSON.stringify(r));
    assert.match(r.error ?? '', /p2 did not prepare: 55P03/);
    assert.ok(Date.now() - t0 < 2500, `aborted after the lock timeout (${Date.now() - t0} ms)`);
    await eventually('p1 to roll back fl-11', 10_000, async () => ((await prepared('p1')).length === 0 ? true : undefined));
    assert.deepEqual([await balance('p1', 0), await balance('p2', 1)], [93, 107]);
    assert.ok(!(await markers('p1')).includes(11) && !(await markers('p2')).includes(11));
  });

  it('recovery commits a prepared transfer whose decision is logged, and rolls back one without a decision', async () => {
    // The decision of transfer 100 is in the coordinator's log; 101 has none. Both are prepared at both participants
    // while the coordinator is down, as a coordinator killed between its decision and its COMMIT PREPARED leaves them.
    await cluster!.view.exec('c1', ['sh', '-c', `echo '{"commit":100,"participants":["p1","p2"]}' >> ${DATA_DIR}/${DECISION_LOG}`]);
    await cluster!.faults.kill('c1');
    const prepare = async (node: string, id: number, account: number, delta: number) =>
      (await admin(node)).unsafe(`BEGIN; UPDATE accounts SET balance = balance + (${delta}) WHERE id = ${account}; INSERT INTO markers (txid) VALUES (${id}); PREPARE TRANSACTION 'fl-${id}'`);
    // 100: 4 from account 0 (p1) to 1 (p2); 101: 6 from account 2 (p1) to 3 (p2).
    await prepare('p1', 100, 0, -4);
    await prepare('p2', 100, 1, 4);
    await prepare('p1', 101, 2, -6);
    await prepare('p2', 101, 3, 6);
    assert.deepEqual([await prepared('p1'), await prepared('p2')], [['fl-100', 'fl-101'], ['fl-100', 'fl-101']]);
    await cluster!.faults.restart('c1');
    // The final read waits for the coordinator to be up and recovered.
    const r = await invoke(client(), { f: 'final-read', value: null });
    assert.equal(r.type, 'ok', JSON.stringify(r));
    const final = (r.value as { participants: Record<string, ParticipantFinalRead> }).participants;
    assert.deepEqual(final, {
      p1: { balances: { '0': 89, '2': 250 }, markers: [1, 2, 100], prepared: [] },
      p2: { balances: { '1': 111, '3': -50 }, markers: [1, 2, 10, 100], prepared: [] },
    });
    assert.deepEqual([await prepared('p1'), await prepared('p2')], [[], []]);
    // And it serves again.
    assert.equal((await invoke(client(), transfer(102, 2, 3, 1))).type, 'ok');
  });

  it('a coordinator killed in the middle of transfers leaves nothing in doubt once it is back', async () => {
    const workers = Array.from({ length: 4 }, () => client());
    let id = 1000;
    let stop = false;
    const outcomes: Completion[] = [];
    const loops = workers.map(async (c) => {
      while (!stop) {
        const n = id++;
        // Accounts n and n + 1 (mod 4) are on different participants.
        const r = await invoke(c, transfer(n, n % 4, (n + 1) % 4, 1));
        outcomes.push(r);
        if (r.type === 'info') return;
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    await cluster!.faults.kill('c1');
    stop = true;
    await Promise.all(loops);
    await cluster!.faults.restart('c1');
    const r = await invoke(client(), { f: 'final-read', value: null });
    assert.equal(r.type, 'ok', JSON.stringify(r));
    const final = (r.value as { participants: Record<string, ParticipantFinalRead> }).participants;
    assert.deepEqual([final.p1.prepared, final.p2.prepared], [[], []]);
    assert.ok(outcomes.filter((o) => o.type === 'ok').length > 0, 'transfers were committing when the coordinator was killed');
    // Every transfer is at both participants or at neither; money is conserved.
    const at = (p: string) => new Set(final[p].markers.filter((m) => m >= 1000));
    assert.deepEqual([...at('p1')].sort(), [...at('p2')].sort());
    const total = [final.p1, final.p2].flatMap((p) => Object.values(p.balances)).reduce((a, b) => a + b, 0);
    assert.equal(total, 400);
  });
});

// ---- the acceptance runs ---------------------------------------------------------------------------------------

const store = mkdtempSync(join(tmpdir(), 'faultline-pg-2pc-'));
/** The correct mode's claim, on two seeds; how often each bug is caught over many is bench/detect-docker.ts's. */
const SEEDS = [1, 2];

/** One `faultline run` on real containers, in process; it must leave nothing behind. */
async function run(fields: Record<string, unknown>): Promise<RunOutcome> {
  const def = parseDefinition({ runtime: 'docker', target: 'pg-2pc', workload: 'bank', store, ...fields }, builtinRegistry().definitions());
  const outcome = await runTest(def);
  assert.deepEqual(await runResources(process.pid), { containers: [], networks: [] }, 'the run removed its containers and network');
  return outcome;
}

type TwoPc = Extract<CheckerResult, { checker: '2pc' }>;
const twoPc = (r: RunOutcome): TwoPc => {
  assert.equal(r.check.checker, '2pc');
  return r.check as TwoPc;
};
/** What the nemesis did: the completion of each of its pairs (the begin has no value and no error). */
const nemesisOps = (h: readonly Op[]) => nemesisPairs(h).flatMap((p) => p.complete ?? []);
const summary = (c: TwoPc) => `valid ${String(c.valid)}; ${JSON.stringify(c.counts)}; anomalies ${JSON.stringify(c.anomalyCounts)}`;

describe('pg-2pc target (docker): the acceptance runs', function () {
  this.timeout(600_000);

  for (const seed of SEEDS) {
    it(`bank under kill,partition is valid (seed ${seed})`, async () => {
      const r = await run({ seed, nemesis: 'kill,partition', timeLimit: 30 });
      const c = twoPc(r);
      assert.equal(r.valid, true, `${summary(c)}\n${r.report}`);
      assert.ok(c.finalRead, 'the final read answered');
      assert.ok(c.counts.ok >= 100, `transfers committed: ${c.counts.ok} ok`);
      const faults = nemesisOps(r.history);
      assert.ok(faults.some((o) => o.f === 'start-kill') && faults.some((o) => o.f === 'start-partition'), faults.map((o) => o.f).join(','));
      for (const o of faults) assert.equal(o.error, undefined, `${o.f}: ${String(o.error)}`);
    });
  }

  /**
   * Each bug, the nemesis that exposes it, and the anomaly the checker must name. no-decision-log needs a kill to
   * land between two COMMIT PREPARED calls, a few milliseconds: only about one kill in four or five does, so it
   * gets a kill every 4 s (not 5, nor 3: see docs/pg-2pc.md) and 20 processes, so that more transfers are between
   * their two commits when it lands. Each is run until caught, within a budget of test time in runs of 30 s. Measured
   * per 30 s run (bench/detect-docker.ts): no-decision-log with 5 processes 4 of 5 and 1 of 5 in two series, none of
   * 3 under the load of a concurrent test run; with 20 processes 4 of 5. It gets five runs.
   */
  const BUG_RUNS = [
    { bug: 'no-decision-log', nemesis: 'kill:primary', interval: 4, concurrency: 20, anomaly: 'partial-commit', budget: 150 },
    { bug: 'no-recovery', nemesis: 'kill:primary', interval: 5, concurrency: 5, anomaly: 'in-doubt-left', budget: 90 },
    { bug: 'commit-before-all-prepared', nemesis: 'partition:random', interval: 5, concurrency: 5, anomaly: 'partial-commit', budget: 120 },
  ] as const;

  for (const { bug, nemesis, interval, concurrency, anomaly, budget } of BUG_RUNS) {
    it(`--bug ${bug} is caught (${anomaly}) by ${nemesis} every ${interval} s within ${budget} s of runs`, async () => {
      const r = await untilCaught((seed, timeLimit) => run({ seed, bug, concurrency, nemesis: { faults: nemesis, interval }, timeLimit }), {
        perRun: 30,
        budget,
        describe: (x) => summary(twoPc(x)),
      });
      const c = twoPc(r);
      assert.ok(c.anomalyCounts[anomaly] > 0, `invalid, but no ${anomaly}: ${summary(c)}`);
    });
  }
});
