import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Op } from '../../checkers/history/op.js';
import { nemesisPairs } from '../../checkers/history/nemesis-pairs.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import { runTest } from '../../harness/api.js';
import { type RunOutcome } from '../../harness/run.js';
import { LABELS } from '../../harness/runtimes/docker/labels.js';
import { docker, eventually, LOCAL, removeByPid, runIdOf, runResources } from '../support/docker.js';
import { untilCaught } from '../support/detect.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');
const store = mkdtempSync(join(tmpdir(), 'faultline-docker-runs-'));

/** The acceptance runs, in process, on real containers; each must leave nothing behind. */
async function run(fields: Record<string, unknown>): Promise<RunOutcome> {
  const def = parseDefinition({ runtime: 'docker', store, seed: 1, ...fields }, builtinRegistry().definitions());
  const outcome = await runTest(def);
  assert.deepEqual(await runResources(process.pid), { containers: [], networks: [] }, 'the run removed its containers and network');
  return outcome;
}

/** What the nemesis did: the completion of each of its pairs (each begun, with no value, just before). */
const nemesisOps = (h: readonly Op[]) =>
  nemesisPairs(h).map(({ begin, complete }) => {
    assert.equal(begin.value, null, `${begin.f} begins with no value`);
    assert.equal(complete?.f, begin.f, `${begin.f} completed`);
    return complete!;
  });

describe('docker runtime: the acceptance runs on real servers', function () {
  this.timeout(300_000);

  it('redis under pause and kill is valid, and every fault is recorded with its exact targets', async () => {
    const r = await run({ target: 'redis', nemesis: 'pause,kill', timeLimit: 20 });
    assert.equal(r.valid, true, r.report);
    const faults = nemesisOps(r.history);
    const kinds = new Set(faults.map((o) => o.f));
    assert.ok(kinds.has('start-pause') && kinds.has('stop-pause') && kinds.has('start-kill') && kinds.has('stop-kill'), [...kinds].join(','));
    for (const o of faults) {
      assert.deepEqual(o.value, ['n1'], `${o.f} names the node it hit`);
      assert.equal(o.error, undefined, `${o.f} was inflicted: ${String(o.error)}`);
    }
    assert.ok(r.stats.ops.ok > 100, `the clients got work done: ${r.stats.ops.ok} ok`);
  });

  it('postgres under kill is valid', async () => {
    const r = await run({ target: 'postgres', nemesis: 'kill', timeLimit: 15 });
    assert.equal(r.valid, true, r.report);
    assert.ok(nemesisOps(r.history).some((o) => o.f === 'start-kill' && o.error === undefined));
  });

  it('postgres with --bug read-committed is caught (lost updates of cas) within 45 s of runs', async () => {
    await untilCaught((seed, timeLimit) => run({ target: 'postgres', bug: 'read-committed', nemesis: 'none', seed, timeLimit }), { perRun: 15, budget: 45 });
  });

  it('raft-kv nodes in containers are valid under iptables partitions and kills', async () => {
    const r = await run({ target: 'raft-kv', nemesis: 'partition,kill', timeLimit: 30 });
    assert.equal(r.valid, true, r.report);
    const faults = nemesisOps(r.history);
    const partitions = faults.filter((o) => o.f === 'start-partition');
    assert.ok(partitions.length >= 2 && faults.some((o) => o.f === 'start-kill'), faults.map((o) => o.f).join(','));
    for (const o of faults) assert.equal(o.error, undefined, `${o.f}: ${String(o.error)}`);
    // A partition is recorded as the grudge itself: who drops whom.
    assert.ok(partitions.every((o) => typeof o.value === 'object' && !Array.isArray(o.value) && Object.values(o.value as object).some((a) => (a as string[]).length > 0)));
  });

  it('redis-replicated with Sentinel loses acknowledged writes when a partition isolates the primary', async () => {
    // `partition` draws a shape each cycle (every 5 s); on 3 nodes 7 draws in 18 leave the primary with the
    // majority, and nothing is lost. A 30 s run has about 6 cycles, so it misses the primary about once in 300.
    const r = await untilCaught((seed, timeLimit) => run({ target: 'redis-replicated', workload: 'set', nemesis: 'partition', seed, timeLimit }), { perRun: 30, budget: 90 });
    const check = r.check as unknown as { checker: string; lost: unknown[] };
    assert.equal(check.checker, 'set');
    assert.ok(check.lost.length > 0, 'acknowledged adds were lost');
  });
});

/** Starts `faultline run` on docker as a child process (its own pid labels what it creates). */
function startRun(args: string[]): { child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>; store: string } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-docker-signal-'));
  const child = spawn(process.execPath, [bin, 'run', '--runtime', 'docker', '--store', dir, '--quiet', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exit, store: dir };
}

function historyLines(storeDir: string): number {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name === 'history.jsonl') found.push(join(d, e.name));
    }
  };
  walk(storeDir);
  return found.reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').filter(Boolean).length, 0);
}

