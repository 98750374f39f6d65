import { describeError } from '../../harness/errors.js';
import type { ClusterView, ContainerSpec, DockerTarget, TargetSession } from '../../harness/runtimes/docker/target.js';
import { endpointsOf, faultlineContainer, NODE_PROGRAM_IMAGE, probeClient } from '../../harness/runtimes/docker/node-process.js';
import { pollUntil } from '../../harness/runtimes/docker/poll.js';
import { connectClient, type ProcessClient } from '../../harness/hosting/client.js';
import { sessionOptions } from '../postgres/client.js';
import { PORT as PG_PORT, postgresContainer, untilServing } from '../postgres/docker.js';
import { POSTGRES_IMAGE } from '../postgres/image.js';
import { PgSession, type Sql, type Statement } from '../postgres/session.js';
import { BANK_OPERATIONS, bankClient } from './client.js';
import { accountsOf, BUGS, COORDINATOR, COORDINATOR_PORT, DEFAULT_PARTICIPANTS, INITIAL_BALANCE, participantNames } from './protocol.js';

/** The coordinator's data directory, in its container's own filesystem: a kill and start of the container keep it. */
export const DATA_DIR = '/data';
const PROBE_TIMEOUT_MS = 500;

/** The participants' schema, created by ready() on each (idempotent: a restarted run keeps its data). */
const schema = (sql: Sql): Statement[] => [
  sql`CREATE TABLE IF NOT EXISTS accounts (id int PRIMARY KEY, balance int NOT NULL)`,
  sql`CREATE TABLE IF NOT EXISTS markers (txid int PRIMARY KEY)`,
];

/** Participant names of a cluster's nodes (every node but the coordinator). */
const participantsOf = (nodes: readonly string[]) => nodes.filter((n) => n !== COORDINATOR);

/**
 * Two-phase commit over real PostgreSQL servers: n participants p1…pn (PREPARE TRANSACTION, durable), and a
 * coordinator c1 (`faultline coordinator pg-2pc`, from the repository bound into its container) with a decision
 * log on its own disk. The bank workload's transfers move money between accounts on different participants, each
 * one distributed transaction; c1 is the primary, so `kill:primary` crashes the coordinator and
 * `partition:primary` cuts it off from every participant. See docs/pg-2pc.md.
 */
export const pg2pc: DockerTarget<'participant' | 'coordinator'> = {
  name: 'pg-2pc',
  description: 'two-phase commit: a coordinator process over PostgreSQL participants (bugs: no-decision-log, commit-before-all-prepared, no-recovery)',
  bugs: Object.keys(BUGS),
  defaultNodes: DEFAULT_PARTICIPANTS,
  operations: BANK_OPERATIONS,
  images: { participant: POSTGRES_IMAGE, coordinator: NODE_PROGRAM_IMAGE },
  nodeIds: (n) => [COORDINATOR, ...participantNames(n > 0 ? n : DEFAULT_PARTICIPANTS)],
  containers({ nodes, flavour, image, ips, bug }) {
    const specs: Record<string, ContainerSpec> = {};
    const participants = participantsOf(nodes);
    for (const p of participants) specs[p] = postgresContainer(image('participant'), flavour);
    const list = participants.map((p) => `${p}=${ips[p]}:${PG_PORT}`).join(',');
    specs[COORDINATOR] = faultlineContainer(
      image('coordinator'),
      ['coordinator', 'pg-2pc', '--id', COORDINATOR, '--listen', `0.0.0.0:${COORDINATOR_PORT}`, '--participants', list, '--data-dir', DATA_DIR],
      COORDINATOR_PORT,
      bug,
    );
    return specs;
  },
  async ready(view, deadline) {
    const participants = participantsOf(view.nodes);
    await Promise.all(participants.map((p, i) => untilServing(view, p, deadline).then(() => createSchema(view, p, i, participants.length))));
    const probe = probeClient(coordinatorEndpoint(view));
    try {
      // The coordinator recovers (it waits for every participant) before it says so.
      await pollUntil(
        deadline,
        async () => {
          const reply = await probe.request(COORDINATOR, { type: 'status' }, PROBE_TIMEOUT_MS);
          if (reply?.recovered === true) return undefined;
          return `the coordinator ${reply ? 'is still recovering' : `does not answer on ${coordinatorEndpoint(view)[COORDINATOR]}`}`;
        },
        100,
      );
    } finally {
      await probe.close();
    }
  },
  async open(view): Promise<TargetSession> {
    const participants = participantsOf(view.nodes);
    const clients = new Set<ProcessClient>();
    return {
      client(process) {
        const pc = connectClient(`bank-${process}`, coordinatorEndpoint(view));
        clients.add(pc);
        const client = bankClient(pc, participants);
        return {
          invoke: (op, done) => client.invoke(op, done),
          close() {
            clients.delete(pc);
            client.close();
          },
        };
      },
      // The coordinator is the one node whose loss or isolation stops every transfer.
      primaries: async () => [COORDINATOR],
      async close() {
        await Promise.all([...clients].map((c) => c.close()));
        clients.clear();
      },
    };
  },
};

/** The tables, and this participant's accounts at INITIAL_BALANCE each (accounts already there are left alone). */
async function createSchema(view: ClusterView, node: string, index: number, count: number): Promise<void> {
  const session = new PgSession(sessionOptions(view.endpoint(node, PG_PORT), 'setup'));
  const accounts = accountsOf(index, count).map((id) => ({ id, balance: INITIAL_BALANCE }));
  try {
    await session.batch((sql) => [...schema(sql), sql`INSERT INTO accounts ${sql(accounts, 'id', 'balance')} ON CONFLICT (id) DO NOTHING`]);
  } catch (e) {
    throw new Error(`participant ${node}: creating the schema: ${describeError(e)}`);
  } finally {
    session.close();
  }
}

/** The coordinator's endpoint from the harness's side, the one node clients and the probe talk to. */
const coordinatorEndpoint = (view: ClusterView) => endpointsOf(view, [COORDINATOR], COORDINATOR_PORT);
