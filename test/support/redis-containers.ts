import { connect } from 'node:net';
import { GenericContainer, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { REDIS_PORT, serverBinary } from '../../targets/redis/server.js';
import { LOCAL } from './docker.js';

/*
 * Redis servers as a user of testcontainers starts them in their own tests: from the local image (there is no
 * registry here; Debian's redis-server in it), ports published where Docker chooses, no NET_ADMIN, no labels of ours.
 */

// testcontainers' reaper (Ryuk) is a registry image: off, as faultline's own runtime has it. Read at the first start.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

export function redisContainer(network?: StartedNetwork): GenericContainer {
  const c = new GenericContainer(LOCAL.tag)
    .withCommand([serverBinary('local'), '--port', String(REDIS_PORT), '--protected-mode', 'no', '--save', '', '--appendonly', 'no'])
    .withExposedPorts(REDIS_PORT)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'));
  return network ? c.withNetwork(network) : c;
}

/** Whether a Redis answers PING at host:port within `ms` (refused, silent or closed: false). */
export function ping(host: string, port: number, ms = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    let got = '';
    const s = connect(port, host);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (b) => {
      got += b.toString();
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
    s.on('error', () => done(false));
    s.on('close', () => done(false));
  });
}

/**
 * Whether `from`'s container reaches the Redis at `ip` over their network: redis-cli inside it, bounded by
 * `timeout`. The probe prints its answer and exits 0 either way, so a probe that cannot run fails the test rather
 * than passing for "unreachable".
 */
export async function reaches(from: StartedTestContainer, ip: string): Promise<boolean> {
  const script = `if timeout 2 redis-cli -h ${ip} -p ${REDIS_PORT} PING 2>/dev/null | grep -q PONG; then echo yes; else echo no; fi`;
  const { output, exitCode } = await from.exec(['sh', '-c', script]);
  if (exitCode !== 0) throw new Error(`the probe in ${from.getName()} exited ${exitCode}: ${output}`);
  return output.trim() === 'yes';
}
