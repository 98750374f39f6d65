import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultline, root } from '../support/cli.js';

const example = join(root, 'examples/lww-cache/plugin.js');
const tmp = mkdtempSync(join(tmpdir(), 'faultline-plugins-'));

/** The arguments of the `replay:` line a run printed (its values are plain: no quoting to undo in these runs). */
function replayArgs(stdout: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith('replay: '));
  assert.ok(line, stdout);
  return line.slice('replay: faultline run '.length).split(' ');
}

const historyOf = (stdout: string) => {
  const store = /store: (\S+)/.exec(stdout)?.[1];
  assert.ok(store, stdout);
  return readFileSync(join(store, 'history.jsonl'), 'utf8');
};

describe('plugins: your own targets and workloads, loaded with --plugin', () => {
  it('runs the example plugin (a last-writer-wins cache), finds its stale reads, and replays it from the printed line', () => {
    const store = join(tmp, 'example');
    const r = faultline(['run', '--plugin', 'examples/lww-cache/plugin.js', '--target', 'lww-cache', '--workload', 'cache-ops', '--seed', '3', '--time-limit', '3', '--store', store, '--quiet']);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /^INVALID: anomaly found$/m);
    assert.match(r.stdout, /is not linearizable: no order of its operations explains process \d+ read/);
    const args = replayArgs(r.stdout);
    assert.deepEqual(args.slice(args.indexOf('--plugin'), args.indexOf('--plugin') + 2), ['--plugin', example], 'the replay names the plugin by its full path');
    const again = faultline(['run', ...args, '--quiet']);
    assert.equal(again.code, 1, again.stderr);
    assert.equal(historyOf(again.stdout), historyOf(r.stdout), 'the replay makes the same history');
  });

  it('checks a stored history against the plugin’s own model by name, on worker threads; an op it does not know is bad input', () => {
    const store = join(tmp, 'model');
    const run = faultline(['run', '--plugin', example, '--target', 'lww-cache', '--workload', 'cache-ops', '--seed', '3', '--time-limit', '3', '--store', store, '--quiet']);
    assert.equal(run.code, 1, run.stderr);
    const history = join(/store: (\S+)/.exec(run.stdout)?.[1] ?? '', 'history.jsonl');
    const r = faultline(['check', '--plugin', example, '--model', 'cache-register', '--json', history]);
    assert.equal(r.code, 1, r.stderr);
    const row = JSON.parse(r.stdout);
    assert.deepEqual([row.valid, row.model], [false, 'cache-register']);
    assert.equal(row.stats.mainThreadOnly, undefined, 'the model says where workers find it');
    assert.ok(row.stats.threads >= 1);
    const bad = faultline(['check', '--plugin', example, '--model', 'cache-register', 'examples/register-ok.jsonl']);
    assert.equal(bad.code, 254, bad.stderr);
    assert.match(bad.stderr.trim(), /^faultline: .*the cache has no operation 'cas'/);
    const unknown = faultline(['check', '--model', 'cache-register', history]);
    assert.equal(unknown.code, 254);
    assert.match(unknown.stderr.trim(), /^faultline: unknown model 'cache-register' \(known: register, .*; or a module's path#export\)$/);
  });

  it('loads plugins named in a config file, relative to the file', () => {
    const dir = mkdtempSync(join(tmp, 'config-'));
    writeFileSync(join(dir, 'plugin.js'), `export { default } from ${JSON.stringify(example)};\n`);
    const config = join(dir, 'test.yaml');
    writeFileSync(config, 'plugins: [./plugin.js]\ntarget: lww-cache\nworkload: cache-ops\nseed: 1\ntimeLimit: 2\nnemesis: none\n');
    const r = faultline(['run', '--config', config, '--store', join(dir, 'store'), '--quiet']);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.ok(replayArgs(r.stdout).includes(join(dir, 'plugin.js')));
  });

  it('checks a plugin target’s options against what it declares', () => {
    const run = (options: string) => faultline(['run', '--plugin', example, '--target', 'lww-cache', '--workload', 'cache-ops', '--seed', '1', '--time-limit', '1', '--nemesis', 'none', '--store', join(tmp, 'opts'), '--quiet', '--options', options]);
    const ok = run('{"replicationDelay":0}');
    assert.ok(ok.code === 0 || ok.code === 1, ok.stderr);
    const bad = run('{"replicationDelay":-5}');
    assert.equal(bad.code, 254);
    assert.match(bad.stderr, /^faultline: --options: option 'replicationDelay': .*got -5 \(target 'lww-cache': ms between a write and its replication/);
  });

  it('refuses a plugin target that needs a package the local image lacks, before Docker is reached: exit 254, one line, nothing stored', () => {
    const plugin = join(tmp, 'etcd.js');
    writeFileSync(
      plugin,
      `const never = () => { throw new Error('no container may be made'); };
export default {
  name: 'etcd',
  dockerTargets: [{
    name: 'etcd-kv', description: 'etcd', bugs: [], defaultNodes: 3, operations: ['read', 'write', 'cas'],
    images: { etcd: { official: 'quay.io/coreos/etcd:v3.5.17', packages: ['etcd-server'] } },
    nodeIds: (n) => Array.from({ length: n }, (_, i) => 'n' + (i + 1)),
    containers: never, ready: never, open: never,
  }],
};
`,
    );
    const store = join(tmp, 'etcd-store');
    // An unreachable Docker: the refusal must come first, from the declarations alone.
    const r = faultline(['run', '--plugin', plugin, '--runtime', 'docker', '--images', 'local', '--target', 'etcd-kv', '--seed', '1', '--store', store, '--quiet'], undefined, {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    assert.equal(r.code, 254, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 2, r.stderr); // the run's first line, then the refusal
    assert.match(
      r.stderr.trim().split('\n')[1],
      /^faultline: target 'etcd-kv' needs the Debian package etcd-server \(role 'etcd'\), which the local image faultline\/bookworm:[0-9a-f]{8} lacks .*: use --images official to run it from quay\.io\/coreos\/etcd:v3\.5\.17$/,
    );
    assert.equal(existsSync(store), false);
  });

  it('refuses a plugin it cannot load or that exports no plugin: exit 254, one line, nothing stored', () => {
    const notPlugin = join(tmp, 'not-a-plugin.js');
    writeFileSync(notPlugin, 'export const x = 1;\n');
    const wrongField = join(tmp, 'wrong-field.js');
    writeFileSync(wrongField, "export default { name: 'p', targets: [] };\n");
    const broken = join(tmp, 'broken.js');
    writeFileSync(broken, 'export default {\n');
    const cases: [string, RegExp][] = [
      [join(tmp, 'missing.js'), /cannot load it \(no such file\)$/],
      [notPlugin, /expected its default export to be a plugin .*got nothing$/],
      [wrongField, /plugin p: unknown field 'targets' \(known: name, simTargets, dockerTargets, workloads, checkers, models\)$/],
      [broken, /cannot load it \(.*\)$/],
    ];
    for (const [path, re] of cases) {
      const store = join(tmp, 'refused');
      const r = faultline(['run', '--plugin', path, '--store', store, '--quiet']);
      assert.equal(r.code, 254, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), re);
      assert.equal(existsSync(store), false);
    }
  });
});
