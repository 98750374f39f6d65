import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { StartedTestContainer } from 'testcontainers';
import { removeLeftovers } from '../../harness/runtimes/docker/cleanup.js';
import { imageExists } from '../../harness/runtimes/docker/images.js';
import { createRunNetwork } from '../../harness/runtimes/docker/network.js';
import { nodeContainer } from '../../harness/runtimes/docker/node-container.js';
import { freePort } from '../../harness/runtimes/docker/ports.js';
import { loadTestcontainers } from '../../harness/runtimes/docker/testcontainers.js';
import { docker, eventually, LOCAL } from './docker.js';

/*
 * Machines the harness does not own, as a user with root on their nodes has them: containers of the local image on
 * a private network, each running sshd (host keys made at boot, a key pair made here authorized for root) beside the
 * server under test, reached from the harness only through their published ports. The tests of the SSH fault method
 * and of whole `--runtime external` runs over SSH share this boot.
 */

/** One machine: its name, its address on the private network, and the loopback ports it is reached on. */
export interface SshMachine {
  name: string;
  /** Its address as its peers know it (what a partition cuts). */
  ip: string;
  sshPort: number;
  /** A server's port inside → its loopback port on the host. */
  ports: ReadonlyMap<number, number>;
  container: StartedTestContainer;
}

export interface SshClusterOptions {
  /** Labels every container and the network: `removeLeftovers(docker, { runId })` finds them. */
  runId: string;
  names: readonly string[];
  /**
   * Shell lines that start the server on one machine, run as root before sshd takes over as its first process (so
   * sshd reaps what a kill leaves); `ips` are every machine's addresses on the network, by name.
   */
  server(name: string, ips: Readonly<Record<string, string>>): string;
  /** Server ports published on the loopback, besides sshd's. */
  ports?: readonly number[];
  /** Host directories bound read-only into every machine: host path → path inside. */
  mounts?: Record<string, string>;
}

export interface SshCluster extends AsyncDisposable {
  readonly machines: readonly SshMachine[];
  /** A private key (ed25519, a file of mode 600) every machine authorizes for root. */
  readonly keyFile: string;
  /** A folder of the test's own, removed with the cluster. */
  readonly dir: string;
  machine(name: string): SshMachine;
  /** Runs `script` with sh inside a machine (not over SSH); fails the test unless it exits 0. */
  inside(name: string, script: string): Promise<string>;
  /** Removes the containers and network (by the run id) and the folder. */
  close(): Promise<void>;
}

/** The machine's boot: keys, the server, then sshd in the foreground as pid 1. */
function boot(server: string): string {
  return [
    'set -e',
    'mkdir -p /run/sshd /root/.ssh',
    'printf "%s\\n" "$AUTHORIZED_KEY" > /root/.ssh/authorized_keys',
    'chmod 700 /root/.ssh && chmod 600 /root/.ssh/authorized_keys',
    'ssh-keygen -A >/dev/null',
    server,
    'exec /usr/sbin/sshd -D -e',
  ].join('\n');
}

/**
 * Starts the machines and waits for every sshd's banner. On failure, what was made is removed before the error is
 * thrown; else `close` (or `await using`) removes them. A test whose `before` timed out before this returned removes
 * them with `removeLeftovers(docker, { runId })`.
 */
export async function startSshCluster(o: SshClusterOptions): Promise<SshCluster> {
  assert.ok(await imageExists(docker, LOCAL.tag), `${LOCAL.tag} (with openssh-server) is not built: run \`faultline images build\``);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-ssh-'));
  const keyFile = join(dir, 'id_ed25519');
  const dispose = async () => {
    await removeLeftovers(docker, { runId: o.runId });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const key = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'faultline-test' });
    writeFileSync(keyFile, key.private, { mode: 0o600 });
    const tc = await loadTestcontainers();
    const network = await createRunNetwork(tc, o.runId);
    const ips = Object.fromEntries(o.names.map((n, i) => [n, network.ip(i)]));
    const machines: SshMachine[] = [];
    for (const [i, name] of o.names.entries()) {
      const sshPort = await freePort();
      const ports = new Map<number, number>();
      for (const p of o.ports ?? []) ports.set(p, await freePort());
      const spec = { image: LOCAL.tag, cmd: ['sh', '-c', boot(o.server(name, ips))], env: { AUTHORIZED_KEY: key.public }, ports: [22, ...ports.keys()], mounts: o.mounts };
      const container = await nodeContainer(tc, { runId: o.runId, name, network, ip: network.ip(i), spec, ports: new Map([[22, sshPort], ...ports]), onCreated: () => undefined }).start();
      machines.push({ name, ip: network.ip(i), sshPort, ports, container });
    }
    for (const m of machines) await eventually(`sshd on ${m.name}`, 30_000, async () => ((await banner(m.sshPort)).startsWith('SSH-') ? true : undefined));
    const machine = (name: string) => {
      const m = machines.find((x) => x.name === name);
      assert.ok(m, `no machine ${name}`);
      return m;
    };
    return {
      machines,
      keyFile,
      dir,
      machine,
      async inside(name, script) {
        const { output, exitCode } = await machine(name).container.exec(['sh', '-c', script]);
        assert.equal(exitCode, 0, `${script} in ${name}: ${output}`);
        return output;
      },
      close: dispose,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** The first bytes a TCP server sends ('' if none within 1 s): sshd's version banner once it is up. */
export function banner(port: number): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const s = connect(port, '127.0.0.1');
    const done = () => (s.destroy(), resolve(got));
    const timer = setTimeout(done, 1000);
    s.on('data', (b) => ((got += b.toString()), clearTimeout(timer), done()));
    s.on('error', () => (clearTimeout(timer), done()));
  });
}
