import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { nemesisPairs } from '../../checkers/history/nemesis-pairs.js';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { removeLeftovers } from '../../harness/runtimes/docker/cleanup.js';
import { faultlineContainer, probeClient } from '../../harness/runtimes/docker/node-process.js';
import { LOGS_DIR } from '../../harness/runtimes/external/cluster.js';
import { JOURNAL_FILE } from '../../harness/runtimes/external/journal.js';
import { shellQuote } from '../../harness/runtimes/external/ssh/process-scripts.js';
import { PORT } from '../../targets/raft-kv/docker.js';
import { raftReady } from '../../targets/raft-kv/ready.js';
import { faultlineAsync, startFaultline } from '../support/cli.js';
import { docker, eventually, LOCAL } from '../support/docker.js';
import { startSshCluster, type SshCluster } from '../support/ssh-cluster.js';

/*
 * A whole `faultline run --runtime external` as a user with root on their nodes runs it: three machines (containers
 * of the local image on a private network), each running sshd and a `faultline node raft-kv` started at boot, the
 * peers named by their network addresses; the harness reaches the raft ports and sshd only through the loopback.
 * Partitions, kills and pauses are all made over SSH (iptables, SIGKILL and the start command, SIGSTOP/SIGCONT),
 * journaled in the run, healed, and the nodes' logs copied into it — at the end of a run, and when Ctrl-C stops it
 * with a partition in force.
 */

const NODES = ['n1', 'n2', 'n3'];
const LOG = '/var/log/raft.log';
/** What the user's start command is: a script on each node that runs its node program, as an init script would. */
const START = '/usr/local/bin/raft-node';
/** The node's command line (the wrapper script execs it: the pattern matches the server, not the script). */
const PATTERN = 'faultline.js node raft-kv';
const KINDS = ['partition', 'kill', 'pause'];

/** The node program as the Docker runtime runs it: this repository, bound read-only into the machine. */
function program(name: string, ips: Readonly<Record<string, string>>) {
  const peers = NODES.filter((p) => p !== name).map((p) => `${p}=${ips[p]}:${PORT}`).join(',');
  return faultlineContainer(LOCAL.tag, ['node', 'raft-kv', '--id', name, '--listen', `0.0.0.0:${PORT}`, '--peers', peers, '--data-dir', '/var/lib/raft'], PORT, undefined);
}

/** Writes the node's start script, and runs it in the background (its output to the log the run copies). */
function server(name: string, ips: Readonly<Record<string, string>>): string {
  return [
    `cat > ${START} <<'EOF'`,
    '#!/bin/sh',
    `exec ${program(name, ips).cmd.map(shellQuote).join(' ')} >>${LOG} 2>&1`,
    'EOF',
    `chmod +x ${START}`,
    `${START} </dev/null &`,
  ].join('\n');
}

interface Op {
  process: number | string;
  type: string;
  f: string;
  value?: unknown;
  error?: string;
}