describe('docker runtime: cleanup you can trust', function () {
  this.timeout(180_000);
  const children: ChildProcess[] = [];
  // Whatever a failed test's runs left (only theirs: other runs on this engine are none of our business).
  after(async () => {
    children.forEach((c) => c.kill('SIGKILL'));
    for (const c of children) await removeByPid(c.pid);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} in the middle of a run removes every container and the network, and keeps the history`, async () => {
      const { child, exit, store: dir } = startRun(['--target', 'raft-kv', '--nemesis', 'partition', '--nemesis-interval', '2', '--time-limit', '120']);
      children.push(child);
      await eventually('the cluster to start', 60_000, async () => ((await runResources(child.pid)).containers.length === 5 ? true : undefined));
      // Into the main phase: ops are being recorded.
      await eventually('ops in the history', 60_000, async () => (historyLines(dir) > 50 ? true : undefined));
      child.kill(signal);
      const done = await exit;
      assert.equal(done.code, code, done.stderr);
      assert.match(done.stderr, new RegExp(`${signal}: tearing down`));
      assert.deepEqual(await runResources(child.pid), { containers: [], networks: [] });
      assert.ok(historyLines(dir) > 50, 'the history written so far is kept');
      // Torn down first, then recorded: results.json says how the run ended, and run.log ends with it.
      const run = realpathSync(join(dir, 'latest'));
      const results = JSON.parse(readFileSync(join(run, 'results.json'), 'utf8')) as { valid: unknown; status: string; reason: string };
      assert.deepEqual([results.valid, results.status, results.reason], ['unknown', 'interrupted', signal]);
      assert.match(readFileSync(join(run, 'run.log'), 'utf8').trimEnd().split('\n').pop()!, new RegExp(`ERROR the run was interrupted: ${signal}$`));
      assert.match(readFileSync(join(dir, 'index.html'), 'utf8'), new RegExp(`Interrupted</span> <span class="reason">${signal}</span>`));
    });
  }

  it('SIGINT during setup removes what setup had created so far', async () => {
    const { child, exit, store: dir } = startRun(['--target', 'raft-kv', '--time-limit', '60']);
    children.push(child);
    await eventually('the first container', 60_000, async () => ((await runResources(child.pid)).containers.length > 0 ? true : undefined));
    child.kill('SIGINT');
    const done = await exit;
    assert.equal(done.code, 130, done.stderr);
    assert.deepEqual(await runResources(child.pid), { containers: [], networks: [] });
    // The run had not started, and is recorded all the same, with its (empty) history.
    const run = realpathSync(join(dir, 'latest'));
    assert.equal((JSON.parse(readFileSync(join(run, 'results.json'), 'utf8')) as { status: string }).status, 'interrupted');
    assert.equal(readFileSync(join(run, 'history.jsonl'), 'utf8'), '');
  });

  it('faultline cleanup removes what a SIGKILLed run left, and leaves live runs alone', async () => {
    const dead = startRun(['--target', 'raft-kv', '--time-limit', '120']);
    const alive = startRun(['--target', 'redis', '--time-limit', '120']);
    children.push(dead.child, alive.child);
    await eventually('both clusters', 90_000, async () => {
      const [d, a] = await Promise.all([runResources(dead.child.pid), runResources(alive.child.pid)]);
      return d.containers.length === 5 && a.containers.length === 1 ? true : undefined;
    });
    dead.child.kill('SIGKILL');
    await dead.exit;
    const left = await runResources(dead.child.pid);
    assert.equal(left.containers.length, 5, 'a SIGKILLed run cannot clean up: its containers are left');

    const r = spawnSync(process.execPath, [bin, 'cleanup'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // The engine may hold other dead runs too (an interrupted run of someone else's): cleanup removes those as well,
    // so what is asserted is that every one of the dead run's resources is named, and the live run is kept.
    for (const name of [...left.containers, ...left.networks]) assert.ok(r.stdout.includes(` ${name.replace(/^\//, '')}\n`), `${name} is named:\n${r.stdout}`);
    const [, containers, networks] = /removed (\d+) container\(s\) and (\d+) network\(s\)/.exec(r.stdout) ?? [];
    assert.ok(Number(containers) >= 5 && Number(networks) >= 1, r.stdout);
    assert.match(r.stdout, new RegExp(`kept the live run[^\\n]*${await runIdOf(alive.child.pid)}`));
    assert.deepEqual(await runResources(dead.child.pid), { containers: [], networks: [] });
    assert.equal((await runResources(alive.child.pid)).containers.length, 1, 'the live run keeps its container');

    alive.child.kill('SIGINT');
    assert.equal((await alive.exit).code, 130);
    assert.deepEqual(await runResources(alive.child.pid), { containers: [], networks: [] });
  });

  it('faultline cleanup keeps a run made on another host or pid namespace: its pid means nothing here', async () => {
    // One engine, two machines (a shared socket): the other machine's live run has a pid that is dead here.
    const runId = `foreign${process.pid}`;
    const labels = { [LABELS.run]: runId, [LABELS.pid]: '2147483646', [LABELS.origin]: 'elsewhere pid:[1]' };
    const c = await docker.createContainer({ Image: LOCAL.tag, Cmd: ['true'], name: `faultline-${runId}-n1`, Labels: labels });
    try {
      const r = spawnSync(process.execPath, [bin, 'cleanup'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`kept the run ${runId}, made elsewhere \\(elsewhere pid:\\[1\\]\\)`));
      assert.ok(!r.stdout.includes(`removed container faultline-${runId}-n1`), r.stdout);
      assert.equal((await c.inspect()).Name, `/faultline-${runId}-n1`, 'the container is still there');
      const byId = spawnSync(process.execPath, [bin, 'cleanup', '--run', runId], { encoding: 'utf8' });
      assert.match(byId.stdout, new RegExp(`removed container faultline-${runId}-n1`));
    } finally {
      await c.remove({ force: true }).catch(() => undefined);
    }
  });

  it('an unreachable Docker engine is a one-line error with exit 254', () => {
    const r = spawnSync(process.execPath, [bin, 'run', '--runtime', 'docker', '--target', 'redis', '--store', store], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    assert.equal(r.status, 254, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 2, r.stderr); // the run's header line, then the error
    assert.match(r.stderr, /cannot reach Docker/);
  });
});
