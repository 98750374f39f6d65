import assert from 'node:assert/strict';
import { DockerFaults, type NodeControl } from '../../harness/runtimes/docker/faults.js';

/** A node whose Docker calls are recorded: what the faults asked of it, in order. */
function node(name: string, calls: string[]): NodeControl {
  const call = (what: string) => async () => void calls.push(`${name} ${what}`);
  return {
    name,
    ip: '10.0.0.1',
    kill: call('kill'),
    start: call('start'),
    pause: call('pause'),
    unpause: call('unpause'),
    netScript: call('net'),
    setClock: async (spec) => void calls.push(`${name} clock ${spec}`),
  };
}

describe('docker: clock faults on the runtime’s nodes', () => {
  it('are there only when the containers were started with the fake clock', () => {
    assert.equal(new DockerFaults(new Map([['n1', node('n1', [])]])).clock, undefined);
    assert.ok(new DockerFaults(new Map([['n1', node('n1', [])]]), undefined, true).clock);
  });

  it('write a running node’s clock at once, and a paused or killed one’s when it runs again', async () => {
    const calls: string[] = [];
    const faults = new DockerFaults(new Map([['n1', node('n1', calls)]]), undefined, true);
    await faults.clock!.change('n1', { offsetMs: 60_000 });
    await faults.pause('n1');
    await faults.clock!.change('n1', { offsetMs: -2_000 });
    await faults.resume('n1');
    await faults.kill('n1');
    await faults.clock!.reset('n1');
    await faults.restart('n1');
    assert.deepEqual(calls, ['n1 clock +60', 'n1 pause', 'n1 unpause', 'n1 clock -2', 'n1 kill', 'n1 start', 'n1 clock +0']);
    await assert.rejects(async () => faults.clock!.change('n1', { rate: 2 }), /cannot drift/);
  });
});
