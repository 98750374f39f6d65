import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isUserError } from '../../harness/errors.js';
import { CLOCK_DIR, CLOCK_FILE, clockSpec, HostClocks, refuseFakeClock, withFakeClock } from '../../harness/runtimes/docker/fake-clock.js';
import { postgres } from '../../targets/postgres/docker.js';
import { redis } from '../../targets/redis/docker.js';

const spec = { image: 'img', cmd: ['server'], env: { A: '1' }, ports: [1], mounts: { '/src': '/dst' } };

describe('docker: the fake clock (libfaketime) a node is started with', () => {
  it('preloads the local image’s libfaketime, reading a clock file that starts right', () => {
    const s = withFakeClock(spec, 'local', '/run/clock/n1', () => assert.fail('the local image has its own'));
    assert.deepEqual(s.env, {
      A: '1',
      LD_PRELOAD: '/usr/$LIB/libc_malloc_debug.so.0:/usr/$LIB/faketime/libfaketime.so.1',
      FAKETIME_TIMESTAMP_FILE: CLOCK_FILE,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    });
    // The clock file is the host's (HostClocks), bound in: no file is copied into the container.
    assert.equal(s.files, undefined);
    assert.deepEqual(s.mounts, { '/src': '/dst', '/run/clock/n1': CLOCK_DIR });
    assert.deepEqual(s.cmd, spec.cmd);
  });

  it('binds the host’s libfaketime into an official image, and refuses in one line when the host has none', () => {
    const s = withFakeClock(spec, 'official', '/run/clock/n1', () => '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1');
    assert.equal(s.env?.LD_PRELOAD, '/usr/$LIB/libc_malloc_debug.so.0:/opt/faultline-faketime/libfaketime.so.1');
    assert.deepEqual(s.mounts, { '/src': '/dst', '/run/clock/n1': CLOCK_DIR, '/usr/lib/x86_64-linux-gnu/faketime': '/opt/faultline-faketime' });
    assert.throws(
      () => withFakeClock(spec, 'official', '/run/clock/n1', () => undefined),
      (e: unknown) => isUserError(e) && e.exitCode === 254 && !e.message.includes('\n') && /need libfaketime on this host/.test(e.message),
    );
  });

  it('writes jumps as libfaketime offsets in seconds, and refuses a drift', () => {
    assert.equal(clockSpec({ offsetMs: 60_000 }), '+60');
    assert.equal(clockSpec({ offsetMs: -30_500 }), '-30.5');
    assert.equal(clockSpec({ offsetMs: 1 }), '+0.001');
    assert.throws(() => clockSpec({ rate: 2 }), /cannot drift a clock \(rate 2\)/);
  });

  it('refuses a target whose role says it cannot run under libfaketime in the flavour, not the others', () => {
    const stubborn = { name: 'stubborn', images: { db: { official: 'db:1', packages: [], noFakeClock: { local: 'it ignores LD_PRELOAD' } } } };
    assert.throws(() => refuseFakeClock(stubborn, 'local'), (e: unknown) => isUserError(e) && /cannot run target 'stubborn'.*it ignores LD_PRELOAD/.test(e.message));
    refuseFakeClock(stubborn, 'official');
    refuseFakeClock(redis, 'local');
    refuseFakeClock(postgres, 'local');
  });

  it('keeps each node’s clock file on the host: right from the start, replaced whole, readable by any user, removed with the run', () => {
    const clocks = HostClocks.create(['n1', 'n2']);
    const file = (n: string) => join(clocks.dirOf(n), basename(CLOCK_FILE));
    assert.equal(readFileSync(file('n1'), 'utf8'), '+0\n');
    clocks.set('n2', '+60');
    assert.equal(readFileSync(file('n2'), 'utf8'), '+60\n');
    assert.equal(readFileSync(file('n1'), 'utf8'), '+0\n', 'one node’s jump leaves the others');
    assert.deepEqual(readdirSync(clocks.dirOf('n2')), ['offset'], 'written beside and renamed over: no half-written file left');
    assert.equal(statSync(file('n2')).mode & 0o777, 0o644);
    assert.equal(statSync(clocks.dirOf('n2')).mode & 0o777, 0o755);
    const root = dirname(clocks.dirOf('n1'));
    clocks.remove();
    assert.equal(existsSync(root), false);
  });
});