const jsonLines = <T>(path: string): T[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

/** The run's faults as its journal has them: those applied, and the ids healed. */
function journalOf(dir: string): { applied: { id: string; kind: string }[]; healed: Set<string> } {
  const journal = jsonLines<{ id: string; kind?: string; healed?: true }>(join(dir, JOURNAL_FILE));
  const applied = journal.filter((e): e is { id: string; kind: string } => e.kind !== undefined);
  return { applied, healed: new Set(journal.filter((e) => e.healed).map((e) => e.id)) };
}

/** The machines as `--nodes` names them: reached on the loopback, known to their peers by their network address. */
function nodesOf(cluster: SshCluster) {
  return cluster.machines.map((m) => ({ name: m.name, host: '127.0.0.1', port: m.ports.get(PORT)!, ip: m.ip, ssh: { port: m.sshPort } }));
}

/** `faultline run --runtime external` over SSH, every fault kind by SSH; `more` adds the nemesis, time and store. */
function runArgs(cluster: SshCluster, more: string[]): string[] {
  const ssh = { user: 'root', key: { file: cluster.keyFile }, process: { pattern: PATTERN, start: START }, logs: [LOG] };
  return [
    'run', '--runtime', 'external', '--target', 'raft-kv',
    '--nodes', JSON.stringify(nodesOf(cluster)),
    '--faults', JSON.stringify({ partition: 'ssh', kill: 'ssh', pause: 'ssh' }),
    '--ssh', JSON.stringify(ssh),
    ...more, '--quiet',
  ];
}

/** The faultline rules in a machine's iptables (`-A FAULTLINE-IN …`), none when it is whole. */
async function faultRules(cluster: SshCluster, node: string): Promise<string[]> {
  return (await cluster.inside(node, 'iptables -S')).split('\n').filter((l) => /^-A FAULTLINE-\S+ /.test(l));
}

/**
 * The cluster is whole again: on each machine one node process, running (not stopped), and no faultline rule left;
 * every node answers the harness, and a leader serves a read.
 */
async function assertWhole(cluster: SshCluster): Promise<void> {
  for (const n of NODES) {
    // pgrep run directly, not by sh -c: a shell whose command line holds the pattern would match it too.
    const { output, exitCode } = await cluster.machine(n).container.exec(['pgrep', '-f', '--', PATTERN]);
    assert.equal(exitCode, 0, `${n}: no node process`);
    const pids = output.trim().split('\n');
    assert.equal(pids.length, 1, `${n}: node processes ${pids.join(' ')}`);
    assert.doesNotMatch(await cluster.inside(n, `ps -o stat= -p ${pids[0]}`), /^\s*T/, `${n}'s node is still stopped`);
    assert.deepEqual(await faultRules(cluster, n), [], `${n} keeps faultline rules`);
  }
  const endpoints = Object.fromEntries(nodesOf(cluster).map((n) => [n.name, `127.0.0.1:${n.port}`]));
  const probe = probeClient(endpoints);
  try {
    await raftReady(probe, NODES, endpoints, Date.now() + 20_000);
  } finally {
    await probe.close();
  }
}

describe('faultline run --runtime external: raft-kv on machines the harness logs into, SSH faults', function () {
  this.timeout(180_000);
  const runId = `xssh${randomBytes(3).toString('hex')}`;
  let cluster: SshCluster;

  before(async function () {
    this.timeout(300_000);
    const mounts = program('n1', {}).mounts;
    cluster = await startSshCluster({ runId, names: NODES, server, ports: [PORT], mounts });
  });

  after(async () => {
    await cluster?.close();
    await removeLeftovers(docker, { runId });
  });

  it('partitions, kills and pauses over SSH, stays valid, heals every fault and copies each node’s log', async () => {
    const store = join(cluster.dir, 'store');
    const r = await faultlineAsync(runArgs(cluster, ['--nemesis', KINDS.join(','), '--nemesis-interval', '3', '--time-limit', '12', '--seed', '11', '--store', store]));
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    const dir = realpathSync(join(store, 'latest'));
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { valid: unknown };
    assert.equal(results.valid, true);

    // Each kind was in force, and undone, as the history says (a fault the method could not make carries `error`).
    // Each begun (no value) and completed (what was done): the completions say whether it was in force.
    const nemesis = nemesisPairs(jsonLines<Op>(join(dir, 'history.jsonl'))).flatMap((p) => p.complete ?? []);
    for (const kind of KINDS) {
      const starts = nemesis.filter((o) => o.f === `start-${kind}`);
      const stops = nemesis.filter((o) => o.f === `stop-${kind}`);
      assert.ok(starts.length >= 1, `no start-${kind} in the history`);
      assert.equal(stops.length, starts.length, `${kind}: ${starts.length} starts, ${stops.length} stops`);
      for (const o of [...starts, ...stops]) assert.equal(o.error, undefined, `${o.f} failed: ${o.error}`);
    }

    // The journal has every fault applied, each healed.
    const { applied, healed } = journalOf(dir);
    for (const kind of KINDS) assert.ok(applied.some((e) => e.kind === kind), `no ${kind} in ${JOURNAL_FILE}`);
    assert.deepEqual(applied.filter((e) => !healed.has(e.id)), [], 'faults journaled and never healed');

    // Each node's log, copied at the end: a killed node's shows it started again.
    const killed = new Set(nemesis.filter((o) => o.f === 'start-kill').flatMap((o) => o.value as string[]));
    assert.ok(killed.size >= 1);
    for (const n of NODES) {
      const file = join(dir, LOGS_DIR, n, LOG);
      assert.ok(existsSync(file), `${n}'s ${LOG} was not copied`);
      const starts = readFileSync(file, 'utf8').match(/^listening on 0\.0\.0\.0:7000$/gm)?.length ?? 0;
      assert.ok(starts >= (killed.has(n) ? 2 : 1), `${n} started ${starts} times (killed: ${killed.has(n)})`);
    }

    await assertWhole(cluster);
  });

  it('Ctrl-C with a partition in force: heals it, copies each node’s log, and exits 130', async () => {
    const store = join(cluster.dir, 'store-sigint');
    // Partitions of the leader only, long ones (quiet for 20 s, then in force for 20 s): the run is caught in one.
    const cli = startFaultline(runArgs(cluster, ['--nemesis', 'partition:primary', '--nemesis-interval', '40', '--time-limit', '120', '--seed', '12', '--store', store]));
    let signalled = false;
    try {
      const dir = await eventually('the run directory', 60_000, async () => {
        const test = existsSync(store) ? readdirSync(store).find((n) => n !== 'latest' && !n.startsWith('.')) : undefined;
        const runs = test === undefined ? [] : readdirSync(join(store, test));
        return runs.length === 1 ? join(store, test!, runs[0]) : undefined;
      });
      // The journal has the partition before it is made: then the rules themselves, on every machine (the leader
      // drops the others, they drop it), with the journal still saying it is in force.
      await eventually('a partition in force', 60_000, async () => {
        if (!existsSync(join(dir, JOURNAL_FILE))) return undefined;
        const { applied, healed } = journalOf(dir);
        if (!applied.some((e) => e.kind === 'partition' && !healed.has(e.id))) return undefined;
        for (const n of NODES) if ((await faultRules(cluster, n)).length === 0) return undefined;
        return true;
      });
      process.kill(cli.pid, 'SIGINT');
      signalled = true;
      const r = await cli.done;
      assert.equal(r.code, 130, `${r.stderr}\n${r.stdout}`);
      assert.match(r.stderr, /^faultline: SIGINT: tearing down /m);

      // The nemesis never got to heal it: what healed it is the teardown the signal ran.
      const nemesis = jsonLines<Op>(join(dir, 'history.jsonl')).filter((o) => o.process === 'nemesis');
      assert.ok(nemesis.some((o) => o.f === 'start-partition'), 'no start-partition in the history');
      assert.deepEqual(nemesis.filter((o) => o.f === 'stop-partition'), [], 'the nemesis healed the partition itself, before the signal');
      const { applied, healed } = journalOf(dir);
      assert.ok(applied.length >= 1);
      assert.deepEqual(applied.filter((e) => !healed.has(e.id)), [], 'faults journaled and never healed');

      // run.log says so: each machine's last iptables change is the flush of faultline's chains.
      const runLog = readFileSync(join(dir, 'run.log'), 'utf8');
      for (const n of NODES) {
        const changes = runLog.match(new RegExp(`ssh: ${n}: iptables: .*`, 'g')) ?? [];
        assert.ok(changes.length >= 2, `${n}: iptables changes in run.log: ${changes.join(' / ')}`);
        assert.equal(changes[changes.length - 1], `ssh: ${n}: iptables: flush faultline chains: exit 0`);
      }
      // Healed first, then recorded: the run's results say it was interrupted, and run.log ends with that.
      const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { status: string; reason: string };
      assert.deepEqual([results.status, results.reason], ['interrupted', 'SIGINT']);
      assert.match(runLog.trimEnd().split('\n').pop()!, /ERROR the run was interrupted: SIGINT$/);
      for (const n of NODES) {
        const file = join(dir, LOGS_DIR, n, LOG);
        assert.ok(existsSync(file), `${n}'s ${LOG} was not copied`);
        assert.match(readFileSync(file, 'utf8'), /^listening on 0\.0\.0\.0:7000$/m);
      }
      await assertWhole(cluster);
    } finally {
      // A failure before the signal must not leave the run going (and its partition standing) for the next test.
      if (!signalled) {
        process.kill(cli.pid, 'SIGINT');
        await cli.done;
      }
    }
  });
});
