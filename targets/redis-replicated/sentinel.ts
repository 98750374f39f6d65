import { createHash } from 'node:crypto';
import type { ContainerContext } from '../../harness/runtimes/docker/target.js';
import { dataDir, durableArgs, REDIS_PORT, serverBinary } from '../redis/server.js';

export const SENTINEL_PORT = 26379;
/** The name the sentinels monitor the primary under, and clients ask them for, unless the `master` option says another. */
export const MASTER_NAME = 'mymaster';

/** The master name of a run: the `master` option (the name the user's sentinels monitor), else MASTER_NAME. */
export function masterName(options: Readonly<Record<string, unknown>>): string {
  return typeof options.master === 'string' ? options.master : MASTER_NAME;
}

/**
 * Fast failover, for a test that lasts seconds: a primary silent for 1 s is subjectively down, and a failover that
 * stalls is retried after 3 s. Replicas resynchronise with a new primary one at a time.
 */
export const SENTINEL_TIMING = { downAfterMs: 1000, failoverTimeoutMs: 3000, parallelSyncs: 1 } as const;

/** Sentinels that must agree the primary is down: a majority, so an isolated minority never starts a failover. */
export function quorum(nodes: number): number {
  return Math.floor(nodes / 2) + 1;
}

/** The first node is the primary at start; the others replicate it. */
export function initialPrimary(ctx: ContainerContext): string {
  return ctx.nodes[0];
}

/** A sentinel's run id (40 hex digits), fixed per node so that its peers can be told about it in advance. */
export function sentinelId(node: string): string {
  return createHash('sha1').update(`faultline-sentinel-${node}`).digest('hex');
}

/**
 * A node's Sentinel configuration. Sentinel rewrites this file as it learns (epochs, the current primary, its
 * peers), so it is written once, at the first start: a node restarted after a kill comes back with what its
 * sentinel knew. Each sentinel announces the node's address on the run's network, the one its peers reach.
 *
 * The replicas and the other sentinels are written in as already known (the lines Sentinel itself writes when it
 * rewrites its file): left to discover them through hello messages every 2 s and INFO every 10 s, a cluster took
 * about 12 s to be ready; told, it is ready once the replicas have synchronised.
 */
export function sentinelConf(ctx: ContainerContext, node: string): string[] {
  const m = masterName(ctx.options);
  const primary = initialPrimary(ctx);
  return [
    `port ${SENTINEL_PORT}`,
    'protected-mode no',
    `dir ${dataDir(ctx.flavour)}`,
    `sentinel announce-ip ${ctx.ips[node]}`,
    `sentinel announce-port ${SENTINEL_PORT}`,
    `sentinel monitor ${m} ${ctx.ips[initialPrimary(ctx)]} ${REDIS_PORT} ${quorum(ctx.nodes.length)}`,
    `sentinel down-after-milliseconds ${m} ${SENTINEL_TIMING.downAfterMs}`,
    `sentinel failover-timeout ${m} ${SENTINEL_TIMING.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${m} ${SENTINEL_TIMING.parallelSyncs}`,
    `sentinel myid ${sentinelId(node)}`,
    ...ctx.nodes.filter((n) => n !== primary).map((n) => `sentinel known-replica ${m} ${ctx.ips[n]} ${REDIS_PORT}`),
    ...ctx.nodes.filter((n) => n !== node).map((n) => `sentinel known-sentinel ${m} ${ctx.ips[n]} ${SENTINEL_PORT} ${sentinelId(n)}`),
  ];
}

/**
 * The server's role, in a file of its own: Sentinel persists every role change it makes with CONFIG REWRITE, as
 * in a real deployment, so a node killed and started again comes back with the role Sentinel last gave it rather
 * than its role at the start. Everything else is on the command line.
 */
export function roleConf(ctx: ContainerContext, node: string): string[] {
  const primary = initialPrimary(ctx);
  return node === primary ? ['# the primary at start'] : [`replicaof ${ctx.ips[primary]} ${REDIS_PORT}`];
}

/** Words the shell takes as they are: every value here is an address, a number, a path or a fixed word. */
function quoted(line: string): string {
  if (line.includes("'")) throw new Error(`unexpected quote in a configuration line: ${line}`);
  return `'${line}'`;
}

function writeOnce(file: string, lines: readonly string[]): string {
  return `test -f ${file} || printf '%s\\n' ${lines.map(quoted).join(' ')} > ${file}`;
}

/**
 * The node's command, for `sh -c`: both processes of a node in one container (so a kill, a pause or a partition
 * of the node hits both). Sentinel runs in the background; the data server is the container's main process.
 */
export function nodeScript(ctx: ContainerContext, node: string): string {
  const dir = dataDir(ctx.flavour);
  const bin = serverBinary(ctx.flavour);
  // A primary waits 5 s (repl-diskless-sync-delay) for more replicas before a full sync by default: at the start
  // and after every failover, the replicas would trail for that long.
  const args = [...durableArgs(dir), '--replica-announce-ip', ctx.ips[node], '--repl-diskless-sync-delay', '0'];
  return [
    'set -e',
    `mkdir -p ${dir}`,
    writeOnce(`${dir}/sentinel.conf`, sentinelConf(ctx, node)),
    writeOnce(`${dir}/redis.conf`, roleConf(ctx, node)),
    `${bin} ${dir}/sentinel.conf --sentinel &`,
    `exec ${bin} ${dir}/redis.conf ${args.join(' ')}`,
  ].join('\n');
}
