import { execFile } from 'node:child_process';
import { chownSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../harness/runtimes/docker/ports.js';
import { PgSession } from '../../targets/postgres/session.js';
import { executable, removeDir, startProcess, tail, tempDir, userIds, type HostProcess } from './host-process.js';

/**
 * Real servers on loopback for the external runtime's tests: redis-server (data server and Sentinel), PostgreSQL,
 * and faultline's own raft-kv node processes, each on a free port, each with a `stop()` that ends its process
 * group and removes its directory. `.ci/setup` installs redis-server and postgresql; without them these fail.
 */

export interface Endpoint {
  host: string;
  port: number;
}

export interface HostServer extends Endpoint {
  readonly process: HostProcess;
  /** `host:port`. */
  readonly address: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** A server on a free port: chosen, then bound by the server, so another process may take it in between; then again. */
async function onFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (e) {
      if (attempt >= 3 || !/address already in use|EADDRINUSE/i.test((e as Error).message)) throw e;
    }
  }
}

function server(process: HostProcess, port: number, dir: string): HostServer {
  return {
    host: HOST,
    port,
    address: `${HOST}:${port}`,
    process,
    async stop() {
      await process.stop();
      removeDir(dir);
    },
  };
}

// ---- Redis ------------------------------------------------------------------------------------------------------

export interface RedisServerOptions {
  /** `requirepass` (and `masterauth`, for a replica of a server with the same password). */
  password?: string;
  /** Replicate this server (`replicaof`). */
  replicaOf?: Endpoint;
  /** More `--name value` arguments. */
  args?: readonly string[];
}

const redisServer = () => executable('redis-server');

/** A redis-server on a free loopback port, nothing persisted. */
export function startRedis(o: RedisServerOptions = {}): Promise<HostServer> {
  const bin = redisServer();
  return onFreePort(async (port) => {
    const dir = tempDir('redis');
    const args = ['--port', String(port), '--bind', HOST, '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
    // A primary starts a full sync at once rather than waiting 5 s for more replicas to join it.
    args.push('--repl-diskless-sync-delay', '0');
    if (o.password !== undefined) args.push('--requirepass', o.password, '--masterauth', o.password);
    if (o.replicaOf) args.push('--replicaof', o.replicaOf.host, String(o.replicaOf.port));
    args.push(...(o.args ?? []));
    try {
      const p = await startProcess({ name: `redis-server on ${HOST}:${port}`, command: bin, args, cwd: dir, ready: /Ready to accept connections/ });
      return server(p, port, dir);
    } catch (e) {
      removeDir(dir);
      throw e;
    }
  });
}

export interface SentinelOptions {
  /** The primary to monitor, under `master` (default mymaster). */
  monitor: Endpoint;
  master?: string;
  quorum: number;
  /** The data servers' password (`sentinel auth-pass`). */
  authPass?: string;
  /** The sentinel's own password (`requirepass` in sentinel.conf). */
  password?: string;
}

/** `redis-server --sentinel` on a free loopback port, its configuration (which Sentinel rewrites) in its directory. */
export function startSentinel(o: SentinelOptions): Promise<HostServer> {
  const bin = redisServer();
  const master = o.master ?? 'mymaster';
  return onFreePort(async (port) => {
    const dir = tempDir('sentinel');
    const conf = join(dir, 'sentinel.conf');
    const lines = [
      `port ${port}`,
      `bind ${HOST}`,
      'protected-mode no',
      `dir ${dir}`,
      `sentinel monitor ${master} ${o.monitor.host} ${o.monitor.port} ${o.quorum}`,
      `sentinel down-after-milliseconds ${master} 1000`,
      `sentinel failover-timeout ${master} 3000`,
      ...(o.authPass === undefined ? [] : [`sentinel auth-pass ${master} ${o.authPass}`]),
      ...(o.password === undefined ? [] : [`requirepass ${o.password}`]),
    ];
    writeFileSync(conf, lines.join('\n') + '\n');
    try {
      const p = await startProcess({ name: `sentinel on ${HOST}:${port}`, command: bin, args: [conf, '--sentinel'], cwd: dir, ready: /Sentinel ID is|\+monitor master/ });
      return server(p, port, dir);
    } catch (e) {
      removeDir(dir);
      throw e;
    }
  });
}

// ---- PostgreSQL -------------------------------------------------------------------------------------------------

export interface PostgresServerOptions {
  /** The superuser initdb makes (default postgres). */
  user?: string;
  /** Its password: with one, TCP logins need it (scram-sha-256); without, they are trusted. */
  password?: string;
  /** A database to create besides `postgres`. */
  database?: string;
}

/** Debian's PostgreSQL keeps its programs out of PATH, in /usr/lib/postgresql/<version>/bin: the newest there. */
function pgBin(name: string): string {
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    // not Debian's layout: PATH
  }
  return executable(name, versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
}

/**
 * PostgreSQL will not run as root: as root, the server runs as the postgres user (setpriv), in a directory it owns.
 * As anyone else, as that user.
 */
function asServerUser(): { prefix: string[]; owner?: { uid: number; gid: number } } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const owner = userIds('postgres');
  return { prefix: [executable('setpriv'), `--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups', '--'], owner };
}

/** Runs a program to its end; rejects with the last of its output if it fails. */
async function run(name: string, command: string, args: readonly string[], cwd: string): Promise<void> {
  try {
    await promisify(execFile)(command, args, { cwd });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${name} failed: ${tail(err.stderr || err.message)}`);
  }
}

