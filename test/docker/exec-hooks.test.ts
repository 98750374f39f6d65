import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExternalNode } from '../../harness/config/cluster-spec.js';
import { imageExists } from '../../harness/runtimes/docker/images.js';
import { LABELS, runLabels } from '../../harness/runtimes/docker/labels.js';
import { ExecMethod, type ExecHooks } from '../../harness/runtimes/external/exec-hooks.js';
import { FaultJournal, pendingFaults } from '../../harness/runtimes/external/journal.js';
import { docker, eventually, LOCAL } from '../support/docker.js';

/*
 * Exec hooks making real faults: two Redis containers on a network of their own, cut apart by iptables run through
 * `docker exec` in the user's commands (as a user would with `kubectl exec` or `ssh`), and healed the same way.
 * Whether a node hears another is a real TCP connection and a PING, from inside the other container.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');
const childRun = join(root, 'dist/test/docker/support/exec-partition-run.js');

const hooks: ExecHooks = {
  partition: {
    exec: 'docker exec {container} iptables -w -A INPUT -s {peer} -j DROP',
    heal: 'docker exec {container} iptables -w -D INPUT -s {peer} -j DROP',
  },
  pause: { exec: 'docker pause {container}', heal: 'docker unpause {container}' },
};

/** Whether `from`'s container gets PONG from `to`'s Redis within 2 s. The probe itself must run: else the test fails. */
function hears(from: ExternalNode, to: ExternalNode): boolean {
  const r = spawnSync('docker', ['exec', from.container!, 'sh', '-c', `timeout 2 redis-cli -h ${to.ip} PING || echo unreachable`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `the probe from ${from.name} did not run: ${r.stderr}`);
  const answer = r.stdout.trim();
  assert.ok(answer === 'PONG' || answer.endsWith('unreachable'), `unexpected probe answer: ${answer}`);
  return answer === 'PONG';
}

/** Which links carry a PING, as `n1→n2`. */
function links(nodes: readonly ExternalNode[]): string[] {
  const out: string[] = [];
  for (const a of nodes) for (const b of nodes) if (a !== b && hears(a, b)) out.push(`${a.name}→${b.name}`);
  return out;
}

function dropRules(n: ExternalNode): string[] {
  const r = spawnSync('docker', ['exec', n.container!, 'iptables', '-w', '-S', 'INPUT'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.includes('DROP'));
}

describe('exec hooks: a real partition by iptables in containers, and faultline heal after kill -9', function () {
  this.timeout(180_000);
  const runId = `exec-${randomBytes(4).toString('hex')}`;
  const network = `faultline-${runId}`;
  let nodes: ExternalNode[] = [];

  before(async () => {
    assert.ok(await imageExists(docker, LOCAL.tag), `${LOCAL.tag} is not built: run \`faultline images build\``);
    await docker.createNetwork({ Name: network, Labels: runLabels(runId) });
    for (const name of ['n1', 'n2']) {
      const container = `faultline-${runId}-${name}`;
      const c = await docker.createContainer({
        name: container,
        Image: LOCAL.tag,
        Cmd: ['redis-server', '--protected-mode', 'no', '--save', '', '--appendonly', 'no'],
        Labels: { ...runLabels(runId), [LABELS.node]: name },
        HostConfig: { NetworkMode: network, CapAdd: ['NET_ADMIN'] },
      });
      await c.start();
      const ip = (await c.inspect()).NetworkSettings.Networks[network].IPAddress;
      nodes.push({ name, host: ip, ip, port: 6379, container });
    }
    for (const n of nodes) {
      await eventually(`${n.name}'s redis`, 30_000, async () => (spawnSync('docker', ['exec', n.container!, 'redis-cli', 'PING'], { encoding: 'utf8' }).stdout.trim() === 'PONG' ? true : undefined));
    }
    assert.deepEqual(links(nodes), ['n1→n2', 'n2→n1']);
  });

  after(async () => {
    // Only what this test made: its two containers and its network.
    for (const n of nodes) await docker.getContainer(n.container!).remove({ force: true }).catch(() => undefined);
    await docker.getNetwork(network).remove().catch(() => undefined);
    nodes = [];
  });

  it('cuts one way and both ways with iptables, heals rule by rule, and pauses and resumes a node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-exec-run-'));
    const { journal } = FaultJournal.open(dir);
    const log: string[] = [];
    const method = new ExecMethod({ nodes, journal, log: (l) => log.push(l) }, hooks);
    const [n1, n2] = nodes;

    // n1 drops what n2 sends: n2's connection to n1 never completes, and n1's to n2 has no answers to hear either.
    await method.partition!({ n1: ['n2'] });
    assert.deepEqual(dropRules(n1), [`-A INPUT -s ${n2.ip}/32 -j DROP`]);
    assert.deepEqual(dropRules(n2), []);
    assert.deepEqual(links(nodes), []);

    await method.partition!({ n1: ['n2'], n2: ['n1'] });
    assert.deepEqual(dropRules(n1), [`-A INPUT -s ${n2.ip}/32 -j DROP`], 'the rule in force is not added twice');
    assert.deepEqual(dropRules(n2), [`-A INPUT -s ${n1.ip}/32 -j DROP`]);
    assert.deepEqual(links(nodes), []);

    await method.healNet!();
    assert.deepEqual([...dropRules(n1), ...dropRules(n2)], []);
    assert.deepEqual(links(nodes), ['n1→n2', 'n2→n1']);

    await method.pause!('n2');
    assert.equal(hears(n1, n2), false, 'a paused Redis answers nothing');
    await method.resume!('n2');
    assert.deepEqual(links(nodes), ['n1→n2', 'n2→n1']);

    assert.deepEqual(pendingFaults(dir).pending, []);
    assert.ok(log.some((l) => l === `exec n1 partition: $ docker exec ${n1.container} iptables -w -A INPUT -s ${n2.ip} -j DROP`));
    assert.ok(log.includes('exec n2 partition heal: exit 0'));
    journal.close();
    await method.close();
  });

  it('leaves its partition in force when the run is killed with SIGKILL, and faultline heal undoes it from the journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-exec-run-'));
    const run = spawn(process.execPath, [childRun, dir, JSON.stringify({ nodes, hooks, grudge: { n1: ['n2'], n2: ['n1'] } })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    run.stdout.on('data', (b) => (out += b));
    run.stderr.on('data', (b) => (err += b));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => run.once('exit', (_, signal) => resolve(signal)));
    await eventually('the run to make its partition', 60_000, async () => {
      assert.equal(run.exitCode, null, `the run exited early: ${err}`);
      return out.includes('partitioned') ? true : undefined;
    });
    run.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    assert.deepEqual(links(nodes), [], 'the partition outlives the run');
    assert.equal(pendingFaults(dir).pending.length, 2);

    const heal = spawnSync(process.execPath, [bin, 'heal', dir], { encoding: 'utf8' });
    assert.equal(heal.status, 0, heal.stderr);
    assert.deepEqual(heal.stdout.trim().split('\n').sort(), ['healed f1 partition n1 n2', 'healed f2 partition n2 n1']);
    assert.deepEqual([...dropRules(nodes[0]), ...dropRules(nodes[1])], []);
    assert.deepEqual(links(nodes), ['n1→n2', 'n2→n1']);
    assert.match(readFileSync(join(dir, 'run.log'), 'utf8'), /heal f\d partition: \$ docker exec \S+ iptables -w -D INPUT -s \S+ -j DROP/);

    const again = spawnSync(process.execPath, [bin, 'heal', dir], { encoding: 'utf8' });
    assert.equal(again.status, 0);
    assert.equal(again.stdout, 'nothing to heal\n');
  });
});
