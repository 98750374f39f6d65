import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExternalNode } from '../../../harness/config/cluster-spec.js';
import { UsageError } from '../../../harness/errors.js';
import { ExecMethod, execHooksOf, type ExecHooks } from '../../../harness/runtimes/external/exec-hooks.js';
import { FaultJournal, JOURNAL_FILE, pendingFaults } from '../../../harness/runtimes/external/journal.js';

/*
 * The exec method with real shells running real commands. The "cluster" here is a directory: a fault's command
 * makes an entry (mkdir fails if it is already there, rmdir if it is not), so what the directory holds is exactly
 * what is in force, and a heal that undid something twice, or something never made, fails the test. The real
 * partition, with iptables in containers, is test/docker/exec-hooks.test.ts.
 */

const nodes: ExternalNode[] = ['n1', 'n2', 'n3'].map((name, i) => ({ name, host: `${name}.example`, ip: `10.0.0.${i + 1}`, port: 6379 }));

function setup(hooks: (dir: string) => ExecHooks, o: { timeoutMs?: number; nodes?: ExternalNode[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-exec-'));
  const { journal } = FaultJournal.open(dir);
  const log: string[] = [];
  const method = new ExecMethod({ nodes: o.nodes ?? nodes, journal, log: (l) => log.push(l) }, hooks(dir), { timeoutMs: o.timeoutMs });
  const state = () => readdirSync(dir).filter((f) => f !== JOURNAL_FILE).sort();
  return { dir, journal, log, method, state };
}

/** Whether a process runs (a killed one nobody has reaped yet is a zombie, 'Z' in /proc: not running). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('exec hooks: the method', () => {
  it('partitions per node and peer, replaces pair by pair, and heals exactly what it made', async () => {
    const { dir, method, state, log } = setup((d) => ({
      partition: { exec: `mkdir ${d}/{node}-drops-{peer_node}-{peer}`, heal: `rmdir ${d}/{node}-drops-{peer_node}-{peer}` },
    }));
    assert.equal(method.kill, undefined, 'only the kinds given commands exist');
    await method.partition!({ n1: ['n2', 'n3'], n2: ['n1'], n3: [] });
    assert.deepEqual(state(), ['n1-drops-n2-10.0.0.2', 'n1-drops-n3-10.0.0.3', 'n2-drops-n1-10.0.0.1']);
    // The pair that stays is not made again (mkdir would fail); the others are undone.
    await method.partition!({ n1: ['n2'], n3: ['n2'] });
    assert.deepEqual(state(), ['n1-drops-n2-10.0.0.2', 'n3-drops-n2-10.0.0.2']);
    assert.equal(pendingFaults(dir).pending.length, 2);
    await method.healNet!();
    assert.deepEqual(state(), []);
    assert.deepEqual(pendingFaults(dir).pending, []);
    assert.ok(log.includes(`exec n1 partition: $ mkdir ${dir}/n1-drops-n2-10.0.0.2`));
    assert.ok(log.includes('exec n1 partition heal: exit 0'));
  });

  it('runs once per node with {peers} and {grudge} when the template names no single peer', async () => {
    const { dir, method, state } = setup((d) => ({
      partition: { exec: `printf '%s,' {peers} > ${d}/{node}.peers && printf '%s' {grudge} > ${d}/{node}.grudge`, heal: `rm ${d}/{node}.peers ${d}/{node}.grudge` },
    }));
    const grudge = { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] };
    await method.partition!(grudge);
    assert.deepEqual(state(), ['n1.grudge', 'n1.peers', 'n2.grudge', 'n2.peers', 'n3.grudge', 'n3.peers']);
    assert.equal(readFileSync(join(dir, 'n1.peers'), 'utf8'), '10.0.0.2,10.0.0.3,');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'n2.grudge'), 'utf8')), grudge);
    await method.partition!({});
    assert.deepEqual(state(), []);
  });

  it('journals a fault before its command runs, with its rendered heal', async () => {
    // The kill succeeds only if its record is already in the journal when the command runs.
    const { dir, method } = setup((d) => ({
      kill: { exec: `grep -q '"kind":"kill","nodes":\\["n2"\\]' ${d}/${JOURNAL_FILE}`, heal: `touch ${d}/{node}-restarted` },
    }));
    await method.kill!('n2');
    const [entry] = pendingFaults(dir).pending;
    assert.deepEqual(entry.undo, [{ method: 'exec', command: `touch ${dir}/n2-restarted` }]);
    await method.restart!('n2');
    assert.ok(existsSync(join(dir, 'n2-restarted')));
    assert.deepEqual(pendingFaults(dir).pending, []);
  });

  it('kills and restarts with crash-loop’s commands when only those are given; a kill without heal restarts by itself', async () => {
    const loop = setup((d) => ({ 'crash-loop': { exec: `mkdir ${d}/{node}`, heal: `rmdir ${d}/{node}` } }));
    await loop.method.kill!('n1');
    assert.deepEqual(loop.state(), ['n1']);
    assert.equal(pendingFaults(loop.dir).pending[0].kind, 'crash-loop');
    await loop.method.restart!('n1');
    assert.deepEqual(loop.state(), []);

    const pod = setup((d) => ({ kill: { exec: `mkdir ${d}/{node}` } }));
    await pod.method.kill!('n3');
    await pod.method.restart!('n3');
    assert.deepEqual(pod.state(), ['n3']);
    assert.deepEqual(pendingFaults(pod.dir).pending, []);
  });

  it('pauses and resumes', async () => {
    const { method, state } = setup((d) => ({ pause: { exec: `mkdir ${d}/{node}-paused`, heal: `rmdir ${d}/{node}-paused` } }));
    await method.pause!('n1');
    await method.pause!('n2');
    assert.deepEqual(state(), ['n1-paused', 'n2-paused']);
    await method.resume!('n1');
    assert.deepEqual(state(), ['n2-paused']);
  });

  it('gives latency as netem’s middle and jitter, loss as p and percent, each replacing what its nodes had', async () => {
    const { dir, method, state } = setup((d) => ({
      latency: { exec: `mkdir ${d}/{node}-delay-{ms}-{jitter}`, heal: `rmdir ${d}/{node}-delay-{ms}-{jitter}` },
      loss: { exec: `mkdir ${d}/{node}-loss-{p}-{percent}`, heal: `rmdir ${d}/{node}-loss-{p}-{percent}` },
    }));
    await method.slow!(['n1', 'n2'], { min: 50, max: 150 });
    await method.lose!(['n3'], 0.1);
    assert.deepEqual(state(), ['n1-delay-100-50', 'n2-delay-100-50', 'n3-loss-0.1-10']);
    await method.slow!(['n1'], { min: 10, max: 10 });
    assert.deepEqual(state(), ['n1-delay-10-0', 'n2-delay-100-50', 'n3-loss-0.1-10']);
    await method.healNet!();
    assert.deepEqual(state(), []);
    assert.deepEqual(pendingFaults(dir).pending, []);
  });

  it('fails with the kind, node, exit status and stderr’s last line, and logs the output line by line', async () => {
    const { dir, method, log } = setup(() => ({ kill: { exec: `echo trying {node}; echo first >&2; echo 'pod "{node}" not found' >&2; exit 3` } }));
    await assert.rejects(method.kill!('n2'), (e: Error) => {
      assert.match(e.message, /^exec n2 kill: .* exited with status 3: pod "n2" not found$/);
      return true;
    });
    assert.ok(log.includes('exec n2 kill: stdout| trying n2'));
    assert.ok(log.includes('exec n2 kill: stderr| first'));
    assert.ok(log.includes('exec n2 kill: exited with status 3'));
    // It may have done part of its work: it stays in the journal, for the restart (or `faultline heal`) to undo.
    assert.equal(pendingFaults(dir).pending.length, 1);
  });

  it('stops a partition at a node’s first failing command, and heals what was made', async () => {
    const { method, state } = setup((d) => ({
      partition: { exec: `[ {peer_node} != n3 ] && mkdir ${d}/{node}-{peer_node}`, heal: `rmdir ${d}/{node}-{peer_node}` },
    }));
    await assert.rejects(method.partition!({ n1: ['n3', 'n2'], n2: ['n1'] }), /exec n1 partition: .* exited with status 1/);
    // n1's second pair was not tried; n2's, on a node of its own, was made.
    assert.deepEqual(state(), ['n2-n1']);
    // The failed pair is in force as far as we know: its heal is tried, and fails (nothing was made), like any heal.
    await assert.rejects(method.healNet!(), /exec n1 partition heal: 'rmdir .*n1-n3' exited with status 1/);
    assert.deepEqual(state(), []);
  });

  it('kills a command that outlives its time-out, and what it started', async () => {
    const { dir, method } = setup((d) => ({ kill: { exec: `sleep 60 & echo $! > ${d}/sleeper; wait` } }), { timeoutMs: 300 });
    await assert.rejects(method.kill!('n1'), /exec n1 kill: .* timed out after 0.3 s and was killed/);
    const sleeper = Number(readFileSync(join(dir, 'sleeper'), 'utf8'));
    assert.equal(running(sleeper), false, 'the background sleep was killed with its shell');
  });

  it('refuses an unknown placeholder when made, before any run', () => {
    assert.throws(
      () => setup(() => ({ partition: { exec: 'iptables -A INPUT -s {peer_ip} -j DROP', heal: 'iptables -F' } })),
      (e: Error) => e instanceof UsageError && /exec hook for partition: unknown placeholder \{peer_ip\}/.test(e.message),
    );
  });

  it('takes the hooks from the test’s methods, leaving SSH and Docker kinds alone', () => {
    assert.deepEqual(execHooksOf({ kill: 'ssh', pause: 'docker', partition: { exec: 'a {peers}', heal: 'b' } }), { partition: { exec: 'a {peers}', heal: 'b' } });
  });

  it('writes no secret of the nodes to the journal or run.log', async () => {
    const secret = 'p4ss-w0rd-9c1e';
    process.env.FAULTLINE_TEST_NODE_PASSWORD = secret;
    try {
      const withPasswords = nodes.map((n) => ({ ...n, user: 'admin', password: { env: 'FAULTLINE_TEST_NODE_PASSWORD' } }));
      const { dir, method, log } = setup(
        (d) => ({
          partition: { exec: `mkdir ${d}/{node}-{peer_node}`, heal: `rmdir ${d}/{node}-{peer_node}` },
          kill: { exec: `mkdir ${d}/{node}-{host}-{ip}-{port}`, heal: `rmdir ${d}/{node}-{host}-{ip}-{port}` },
        }),
        { nodes: withPasswords },
      );
      await method.partition!({ n1: ['n2'] });
      await method.kill!('n3');
      const written = readFileSync(join(dir, JOURNAL_FILE), 'utf8') + log.join('\n');
      assert.ok(written.includes('n3.example'), 'the journal and the log were written');
      assert.ok(!written.includes(secret));
    } finally {
      delete process.env.FAULTLINE_TEST_NODE_PASSWORD;
    }
  });
});
