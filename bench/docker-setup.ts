/**
 * Setup and teardown of real clusters in the Docker runtime: from nothing to serving clients (network, containers,
 * servers up, a leader elected where there is one) and from stop() to nothing left. Goal: ≤ 5 s to set up 5 nodes.
 * Runs each target several times and prints min / median / max.
 *
 *   node dist/bench/docker-setup.js [rounds]
 */
import { DockerRuntime } from '../harness/runtimes/docker/runtime.js';
import { builtinLocalImage, builtinRegistry } from '../harness/builtins.js';

const rounds = Number(process.argv[2] ?? 5);
const cases: [target: string, nodes: number][] = [
  ['raft-kv', 5],
  ['redis-replicated', 5],
  ['redis', 1],
  ['postgres', 1],
];

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const f = (x: number) => (x / 1000).toFixed(2);
  return `min ${f(s[0])} s, median ${f(s[Math.floor(s.length / 2)])} s, max ${f(s[s.length - 1])} s`;
};

const DOCKER_TARGETS = builtinRegistry().dockerTargets();

for (const [target, nodes] of cases) {
  if (!DOCKER_TARGETS.has(target)) continue;
  const setup: number[] = [];
  const teardown: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const runtime = new DockerRuntime(DOCKER_TARGETS, { images: 'auto', local: builtinLocalImage() });
    const t0 = performance.now();
    const cluster = await runtime.start(target, { nodes, seed: i });
    setup.push(performance.now() - t0);
    const t1 = performance.now();
    await cluster.stop();
    teardown.push(performance.now() - t1);
  }
  console.log(`${target}, ${nodes} node${nodes > 1 ? 's' : ''}, ${rounds} rounds: setup ${stats(setup)}; teardown ${stats(teardown)}`);
}
