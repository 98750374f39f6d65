import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUserError } from '../../harness/errors.js';
import { knownHostsCheck, namesHost } from '../../harness/runtimes/external/ssh/known-hosts.js';
import { connectConfig, sshLogin } from '../../harness/runtimes/external/ssh/login.js';
import { canKill, canPause, shellQuote, signalScript, startScript } from '../../harness/runtimes/external/ssh/process-scripts.js';

/*
 * The SSH fault method's parts that need no machine: how a node's login is made, how host keys are checked, and the
 * shell text it sends. The method itself runs against real sshd in test/docker/ssh-faults.test.ts.
 */

/** Runs a script as the SSH method does: on sh's stdin (with `sh -c`, pkill -f would match that shell's own command line). */
function sh(script: string): string {
  const r = spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('ssh fault method: logins, host keys and scripts', () => {
  describe('the login of a node', () => {
    it('is the settings’ at the node’s host on port 22, unless the node says otherwise', () => {
      const settings = { user: 'admin', key: { file: '/k' }, sudo: true };
      assert.deepEqual(sshLogin({ name: 'n1', host: '10.0.0.1' }, settings), { host: '10.0.0.1', port: 22, user: 'admin', key: { file: '/k' }, sudo: true });
      assert.deepEqual(sshLogin({ name: 'n1', host: '10.0.0.1', ssh: { host: '127.0.0.1', port: 2201, user: 'root' } }, { ...settings, port: 2222 }), {
        host: '127.0.0.1',
        port: 2201,
        user: 'root',
        key: { file: '/k' },
        sudo: true,
      });
      assert.equal(sshLogin({ name: 'n1', host: 'h' }, { user: 'u', port: 2222 }).port, 2222);
    });

    it('reads its secrets when it connects, and names the variable, not a value, when one is missing', () => {
      const name = `FAULTLINE_TEST_SSH_${randomBytes(4).toString('hex')}`;
      process.env[name] = 'hunter2\n';
      try {
        const { config } = connectConfig({ host: 'h', port: 22, user: 'u', password: { env: name } });
        assert.equal(config.password, 'hunter2\n', 'from the environment, as set');
      } finally {
        delete process.env[name];
      }
      assert.throws(
        () => connectConfig({ host: 'h', port: 22, user: 'u', key: { env: name } }),
        (e: unknown) => isUserError(e) && e.message === `ssh: key: environment variable ${name} is not set`,
      );
    });
  });

  describe('known_hosts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-known-hosts-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const keyA = Buffer.from('key-a').toString('base64');
    const keyB = Buffer.from('key-b').toString('base64');

    it('names hosts as OpenSSH does: lists, wildcards, negations, [host]:port, hashed names', () => {
      assert.ok(namesHost('db1,10.0.0.1', '10.0.0.1'));
      assert.ok(namesHost('10.0.0.*', '10.0.0.7'));
      assert.ok(!namesHost('10.0.0.*,!10.0.0.7', '10.0.0.7'));
      assert.ok(namesHost('[127.0.0.1]:2201', '[127.0.0.1]:2201'));
      assert.ok(!namesHost('[127.0.0.1]:2201', '127.0.0.1'));
      const salt = randomBytes(20);
      const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('db1').digest('base64')}`;
      assert.ok(namesHost(hashed, 'db1'));
      assert.ok(!namesHost(hashed, 'db2'));
    });

    it('accepts the key listed for the host, and says why it refuses any other', () => {
      const file = join(dir, 'known_hosts');
      writeFileSync(file, [`# a comment`, `[127.0.0.1]:2201 ssh-ed25519 ${keyA}`, `db1 ssh-ed25519 ${keyA}`, `@revoked * ssh-ed25519 ${keyB}`, ''].join('\n'));
      const n1 = knownHostsCheck(file, '127.0.0.1', 2201);
      assert.ok(n1.accepts(Buffer.from('key-a')));
      assert.ok(!n1.accepts(Buffer.from('key-c')));
      assert.match(n1.refusal, /is not the one .* lists for \[127\.0\.0\.1\]:2201/);
      assert.ok(!knownHostsCheck(file, 'db1', 22).accepts(Buffer.from('key-b')));
      const other = knownHostsCheck(file, 'db2', 22);
      assert.ok(!other.accepts(Buffer.from('key-a')));
      assert.match(other.refusal, /^db2 is not in /);
    });

    it('a file it cannot read is a one-line usage error', () => {
      assert.throws(
        () => knownHostsCheck(join(dir, 'absent'), 'h', 22),
        (e: unknown) => isUserError(e) && /^ssh: cannot read known_hosts file .*absent \(ENOENT\)$/.test(e.message),
      );
    });
  });

  describe('the server process’s scripts', () => {
    it('quotes any word for sh', () => {
      for (const w of [`it's`, 'a b', '$(rm -rf /)', '"x"', '\\', '']) assert.equal(sh(`printf %s ${shellQuote(w)}`), w);
    });

    it('signals by pattern with pkill (nothing matched is said, not failed), or by unit with systemctl', () => {
      assert.equal(signalScript({ pattern: `redis-server` }, 'KILL').split(';')[0], `pkill -KILL -f -- 'redis-server'`);
      assert.equal(signalScript({ unit: 'redis.service' }, 'STOP'), `systemctl kill -s STOP -- 'redis.service'`);
      // With a pattern no process has, the script succeeds and says so.
      assert.match(sh(signalScript({ pattern: `no-such-process-${randomBytes(4).toString('hex')}` }, 'CONT')), /no process matched/);
    });

    it('starts the server only if its pattern matches nothing, detached; a unit by systemctl unless a start is given', () => {
      const s = startScript({ pattern: 'redis-server', start: 'redis-server /etc/redis.conf' });
      assert.match(s, /^if ! pgrep -f -- 'redis-server' >\/dev\/null; then\n\( trap '' HUP; redis-server \/etc\/redis.conf\n\) <\/dev\/null >\/dev\/null 2>&1 &\nfi$/);
      assert.equal(startScript({ unit: 'redis' }), `systemctl start -- 'redis'`);
      assert.match(startScript({ unit: 'redis', start: 'service redis start' }), /service redis start/);
    });

    it('can kill with a start command or a unit, and pause with a pattern or a unit', () => {
      assert.ok(canKill({ pattern: 'x', start: 'x' }));
      assert.ok(canKill({ unit: 'x' }));
      assert.ok(!canKill({ pattern: 'x' }), 'a kill it could not undo');
      assert.ok(!canKill(undefined));
      assert.ok(canPause({ pattern: 'x' }));
      assert.ok(!canPause({ start: 'x' }));
    });
  });
});
