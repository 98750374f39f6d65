import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { ExternalNode } from '../../../harness/config/cluster-spec.js';
import type { NodeFaultKind } from '../../../harness/config/vocabulary.js';
import { UsageError } from '../../../harness/errors.js';
import { checkHook, nodeValues, peerValues, perPeer, placeholdersOf, render, words } from '../../../harness/runtimes/external/exec-template.js';

const nodes: ExternalNode[] = [
  { name: 'n1', host: 'db-1.example', ip: '10.0.0.1', port: 6379, container: 'redis-1' },
  { name: 'n2', host: 'db-2.example', ip: '10.0.0.2', port: 6379, container: 'redis-2' },
];

/** What the shell makes of a rendered command's words: the test of quoting is what sh does with it. */
function shellWords(command: string): string[] {
  const r = spawnSync('/bin/sh', ['-c', `${command}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}
const printArgs = (template: string) => `printf '%s\\0' ${template}`;

describe('exec hooks: templates', () => {
  it('finds placeholders, leaving the shell its own braces', () => {
    assert.deepEqual(placeholdersOf('ssh {host} sudo iptables -A INPUT -s {peer} -j DROP; echo {host}'), ['host', 'peer']);
    assert.deepEqual(placeholdersOf('echo ${HOME} ${peer} && find . -exec rm {} \\; && awk "{ print }"'), []);
    assert.equal(perPeer('iptables -s {peer_node}'), true);
    assert.equal(perPeer('for p in {peers}; do iptables -s $p; done'), false);
  });

  it('substitutes values the shell reads back exactly, whatever they hold', () => {
    const hostile: ExternalNode = { name: "n'1; rm -rf /", host: 'a b', ip: '$(touch /tmp/pwned)', container: '`id`' };
    const v = { ...nodeValues(hostile), ...peerValues(nodes[1]), peers: words(['10.0.0.2', "it's"]) };
    const got = shellWords(printArgs(render('{node} {host} {ip} {container} {peer} {peer_host} {peer_node} {peers}', v)));
    assert.deepEqual(got, ["n'1; rm -rf /", 'a b', '$(touch /tmp/pwned)', '`id`', '10.0.0.2', 'db-2.example', 'n2', '10.0.0.2', "it's"]);
  });

  it('puts each of {peers} in a word of its own, and {grudge} in one word of JSON', () => {
    const grudge = JSON.stringify({ n1: ['n2'], n2: ['n1'] });
    const got = shellWords(printArgs(render('{peers} {grudge}', { peers: words(['10.0.0.2', '10.0.0.3']), grudge: words([grudge]) })));
    assert.deepEqual(got, ['10.0.0.2', '10.0.0.3', grudge]);
  });

  it('refuses an unknown placeholder before the run, naming it and what the kind knows', () => {
    assert.throws(
      () => checkHook('partition', { exec: 'iptables -A INPUT -s {peeer} -j DROP', heal: 'iptables -F' }, nodes),
      (e: Error) => e instanceof UsageError && /unknown placeholder \{peeer\} in 'exec'/.test(e.message) && /\{peer\}/.test(e.message) && !e.message.includes('\n'),
    );
    assert.throws(() => checkHook('kill', { exec: 'kill-it {node}', heal: 'start {peer}' }, nodes), /unknown placeholder \{peer\} in 'heal' \(kill knows/);
    assert.throws(() => checkHook('latency', { exec: 'tc {node} {p}', heal: 'tc del' }, nodes), /unknown placeholder \{p\}/);
  });

  it('refuses a fault with no way back, except a kill (a pod comes back on its own)', () => {
    for (const kind of ['partition', 'pause', 'latency', 'loss'] as const) {
      assert.throws(() => checkHook(kind, { exec: 'x {node} {peers}' }, nodes), new RegExp(`exec hook for ${kind}: no 'heal'`));
    }
    checkHook('kill', { exec: 'kubectl delete pod {node}' }, nodes);
    checkHook('crash-loop', { exec: 'kubectl delete pod {node}' }, nodes);
  });

  it('refuses a partition that does not say whom to cut off', () => {
    assert.throws(() => checkHook('partition', { exec: 'isolate {node}', heal: 'rejoin {node}' }, nodes), /must say whom to cut off/);
  });

  it('refuses {port} or {container} when some node does not give one', () => {
    const bare = [...nodes, { name: 'n3', host: '10.0.0.3' }];
    assert.throws(() => checkHook('kill', { exec: 'docker kill {container}' }, bare), /uses \{container\}, but node n3 names no container/);
    assert.throws(() => checkHook('pause', { exec: 'x', heal: 'y {port}' }, bare), /'heal' uses \{port\}, but node n3 gives no port/);
    checkHook('kill', { exec: 'docker kill {container}' }, nodes);
  });

  it('refuses a kind that is not a node fault (client faults are the proxy’s)', () => {
    assert.throws(() => checkHook('client-partition' as NodeFaultKind, { exec: 'x {node}' }, nodes), /exec hook for client-partition: not a node fault/);
  });

  it('refuses an empty command', () => {
    assert.throws(() => checkHook('kill', { exec: '  ' }, nodes), /'exec' must be a command/);
    assert.throws(() => checkHook('kill', { exec: 'x', heal: '' }, nodes), /'heal' must be a command/);
  });
});
