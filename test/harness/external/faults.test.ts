import assert from 'node:assert/strict';
import type { NodeFaultKind } from '../../../harness/config/vocabulary.js';
import type { Grudge } from '../../../harness/nemesis/grudge.js';
import type { ClientFaults } from '../../../harness/runtime.js';
import { ExternalFaults } from '../../../harness/runtimes/external/faults.js';
import type { FaultMethod } from '../../../harness/runtimes/external/method.js';

/** A method that records what it is asked and can be told to fail: the dispatcher's routing is what is tested. */
class Recording implements FaultMethod {
  readonly calls: string[] = [];
  failing = new Set<string>();
  constructor(readonly name: 'ssh' | 'docker' | 'exec') {}
  private call(what: string): Promise<void> {
    this.calls.push(what);
    return this.failing.has(what.split(' ')[0]) ? Promise.reject(new Error(`${this.name} ${what} failed`)) : Promise.resolve();
  }
  partition = (g: Grudge) => this.call(`partition ${JSON.stringify(g)}`);
  kill = (n: string) => this.call(`kill ${n}`);
  restart = (n: string) => this.call(`restart ${n}`);
  pause = (n: string) => this.call(`pause ${n}`);
  resume = (n: string) => this.call(`resume ${n}`);
  lose = (ns: readonly string[], p: number) => this.call(`lose ${ns.join(',')} ${p}`);
  healNet = () => this.call('healNet');
  close = () => Promise.resolve();
}

function clientFaults(calls: string[]): ClientFaults {
  const rec = (what: string) => {
    calls.push(what);
  };
  return {
    cut: (ns, mode) => rec(`cut ${ns.join(',')} ${mode}`),
    delay: (ns) => rec(`delay ${ns.join(',')}`),
    lose: (ns) => rec(`lose ${ns.join(',')}`),
    throttle: (ns) => rec(`throttle ${ns.join(',')}`),
    heal: (ns) => rec(`heal ${ns?.join(',') ?? 'all'}`),
  };
}

describe('external faults: each kind goes to the method the test named, and healAll undoes what is in force', () => {
  const setup = (kinds: Partial<Record<NodeFaultKind, FaultMethod>>) => {
    const restarted: string[] = [];
    const client: string[] = [];
    const faults = new ExternalFaults(new Map(Object.entries(kinds) as [NodeFaultKind, FaultMethod][]), clientFaults(client), async (n, m) => {
      restarted.push(`${n} by ${m.name}`);
    });
    return { faults, restarted, client };
  };

  it('routes partition, kill and pause to their own methods, and a restart is followed by the endpoint refresh', async () => {
    const ssh = new Recording('ssh');
    const docker = new Recording('docker');
    const { faults, restarted } = setup({ partition: ssh, kill: docker, pause: ssh });
    await faults.partition({ n1: ['n2'] });
    await faults.kill('n2');
    await faults.restart('n2');
    await faults.pause('n3');
    await faults.resume('n3');
    await faults.heal();
    assert.deepEqual(ssh.calls, ['partition {"n1":["n2"]}', 'pause n3', 'resume n3', 'healNet']);
    assert.deepEqual(docker.calls, ['kill n2', 'restart n2']);
    assert.deepEqual(restarted, ['n2 by docker']);
  });

  it('crash-loop uses its own method when kill has none', async () => {
    const exec = new Recording('exec');
    const { faults } = setup({ 'crash-loop': exec });
    await faults.kill('n1');
    await faults.restart('n1');
    assert.deepEqual(exec.calls, ['kill n1', 'restart n1']);
  });

  it('a kind without a method is refused, not skipped', async () => {
    const { faults } = setup({ kill: new Recording('ssh') });
    await assert.rejects(faults.partition({ n1: ['n2'] }), /no method configured for 'partition'/);
  });

  it('healAll restarts the killed, resumes the paused, heals every method with network faults and the proxy', async () => {
    const ssh = new Recording('ssh');
    const exec = new Recording('exec');
    const { faults, client } = setup({ partition: ssh, loss: exec, kill: ssh, pause: exec });
    await faults.partition({ n1: ['n2'], n2: ['n1'] });
    await faults.lose(['n3'], 0.3);
    await faults.kill('n1');
    await faults.pause('n2');
    await faults.healAll();
    assert.deepEqual(ssh.calls, ['partition {"n1":["n2"],"n2":["n1"]}', 'kill n1', 'restart n1', 'healNet']);
    assert.deepEqual(exec.calls, ['lose n3 0.3', 'pause n2', 'resume n2', 'healNet']);
    assert.deepEqual(client, ['heal all']);
    // Nothing is in force any more: a second healAll asks nothing of the methods.
    await faults.healAll();
    assert.equal(ssh.calls.length, 4);
    assert.equal(exec.calls.length, 4);
  });

  it('healAll tries everything and then names every failure', async () => {
    const ssh = new Recording('ssh');
    ssh.failing.add('restart').add('healNet');
    const { faults } = setup({ partition: ssh, kill: ssh });
    await faults.partition({ n1: ['n2'] });
    await faults.kill('n2');
    await assert.rejects(faults.healAll(), (e: Error) => /restart n2 failed/.test(e.message) && /healNet failed/.test(e.message));
  });
});
