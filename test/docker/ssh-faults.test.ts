import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { ExternalNode, SshSettings } from '../../harness/config/cluster-spec.js';
import { isUserError } from '../../harness/errors.js';
import { removeLeftovers } from '../../harness/runtimes/docker/cleanup.js';
import type { MethodContext } from '../../harness/runtimes/external/method.js';
import { SshMethod } from '../../harness/runtimes/external/ssh/method.js';
import { undoSsh } from '../../harness/runtimes/external/ssh/undo.js';
import { docker, eventually } from '../support/docker.js';
import { MemoryJournal, type JournalEntry } from '../support/memory-journal.js';
import { startSshCluster, type SshCluster } from '../support/ssh-cluster.js';

/*
 * The SSH fault method against machines it does not own: three containers of the local image on a private network,
 * each running sshd (host keys made at start, a key pair made here authorized for root) and a redis-server, reached
 * only through their published sshd ports. Every fault is seen from inside the cluster: a redis-cli PING from one
 * node to another answers, or does not.
 */

const REDIS_LOG = '/var/log/redis/redis.log';
const REDIS = `redis-server --daemonize yes --protected-mode no --save '' --appendonly no --logfile ${REDIS_LOG}`;
const NODES = ['n1', 'n2', 'n3'];

describe('ssh fault method: real faults over SSH on sshd+redis machines', function () {
  this.timeout(180_000);
  const runId = `ssh${randomBytes(3).toString('hex')}`;
  let cluster: SshCluster;
  let dir: string;
  let keyFile: string;
  let strangerKeyFile: string;
  let nodes: ExternalNode[];
  let settings: SshSettings;
  let journal: MemoryJournal;
  let log: string[];
  let method: SshMethod;

  const ctx = (): MethodContext => ({ nodes, journal, log: (line) => log.push(line) });

  before(async function () {
    this.timeout(300_000);
    // The machine: sshd as its first process (it reaps what is killed), redis beside it, as on a host.
    cluster = await startSshCluster({ runId, names: NODES, server: () => `mkdir -p /var/log/redis\n${REDIS}` });
    ({ dir, keyFile } = cluster);
    strangerKeyFile = join(dir, 'stranger_ed25519');
    writeFileSync(strangerKeyFile, ssh2.utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
    nodes = cluster.machines.map((m) => ({ name: m.name, host: '127.0.0.1', port: 6379, ip: m.ip, ssh: { port: m.sshPort } }));
    settings = { user: 'root', key: { file: keyFile }, process: { pattern: 'redis-server', start: REDIS }, logs: ['/var/log/redis/*.log', '/var/log/nothing-*.log'] };
    journal = new MemoryJournal();
    log = [];
    method = await SshMethod.open(ctx(), settings);
  });

  after(async () => {
    await method?.close();
    await cluster?.close();
    await removeLeftovers(docker, { runId });
  });

  /** Whether `from` gets PONG from `to`'s redis over the private network (redis-cli inside `from`, 2 s at most). */
  async function pings(from: string, to: string): Promise<boolean> {
    const ip = nodes.find((n) => n.name === to)!.ip!;
    const { output } = await cluster.machine(from).container.exec(['sh', '-c', `timeout 2 redis-cli -h ${ip} -p 6379 PING 2>&1; true`]);
    return output.trim() === 'PONG';
  }

  const inside = (node: string, script: string) => cluster.inside(node, script);

  const ipOf = (n: string) => nodes.find((x) => x.name === n)!.ip!;

  it('logs in to every node, and says what it can do: everything but latency', () => {
    assert.equal(method.name, 'ssh');
    for (const call of ['partition', 'lose', 'healNet', 'kill', 'restart', 'pause', 'resume', 'collectLogs'] as const) assert.equal(typeof method[call], 'function', call);
    assert.equal((method as { slow?: unknown }).slow, undefined, 'no netem here: no latency');
  });

  it('partitions n1 from n2 and n3 with iptables on the nodes, journaled first, and healNet heals it', async () => {
    assert.ok(await pings('n2', 'n1'));
    const before = journal.entries.length;
    await method.partition({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
    assert.equal(await pings('n2', 'n1'), false, 'n2 cannot reach n1');
    assert.equal(await pings('n1', 'n3'), false, 'nor n1 n3');
    assert.ok(await pings('n2', 'n3'), 'n2 and n3 still talk');
    assert.match(await inside('n1', 'iptables -S FAULTLINE-IN'), new RegExp(`-A FAULTLINE-IN -s ${ipOf('n2')}/32 -j DROP`));
    const entry = journal.last();
    assert.equal(journal.entries.length, before + 1);
    assert.equal(entry.kind, 'partition');
    assert.deepEqual([...entry.nodes].sort(), NODES);
    for (const step of entry.undo) {
      assert.equal(step.method, 'ssh');
      assert.match(step.method === 'ssh' ? step.script : '', /iptables -w -F FAULTLINE-IN/);
    }
    await method.healNet!();
    assert.ok(await pings('n2', 'n1'), 'healed');
    assert.ok(entry.healed);
    assert.doesNotMatch(await inside('n1', 'iptables -S FAULTLINE-IN'), /DROP/);
  });

  it('a new partition replaces the one in force (the chains are rewritten), and the old entry is healed', async () => {
    await method.partition({ n1: ['n2'], n2: ['n1'] });
    const first = journal.last();
    assert.equal(await pings('n2', 'n1'), false);
    await method.partition({ n1: ['n3'], n3: ['n1'] });
    assert.ok(await pings('n2', 'n1'), 'n1 hears n2 again');
    assert.equal(await pings('n3', 'n1'), false, 'and no longer hears n3');
    assert.ok(first.healed, 'the replaced partition is healed');
    assert.deepEqual(journal.open().map((e) => e.kind), ['partition']);
    await method.healNet!();
    assert.deepEqual(journal.open(), []);
    assert.ok(await pings('n3', 'n1'));
  });

  it('packet loss is a statistic rule (with p = 1 nothing gets through), undone by healNet', async () => {
    await method.lose!(['n1'], 1);
    assert.equal(journal.last().kind, 'loss');
    const rules = await inside('n1', 'iptables -S FAULTLINE-IN');
    assert.match(rules, /-m statistic --mode random --probability 1\.0+ -j DROP/);
    // The harness's own connection is spared, ahead of the loss: else the loss would cut the connection healNet needs.
    assert.match(rules, /-A FAULTLINE-IN -p tcp -m tcp --dport 22 -j RETURN\n-A FAULTLINE-IN -m statistic/);
    assert.equal(await pings('n2', 'n1'), false);
    await method.healNet!();
    assert.ok(await pings('n2', 'n1'));
    assert.deepEqual(journal.open(), []);
  });

  it('kill is SIGKILL of the server by pattern (not of the SSH session running pkill), restart starts it again', async () => {
    // pkill -f redis-server from a shell whose own command line held the pattern would kill that shell too, and the
    // command would fail with 137: it returns 0 because the script reaches the node's shell on stdin.
    await method.kill!('n1');
    const entry = journal.last();
    assert.equal(entry.kind, 'kill');
    assert.match(entry.undo[0].method === 'ssh' ? entry.undo[0].script : '', /redis-server --daemonize yes/);
    assert.equal(await pings('n2', 'n1'), false, 'nothing answers on n1');
    assert.equal((await cluster.machine('n1').container.exec(['pgrep', '-f', 'redis-server'])).exitCode, 1, 'no redis-server process on n1');
    await method.restart!('n1');
    await eventually('redis on n1 after restart', 20_000, async () => ((await pings('n2', 'n1')) ? true : undefined));
    assert.ok(entry.healed);
  });

  it('pause is SIGSTOP (a PING hangs until it times out), resume is SIGCONT', async () => {
    await method.pause!('n1');
    const entry = journal.last();
    assert.equal(entry.kind, 'pause');
    assert.match(await inside('n1', 'ps -o stat= -C redis-server'), /^T/m, 'stopped');
    assert.equal(await pings('n2', 'n1'), false);
    await method.resume!('n1');
    assert.ok(await pings('n2', 'n1'));
    assert.ok(entry.healed);
  });

  it('logs in again when a node dropped its connection, and goes on', async () => {
    // sshd's session process for the method's connection (the listener, pid 1, is `sshd: /usr/sbin/sshd`).
    await inside('n3', "pkill -f '[s]shd: root@' || true"); // [s]: not this sh -c, whose command line holds the pattern
    await method.partition({ n3: ['n1'], n1: ['n3'] });
    assert.equal(await pings('n1', 'n3'), false);
    await method.healNet!();
    assert.ok(await pings('n1', 'n3'));
    assert.ok(log.some((l) => /^ssh: n3: connection to root@127\.0\.0\.1:\d+ lost; the next command logs in again$/.test(l)));
  });

  it('collectLogs copies each node’s redis log into dir/<node>/<path>; a glob that matches nothing is noted', async () => {
    const logs = join(dir, 'logs');
    await method.collectLogs!(logs);
    for (const n of NODES) assert.match(readFileSync(join(logs, n, REDIS_LOG), 'utf8'), /Ready to accept connections/);
    assert.ok(log.some((l) => /n1: no file matches \/var\/log\/nothing-\*\.log/.test(l)), 'the empty glob is noted in run.log');
  });

  it('undoSsh heals, from the journal alone, a partition left by a method dropped without healing (a killed run)', async () => {
    const killedJournal = new MemoryJournal();
    const killed = await SshMethod.open({ nodes, journal: killedJournal, log: () => undefined }, settings);
    await killed.partition({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
    await killed.close();
    assert.equal(await pings('n2', 'n1'), false, 'the partition outlives the method');
    // What `faultline heal` has: the journal's text, nothing of the run.
    const [entry] = JSON.parse(JSON.stringify(killedJournal.open())) as JournalEntry[];
    for (const step of entry.undo) if (step.method === 'ssh') await undoSsh(step);
    assert.ok(await pings('n2', 'n1'));
    assert.ok(await pings('n3', 'n1'));
  });

  it('a key the nodes do not accept is a one-line usage error naming the node and the login, not the key', async () => {
    const e = await SshMethod.open(ctx(), { ...settings, key: { file: strangerKeyFile } }).then(
      () => assert.fail('logged in with a stranger’s key'),
      (err: unknown) => err,
    );
    assert.ok(isUserError(e), String(e));
    assert.equal(e.exitCode, 254);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, new RegExp(`^ssh: n\\d: cannot log in as root@127\\.0\\.0\\.1:\\d+: the server accepted none of the configured credentials`));
    assert.ok(!e.message.includes(readFileSync(strangerKeyFile, 'utf8').split('\n')[1]));
  });

  it('a pattern that matches no process is refused when the method opens', async () => {
    await assert.rejects(SshMethod.open(ctx(), { ...settings, process: { pattern: 'no-such-server', start: 'true' } }), (e: unknown) => {
      assert.ok(isUserError(e));
      assert.match(e.message, /^ssh: n\d: no process matches the server's pattern 'no-such-server'/);
      return true;
    });
  });

  it('checks host keys against knownHosts when given: the node’s own keys pass, another node’s are refused', async () => {
    const n1 = nodes[0];
    const hostKeys = async (n: string) => (await inside(n, 'cat /etc/ssh/ssh_host_*_key.pub')).trim().split('\n');
    const knownHosts = (keys: string[]) => {
      const file = join(dir, `known_hosts_${randomBytes(3).toString('hex')}`);
      writeFileSync(file, keys.map((k) => `[127.0.0.1]:${n1.ssh!.port} ${k}`).join('\n') + '\n');
      return file;
    };
    const one = { nodes: [n1], journal: new MemoryJournal(), log: () => undefined };
    const good = await SshMethod.open(one, { ...settings, knownHosts: knownHosts(await hostKeys('n1')) });
    await good.close();
    await assert.rejects(SshMethod.open(one, { ...settings, knownHosts: knownHosts(await hostKeys('n2')) }), (e: unknown) => {
      assert.ok(isUserError(e));
      assert.match(e.message, /^ssh: n1: cannot log in as root@127\.0\.0\.1:\d+: host key refused: its host key is not the one .* lists for \[127\.0\.0\.1\]:\d+/);
      return true;
    });
  });

  it('never writes the key to run.log', () => {
    const secret = readFileSync(keyFile, 'utf8').split('\n')[1];
    assert.ok(log.length > 0);
    assert.ok(log.every((l) => !l.includes(secret)));
  });
});