/**
 * A PostgreSQL cluster of its own (initdb in a temporary directory) on a free loopback port; its Unix socket in that
 * directory too, so it touches nothing of the machine's.
 */
export async function startPostgres(o: PostgresServerOptions = {}): Promise<HostServer & { user: string; database: string }> {
  const initdb = pgBin('initdb');
  const postgres = pgBin('postgres');
  const { prefix, owner } = asServerUser();
  const user = o.user ?? 'postgres';
  const dir = tempDir('postgres', owner);
  const data = join(dir, 'data');
  try {
    const args = ['-D', data, '-U', user, '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'];
    if (o.password !== undefined) {
      const pwfile = join(dir, 'pwfile');
      writeFileSync(pwfile, `${o.password}\n`, { mode: 0o600 });
      if (owner) chownSync(pwfile, owner.uid, owner.gid);
      args.push('--auth-host=scram-sha-256', '--auth-local=trust', `--pwfile=${pwfile}`);
    } else {
      args.push('--auth=trust');
    }
    const [cmd, ...pre] = [...prefix, initdb];
    await run('initdb', cmd, [...pre, ...args], dir);
    const started = await onFreePort(async (port) => {
      const settings = [`port=${port}`, `listen_addresses=${HOST}`, `unix_socket_directories=${dir}`, 'max_connections=100', 'shared_buffers=16MB', 'jit=off'];
      const [command, ...before] = [...prefix, postgres];
      const p = await startProcess({
        name: `postgres on ${HOST}:${port}`,
        command,
        args: [...before, '-D', data, ...settings.flatMap((s) => ['-c', s])],
        cwd: dir,
        ready: /database system is ready to accept connections/,
      });
      return { port, p };
    });
    const s = { ...server(started.p, started.port, dir), user, database: o.database ?? 'postgres' };
    // SIGINT: PostgreSQL's fast shutdown (SIGTERM waits for clients to leave).
    s.stop = async () => {
      await started.p.stop('SIGINT');
      removeDir(dir);
    };
    if (o.database !== undefined && o.database !== 'postgres') await createDatabase(s, o.database, o.password);
    return s;
  } catch (e) {
    removeDir(dir);
    throw e;
  }
}

async function createDatabase(s: HostServer & { user: string }, name: string, password: string | undefined): Promise<void> {
  const session = new PgSession({ host: s.host, port: s.port, application: 'test-setup', connectTimeoutMs: 5000, queryTimeoutMs: 10_000, settings: {}, user: s.user, password });
  try {
    await session.one((sql) => sql.unsafe(`CREATE DATABASE ${JSON.stringify(name)}`));
  } finally {
    session.close();
  }
}

// ---- raft-kv ------------------------------------------------------------------------------------------------------

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface RaftNodes {
  /** The nodes by id, as `faultline node raft-kv --id` names them. */
  readonly nodes: readonly (Endpoint & { id: string; process: HostProcess })[];
  stop(): Promise<void>;
}

/**
 * `n` `faultline node raft-kv` processes (ids n1…nn) on free loopback ports, peers of each other, each with a data
 * directory of its own: the cluster a user of `--runtime external --target raft-kv` runs.
 */
export async function startRaftNodes(n = 3, o: { bug?: string } = {}): Promise<RaftNodes> {
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const ports = new Map<string, number>();
  for (const id of ids) ports.set(id, await freePort());
  const dir = tempDir('raft');
  const started: (Endpoint & { id: string; process: HostProcess })[] = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.process.stop()));
    removeDir(dir);
  };
  try {
    for (const id of ids) {
      const peers = ids.filter((p) => p !== id).map((p) => `${p}=${HOST}:${ports.get(p)}`).join(',');
      const args = [join(ROOT, 'bin/faultline.js'), 'node', 'raft-kv', '--id', id, '--listen', `${HOST}:${ports.get(id)}`, '--peers', peers, '--data-dir', join(dir, id)];
      if (o.bug !== undefined) args.push('--bug', o.bug);
      const p = await startProcess({ name: `raft-kv node ${id}`, command: process.execPath, args, cwd: ROOT, ready: /listening on/ });
      started.push({ id, host: HOST, port: ports.get(id)!, process: p });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { nodes: started, stop };
}
