import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  externalFaultKinds,
  loadDefinition,
  mergeDefinition,
  methodFor,
  parseDefinition,
  replayCommand,
  type TestDefinition,
} from '../../../harness/config/index.js';
import { inputErrorAt } from '../../support/cli.js';
import { throwsInputError } from './helpers.js';

/** An external definition with one node at an address, and whatever else the case sets. */
const external = (fields: Record<string, unknown>) => ({ runtime: 'external', nodes: ['10.0.0.1:6379'], seed: 1, ...fields });
const sshLogin = { user: 'admin', key: { file: '/keys/id_ed25519' }, process: { pattern: 'redis-server', start: 'redis-server /etc/redis.conf --daemonize yes' } };

describe('config: an external cluster (runtime external)', () => {
  describe('nodes', () => {
    it('reads host:port, name=host:port and [IPv6]:port; unnamed nodes are n<place>', () => {
      const def = parseDefinition(external({ nodes: ['10.0.0.1:6379', 'db2=db2.example:6380', '[::1]:7000'] }));
      assert.deepEqual(def.nodes, [
        { name: 'n1', host: '10.0.0.1', port: 6379 },
        { name: 'db2', host: 'db2.example', port: 6380 },
        { name: 'n3', host: '::1', port: 7000 },
      ]);
    });

    it('takes a node as a mapping of its fields, and keeps them in one order whatever order they came in', () => {
      const node = { container: 'redis-1', password: { env: 'REDIS_PASSWORD' }, port: 6379, host: '127.0.0.1', ssh: { port: 2222, host: 'localhost' }, ports: { sentinel: 26379 }, ip: '172.18.0.2', user: 'default', database: '0', name: 'r1' };
      const def = parseDefinition(external({ nodes: [node, { host: 'r2.local' }] }));
      assert.deepEqual(def.nodes, [node, { name: 'n2', host: 'r2.local' }]);
      assert.deepEqual(Object.keys((def.nodes as object[])[0]), ['name', 'host', 'port', 'ports', 'ip', 'user', 'password', 'database', 'ssh', 'container']);
    });

    it('--nodes takes a comma list of addresses, or a JSON list of nodes (the replay line writes one)', () => {
      const json = mergeDefinition(undefined, { runtime: 'external', nodes: '[{"host":"h1","port":5432,"user":"app"}, "h2:5432"]' });
      assert.deepEqual(json.nodes, [{ name: 'n1', host: 'h1', port: 5432, user: 'app' }, { name: 'n2', host: 'h2', port: 5432 }]);
      const list = mergeDefinition(undefined, { runtime: 'external', nodes: '[::1]:6379,[::1]:6380' });
      assert.deepEqual(list.nodes, [{ name: 'n1', host: '::1', port: 6379 }, { name: 'n2', host: '::1', port: 6380 }]);
    });

    const bad: [string, unknown, RegExp][] = [
      ['no nodes', undefined, /^nodes: the external runtime needs each node's address, e\.g\. --nodes 10\.0\.0\.1:6379$/],
      ['a count', 3, /^nodes: the external runtime needs each node's address, e\.g\. --nodes 10\.0\.0\.1:6379$/],
      ['a bare name', ['10.0.0.1:6379', 'db2'], /^nodes\[1\]: the external runtime needs each node's address, e\.g\. --nodes 10\.0\.0\.1:6379, got "db2"$/],
      ['an address without a port', ['db1:'], /^nodes\[0\]: expected host:port, name=host:port or \[IPv6\]:port, got "db1:"$/],
      ['IPv6 without brackets', ['::1:6379'], /^nodes\[0\]: expected host:port, name=host:port or \[IPv6\]:port, got "::1:6379"$/],
      ['port 0', ['db1:0'], /^nodes\[0\]: expected a TCP port \(1 to 65535\) after the last ':', got 0$/],
      ['port 70000', ['db1:70000'], /^nodes\[0\]: expected a TCP port \(1 to 65535\) after the last ':', got 70000$/],
      ['a name that is no name', ['a/b=db1:1'], /^nodes\[0\]: expected a node name \(letters, digits, \., _ and -\) before '=', got "a\/b"$/],
      ['a name twice', ['a=h:1', 'a=h:2'], /^nodes\[1\]: node 'a' is listed twice/],
      ['a name the place gives another', [{ name: 'n2', host: 'h' }, 'h:2'], /^nodes\[1\]: node 'n2' is listed twice \(a node without a name is n<place>\)$/],
      ['a node without a host', [{ port: 1 }], /^nodes\[0\]\.host: expected a host name or IP address \(IPv6 without brackets\), got nothing$/],
      ['a host in brackets', [{ host: '[::1]' }], /^nodes\[0\]\.host: expected a host name or IP address \(IPv6 without brackets\), got "\[::1\]"$/],
      ['an unknown node field', [{ host: 'h', passwd: { env: 'X' } }], /^nodes\[0\]\.passwd: unknown field \(did you mean password\?\) \(known: name, host, port, ports, ip, user, password, database, ssh, container\)$/],
      ['an unknown field of a node\'s ssh', [{ host: 'h', ssh: { key: { file: 'k' } } }], /^nodes\[0\]\.ssh\.key: unknown field \(known: host, port, user\)$/],
      ['a service port out of range', [{ host: 'h', ports: { sentinel: 0 } }], /^nodes\[0\]\.ports\.sentinel: expected a TCP port \(1 to 65535\), got 0$/],
      ['a password as env and file', [{ host: 'h', password: { env: 'A', file: 'b' } }], /^nodes\[0\]\.password: expected one of env or file for the password, got both$/],
      ['a password from a variable no shell can set', [{ host: 'h', password: { env: 'A-B' } }], /^nodes\[0\]\.password\.env: expected the name of an environment variable, got "A-B"$/],
    ];
    for (const [what, nodes, re] of bad) {
      it(`refuses ${what}, naming the node`, () => throwsInputError(() => parseDefinition(external({ nodes })), re));
    }

    it('refuses a password written in the definition, without repeating it', () => {
      const literal = 'hunter2-in-the-config';
      assert.throws(
        () => parseDefinition(external({ nodes: [{ host: 'h', password: literal }] })),
        (e: unknown) => {
          const m = (e as Error).message;
          assert.equal(m, 'nodes[0].password: a password comes from {env: NAME} or {file: path}, never the config itself: it would be stored');
          assert.ok(!m.includes(literal));
          return true;
        },
      );
    });

    it('refuses addresses and node objects on the runtimes that start their own nodes', () => {
      throwsInputError(() => parseDefinition({ runtime: 'docker', nodes: ['db1:6379'] }), /^nodes\[0\]: the docker runtime starts its own nodes: give a count or names, not addresses/);
      throwsInputError(() => parseDefinition({ nodes: [{ host: 'h', port: 1 }] }), /^nodes\[0\]: the sim runtime starts its own nodes: give a count or names \(a node's host and port are for --runtime external\)$/);
      assert.deepEqual(parseDefinition({ nodes: ['db1', 'db2'] }).nodes, ['db1', 'db2']);
    });
  });

  describe('fault methods (faults) and SSH settings (ssh)', () => {
    it('take ssh, docker or an exec hook per node fault kind, in the canonical order of the kinds', () => {
      const faults = {
        loss: { exec: 'tc-free-loss {host} {p}', heal: 'undo-loss {host}' },
        partition: { heal: 'iptables -D INPUT -s {peer} -j DROP', exec: 'ssh {host} sudo iptables -A INPUT -s {peer} -j DROP' },
        kill: 'ssh',
        pause: 'ssh',
      };
      const def = parseDefinition(external({ faults, ssh: sshLogin, nemesis: 'partition,kill,pause,loss,crash-loop' }));
      assert.deepEqual(Object.keys(def.faults!), ['partition', 'kill', 'pause', 'loss']);
      assert.deepEqual(Object.keys(def.faults!.partition as object), ['exec', 'heal']);
      assert.deepEqual(def.ssh, sshLogin);
    });

    it('crash-loop is made with the kill method unless it names its own', () => {
      assert.equal(methodFor({ kill: 'docker' }, 'crash-loop'), 'docker');
      assert.equal(methodFor({ kill: 'docker', 'crash-loop': 'ssh' }, 'crash-loop'), 'ssh');
      assert.equal(methodFor({ pause: 'docker' }, 'crash-loop'), undefined);
      assert.deepEqual(externalFaultKinds({ kill: 'docker' }), ['kill', 'crash-loop', 'client-partition', 'client-latency', 'client-loss', 'client-slow', 'pause-client', 'crash-client']);
      assert.deepEqual(externalFaultKinds(undefined), ['client-partition', 'client-latency', 'client-loss', 'client-slow', 'pause-client', 'crash-client']);
    });

    it('client faults need no method, and are what an external test does by default', () => {
      const def = parseDefinition(external({ nemesis: 'client-partition,client-latency,client-loss,client-slow' }));
      assert.equal(def.nemesis.faults.length, 4);
      assert.deepEqual(parseDefinition(external({})).nemesis.faults, [{ kind: 'client-partition' }]);
      assert.deepEqual(parseDefinition({}).nemesis.faults, [{ kind: 'partition' }], 'the other runtimes keep theirs');
    });

    const containers = ['a', 'b'].map((c, i) => ({ host: `h${i}`, port: 6379, container: c }));
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['a node fault no method makes', { nemesis: 'client-partition,kill' }, /^nemesis: the external runtime has no way to inflict 'kill': name one under faults \(ssh, docker or an exec hook\)$/],
      ['a pause when only kill has a method', { nemesis: 'pause', faults: { kill: 'docker' }, nodes: containers }, /^nemesis: the external runtime has no way to inflict 'pause'/],
      ['a method for a client fault', { faults: { 'client-latency': 'ssh' } }, /^faults\.client-latency: 'client-latency' takes no method: the fault proxy in front of the nodes makes it$/],
      ['an unknown kind', { faults: { meteor: 'ssh' } }, /^faults\.meteor: unknown fault kind \(known: partition, kill, pause, latency, loss, crash-loop\)$/],
      ['a bare command', { faults: { kill: 'kubectl delete pod {node}' } }, /^faults\.kill: expected ssh, docker or an exec hook \{exec, heal\}, got "kubectl delete pod \{node\}"$/],
      ['a hook without exec', { faults: { kill: { heal: 'start' } } }, /^faults\.kill\.exec: expected the shell command that makes 'kill', got nothing$/],
      ['a kill hook without a heal', { faults: { kill: { exec: 'kubectl delete pod {node}' } } }, /^faults\.kill\.heal: an exec hook for 'kill' needs a heal, the command that starts the node again: without it the fault cannot be undone$/],
      ['a pause hook without a heal', { faults: { pause: { exec: 'docker pause {container}' } } }, /^faults\.pause\.heal: an exec hook for 'pause' needs a heal, the command that resumes the node/],
      ['a hook field nobody reads', { faults: { kill: { exec: 'a', heal: 'b', timeout: 5 } } }, /^faults\.kill\.timeout: unknown field \(known: exec, heal\)$/],
      ['a placeholder of another kind', { faults: { kill: { exec: 'kill-on {host} from {peer}', heal: 'b' } } }, /^faults\.kill\.exec: \{peer\} means nothing in a 'kill' hook \(it is given \{node\}, \{host\}, \{port\}, \{ip\}, \{container\}\)$/],
      ['ssh without ssh settings', { faults: { partition: 'ssh' } }, /^faults\.partition: the ssh method needs the ssh settings \(ssh: \{user, key: \{file: …\}\}\)$/],
      ['kill by ssh without the process', { faults: { kill: 'ssh' }, ssh: { user: 'root' } }, /^faults\.kill: 'kill' by ssh needs ssh\.process: the server's pattern \(pkill -f\) or systemd unit$/],
      ['pause by ssh without the process', { faults: { pause: 'ssh' }, ssh: { user: 'root' } }, /^faults\.pause: 'pause' by ssh needs ssh\.process/],
      ['kill by ssh with no way to start it again', { faults: { kill: 'ssh' }, ssh: { user: 'root', process: { pattern: 'redis-server' } } }, /^faults\.kill: 'kill' by ssh needs ssh\.process\.start or ssh\.process\.unit: the way to start the node again$/],
      ['latency by ssh', { faults: { latency: 'ssh' }, ssh: sshLogin }, /^faults\.latency: the ssh method cannot make 'latency' \(no netem on the kernels faultline is tested on: use client-latency, or an exec hook\)$/],
      ['latency by docker', { faults: { latency: 'docker' }, nodes: containers }, /^faults\.latency: the docker method cannot make 'latency' \(no netem/],
      ['docker without every node\'s container', { faults: { kill: 'docker' }, nodes: [containers[0], { host: 'h2' }] }, /^faults\.kill: the docker method needs each node's container, and node n2 names none$/],
      ['ssh settings without a user', { ssh: { key: { file: 'k' } } }, /^ssh\.user: expected the user to log in as, got nothing$/],
      ['a key written in the definition', { ssh: { user: 'u', key: '-----BEGIN OPENSSH PRIVATE KEY-----' } }, /^ssh\.key: a key comes from \{env: NAME\} or \{file: path\}, never the config itself: it would be stored$/],
      ['a passphrase without a key', { ssh: { user: 'u', passphrase: { env: 'P' } } }, /^ssh\.passphrase: a passphrase is for a key, and ssh names none$/],
      ['a process by neither pattern nor unit', { ssh: { user: 'u', process: { start: 'x' } } }, /^ssh\.process: expected the server process by pattern \(what pkill -f matches\) or unit \(a systemd unit\), got neither$/],
      ['an unknown ssh field', { ssh: { user: 'u', identity: 'k' } }, /^ssh\.identity: unknown field \(known: user, port, key, passphrase, password, sudo, knownHosts, process, logs\)$/],
      ['sudo as a word', { ssh: { user: 'u', sudo: 'yes' } }, /^ssh\.sudo: expected true or false, got "yes"$/],
    ];
    for (const [what, fields, re] of bad) {
      it(`refuses ${what}, in one line naming the field`, () => throwsInputError(() => parseDefinition(external(fields)), re));
    }

    it('are refused on the runtimes that make their own faults, naming the field', () => {
      throwsInputError(() => parseDefinition({ faults: { kill: 'docker' } }), /^faults: only the external runtime takes fault methods: the sim runtime makes its own faults$/);
      throwsInputError(() => parseDefinition({ runtime: 'docker', ssh: { user: 'root' } }), /^ssh: only the external runtime takes SSH settings: the docker runtime makes its own faults$/);
    });

    it('by kill\'s or by a unit: a kill by ssh may restart with the unit alone; partition and loss need no process', () => {
      const def = parseDefinition(external({ faults: { kill: 'ssh', partition: 'ssh', loss: 'ssh' }, ssh: { user: 'root', process: { unit: 'redis' } }, nemesis: 'crash-loop,partition,loss' }));
      assert.equal(def.faults!.kill, 'ssh');
      parseDefinition(external({ faults: { partition: 'ssh' }, ssh: { user: 'root' }, nemesis: 'partition' }));
    });
  });

  describe('config files and flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-external-'));
    const file = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };

    it("reads the issue's example, secret and known_hosts files made absolute next to the file (~ is home)", async () => {
      const p = file(
        'cluster.yaml',
        [
          'runtime: external',
          'target: redis',
          'nodes:',
          '  - { name: n1, host: 127.0.0.1, port: 6379, password: { env: REDIS_PASSWORD } }',
          '  - { name: n2, host: 127.0.0.2, port: 6379, password: { file: secrets/redis-pw } }',
          'nemesis: kill,partition',
          'faults:',
          '  kill: ssh',
          '  partition:',
          '    exec: ssh {host} sudo iptables -A INPUT -s {peer} -j DROP',
          '    heal: ssh {host} sudo iptables -D INPUT -s {peer} -j DROP',
          'ssh:',
          '  user: admin',
          '  key: { file: ~/.ssh/id_ed25519 }',
          '  knownHosts: known_hosts',
          '  process: { unit: redis-server }',
          '  logs: [/var/log/redis/*.log]',
        ].join('\n'),
      );
      const def = mergeDefinition(await loadDefinition(p), { seed: '1' });
      assert.deepEqual(def.nodes, [
        { name: 'n1', host: '127.0.0.1', port: 6379, password: { env: 'REDIS_PASSWORD' } },
        { name: 'n2', host: '127.0.0.2', port: 6379, password: { file: join(dir, 'secrets/redis-pw') } },
      ]);
      assert.deepEqual(def.ssh, { user: 'admin', key: { file: join(homedir(), '.ssh/id_ed25519') }, knownHosts: join(dir, 'known_hosts'), process: { unit: 'redis-server' }, logs: ['/var/log/redis/*.log'] });
      assert.deepEqual(def.faults, { partition: { exec: 'ssh {host} sudo iptables -A INPUT -s {peer} -j DROP', heal: 'ssh {host} sudo iptables -D INPUT -s {peer} -j DROP' }, kill: 'ssh' });
    });

    it('blames a problem on its line in the file, or on its flag', async () => {
      const p = file('bad.yaml', ['runtime: external', 'nodes: [h:1]', 'faults:', '  partition: docker', '  kill:', '    exec: stop {node}'].join('\n'));
      await assert.rejects(loadDefinition(p), inputErrorAt(5, /bad\.yaml:5: faults\.kill\.heal: an exec hook for 'kill' needs a heal/));
      const q = file('nocontainer.yaml', ['runtime: external', 'nodes: [h:1]', 'nemesis: partition', 'faults:', '  partition: docker'].join('\n'));
      const noContainer = await loadDefinition(q);
      assert.throws(() => mergeDefinition(noContainer, {}), inputErrorAt(5, /faults\.partition: the docker method needs each node's container, and node n1 names none$/));
      throwsInputError(() => mergeDefinition(undefined, { runtime: 'external', nodes: 'h:1', faults: '{"kill":"ssh"}' }), /^--faults: the ssh method needs the ssh settings/);
      throwsInputError(() => mergeDefinition(undefined, { runtime: 'external', nodes: 'h:1', ssh: '{"user":"u","key":"PRIVATE"}' }), /^--ssh: a key comes from \{env: NAME\} or \{file: path\}/);
      throwsInputError(() => mergeDefinition(undefined, { runtime: 'external', nodes: 'h:1', nemesis: 'pause' }), /^--nemesis: the external runtime has no way to inflict 'pause'/);
    });
  });

  describe('secrets', () => {
    const SECRET = 'correct-horse-battery-staple-5f3a';
    const names = ['FAULTLINE_TEST_REDIS_PASSWORD', 'FAULTLINE_TEST_SSH_PASSPHRASE'];
    before(() => {
      for (const n of names) process.env[n] = SECRET;
    });
    after(() => {
      for (const n of names) delete process.env[n];
    });

    /** Everything of a definition that is written down: the stored definition (results.json's `test`) and the replay line. */
    const written = (def: TestDefinition) => [JSON.stringify(def), JSON.stringify(def, null, 2), replayCommand(def)];

    it('the stored definition and the replay line hold only the references, never the values', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'faultline-secrets-'));
      const keyFile = join(dir, 'id_ed25519');
      writeFileSync(keyFile, `-----BEGIN OPENSSH PRIVATE KEY-----\n${SECRET}\n`);
      const p = join(dir, 'secret.yaml');
      writeFileSync(
        p,
        [
          'runtime: external',
          'nodes:',
          `  - { host: 127.0.0.1, port: 6379, user: default, password: { env: ${names[0]} } }`,
          'faults: { kill: ssh }',
          'nemesis: kill',
          `ssh: { user: root, key: { file: ${keyFile} }, passphrase: { env: ${names[1]} }, password: { env: ${names[0]} }, process: { unit: redis } }`,
        ].join('\n'),
      );
      const fromFile = mergeDefinition(await loadDefinition(p), {});
      const replayedFlags = { runtime: 'external', nodes: JSON.stringify(fromFile.nodes), faults: JSON.stringify(fromFile.faults), ssh: JSON.stringify(fromFile.ssh), nemesis: 'kill', seed: String(fromFile.seed) };
      const fromFlags = mergeDefinition(undefined, replayedFlags);
      for (const def of [fromFile, fromFlags]) {
        for (const text of written(def)) {
          assert.ok(!text.includes(SECRET), `a secret value was written: ${text}`);
          assert.ok(text.includes(names[0]) && text.includes(names[1]) && text.includes(keyFile), `the references are kept: ${text}`);
        }
      }
    });
  });
});
