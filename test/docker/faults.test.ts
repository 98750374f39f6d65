import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { DockerCluster } from '../../harness/runtimes/docker/cluster.js';
import { LABELS, runFilter } from '../../harness/runtimes/docker/labels.js';
import { NODE_PROGRAM_IMAGE } from '../../harness/runtimes/docker/node-process.js';
import { localImages } from '../../harness/runtimes/docker/run-images.js';
import type { ClusterView, DockerTarget } from '../../harness/runtimes/docker/target.js';
import { docker, LOCAL, runResources } from '../support/docker.js';

const PORT = 7000;
/** A node that only accepts TCP connections (and says which node it is): enough to see what a fault cuts. */
const LISTENER = `require('net').createServer((s) => s.end(process.env.NODE_NAME)).listen(${PORT})`;

/** The smallest target: three listeners. The faults under test are the runtime's, not a system's. */
const listeners: DockerTarget<'node'> = {
  name: 'listeners',
  description: 'TCP listeners, for testing the runtime',
  bugs: [],
  defaultNodes: 3,
  operations: [],
  images: { node: NODE_PROGRAM_IMAGE },
  nodeIds: (n) => Array.from({ length: n }, (_, i) => `n${i + 1}`),
  containers: ({ nodes, image }) => Object.fromEntries(nodes.map((n) => [n, { image: image('node'), cmd: ['node', '-e', LISTENER], env: { NODE_NAME: n }, ports: [PORT] }])),
  async ready(view, deadline) {
    for (const n of view.nodes) {
      while ((await fromHost(view, n)) !== n) {
        if (Date.now() > deadline) throw new Error(`${n} does not answer`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  },
  open: async () => ({ client: () => ({ invoke: () => undefined, close: () => undefined }), close: async () => undefined }),
};

/** What a node answers to a connection from the harness, through its published port ('' if nothing within 1 s). */
function fromHost(view: ClusterView, node: string): Promise<string> {
  const { host, port } = view.endpoint(node, PORT);
  return new Promise((resolve) => {
    let got = '';
    const s = connect(port, host);
    const timer = setTimeout(() => (s.destroy(), resolve(got)), 1000);
    s.on('data', (b) => (got += b.toString()));
    s.on('close', () => (clearTimeout(timer), resolve(got)));
    s.on('error', () => undefined);
  });
}

/**
 * Whether `from` reaches `to` over the run's network (a connection from inside `from`'s container). The probe says
 * so on stdout and exits 0 either way: view.exec rejects on any other exit, so an exec that fails fails the test
 * rather than passing for "unreachable".
 */
async function reaches(cluster: DockerCluster, from: string, to: string): Promise<boolean> {
  const script = `let d=0;const done=(r)=>{if(!d++)process.stdout.write(r,()=>process.exit(0))};const s=require('net').connect(${PORT},'${ipOf(cluster, to)}');s.on('data',()=>done('yes'));s.on('error',()=>done('no'));setTimeout(()=>done('no'),700)`;
  return (await cluster.view.exec(from, ['node', '-e', script])) === 'yes';
}

const ips = new Map<string, string>();
function ipOf(cluster: DockerCluster, node: string): string {
  return ips.get(`${cluster.runId}/${node}`)!;
}

async function reachability(cluster: DockerCluster): Promise<string[]> {
  const out: string[] = [];
  for (const a of cluster.nodes) for (const b of cluster.nodes) if (a !== b && (await reaches(cluster, a, b))) out.push(`${a}→${b}`);
  return out;
}

describe('docker runtime: real faults on real containers', function () {
  this.timeout(120_000);
  let cluster: DockerCluster;

  before(async () => {
    cluster = await DockerCluster.start(docker, listeners, { nodes: 3, options: {}, images: localImages(listeners, LOCAL) });
    for (const n of cluster.nodes) {
      const info = await docker.getContainer(`faultline-${cluster.runId}-${n}`).inspect();
      ips.set(`${cluster.runId}/${n}`, Object.values(info.NetworkSettings.Networks)[0].IPAddress);
    }
  });
  after(async () => {
    await cluster?.stop();
  });

  it('starts every node on the run network, each at its own fixed address, labelled with the run', async () => {
    const containers = await docker.listContainers({ filters: runFilter(cluster.runId) });
    assert.equal(containers.length, 3);
    assert.deepEqual(new Set(containers.map((c) => c.Labels[LABELS.node])), new Set(['n1', 'n2', 'n3']));
    assert.deepEqual(await reachability(cluster), ['n1→n2', 'n1→n3', 'n2→n1', 'n2→n3', 'n3→n1', 'n3→n2']);
  });

  it('a partition drops exactly what the grudge names, and heal restores everything', async () => {
    await cluster.faults.partition({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
    assert.deepEqual(await reachability(cluster), ['n2→n3', 'n3→n2']);
    await cluster.faults.heal();
    assert.equal((await reachability(cluster)).length, 6);
  });

  it('a one-way grudge is one-way (n2 drops what n1 sends; n1 still hears n2)', async () => {
    await cluster.faults.partition({ n2: ['n1'] });
    // A TCP connection needs both ways, so test the rule itself: n2's chain drops n1's address, n1's is empty.
    const rules = (n: string) => cluster.view.exec(n, ['iptables', '-S', 'FAULTLINE-IN']);
    assert.match(await rules('n2'), new RegExp(`-A FAULTLINE-IN -s ${ipOf(cluster, 'n1')}/32 -j DROP`));
    assert.doesNotMatch(await rules('n1'), /DROP/);
    await cluster.faults.heal();
    assert.doesNotMatch(await rules('n2'), /DROP/);
  });

  it('kill is SIGKILL and restart brings the node back at the same address and port, with its partition', async () => {
    const before = cluster.nodes.map((n) => ipOf(cluster, n));
    await cluster.faults.partition({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
    await cluster.faults.kill('n1');
    const state = await docker.getContainer(`faultline-${cluster.runId}-n1`).inspect();
    assert.equal(state.State.Running, false);
    assert.equal(state.State.ExitCode, 137, 'killed by SIGKILL');
    await cluster.faults.restart('n1');
    const view = viewOf(cluster);
    for (let i = 0; i < 50 && (await fromHost(view, 'n1')) !== 'n1'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await fromHost(view, 'n1'), 'n1', 'the harness reaches it where it did before');
    const after = await docker.getContainer(`faultline-${cluster.runId}-n1`).inspect();
    assert.equal(Object.values(after.NetworkSettings.Networks)[0].IPAddress, before[0]);
    assert.deepEqual(await reachability(cluster), ['n2→n3', 'n3→n2'], 'the partition in force holds for the restarted node');
    await cluster.faults.heal();
    assert.equal((await reachability(cluster)).length, 6);
  });

  it('pause freezes the node (it answers nothing) and resume thaws it', async () => {
    const view = viewOf(cluster);
    await cluster.faults.pause('n2');
    assert.equal((await docker.getContainer(`faultline-${cluster.runId}-n2`).inspect()).State.Paused, true);
    assert.equal(await fromHost(view, 'n2'), '');
    await cluster.faults.resume('n2');
    assert.equal(await fromHost(view, 'n2'), 'n2');
  });

  it('a partition made while a node is paused reaches it when it resumes', async () => {
    await cluster.faults.pause('n3');
    await cluster.faults.partition({ n3: ['n1', 'n2'], n1: ['n3'], n2: ['n3'] });
    await cluster.faults.resume('n3');
    assert.deepEqual(await reachability(cluster), ['n1→n2', 'n2→n1']);
    await cluster.faults.heal();
  });

  it('packet loss is an iptables statistic rule both ways, removed by heal', async () => {
    await cluster.faults.lose(['n1'], 0.3);
    const rules = await cluster.view.exec('n1', ['iptables', '-S']);
    assert.match(rules, /-A FAULTLINE-IN -m statistic --mode random --probability 0\.(3|2999)\d* -j DROP/);
    assert.match(rules, /-A FAULTLINE-OUT -m statistic --mode random --probability 0\.(3|2999)\d* -j DROP/);
    await cluster.faults.heal();
    assert.doesNotMatch(await cluster.view.exec('n1', ['iptables', '-S']), /statistic/);
  });

  it('node-to-node latency is refused with a reason (no netem here), and no proxy stands in front without client faults', async () => {
    await assert.rejects(Promise.resolve(cluster.faults.slow()), /no node-to-node latency \(no netem in this kernel\); client-latency is the client-to-node latency/);
    assert.equal(cluster.faults.client, undefined);
  });

  it('stop removes every container and the network', async () => {
    const id = cluster.runId;
    await cluster.stop();
    assert.equal((await docker.listContainers({ all: true, filters: runFilter(id) })).length, 0);
    assert.equal((await docker.listNetworks({ filters: runFilter(id) })).length, 0);
    assert.deepEqual(await runResources(process.pid), { containers: [], networks: [] });
  });
});

function viewOf(cluster: DockerCluster): ClusterView {
  return cluster.view;
}
