import assert from 'node:assert/strict';
import type { Completion } from '../../../harness/runtime.js';
import type { RequestTransport } from '../../../harness/transport.js';
import { MAX_TIMEOUTS, raftClient, SIM_CLIENT_TIMING } from '../../../targets/raft-kv/client.js';

/** A cluster where no node ever answers: every attempt times out, and the transport records how long each waited. */
function silent(): { transport: RequestTransport; waits: number[] } {
  const waits: number[] = [];
  return { waits, transport: { request: (_node, _msg, timeoutMs, done) => (waits.push(timeoutMs), done(undefined)) } };
}

const read = { f: 'read', key: 'k', value: null };

describe('raft-kv client timing: a parameter, in the milliseconds of the runtime it runs in', () => {
  it('waits the simulation’s 200 virtual ms per attempt unless told otherwise, and reports info after MAX_TIMEOUTS', () => {
    const { transport, waits } = silent();
    let completion: Completion | undefined;
    raftClient(transport, ['n1', 'n2', 'n3'], 0).invoke(read, (c) => (completion = c));
    assert.equal(SIM_CLIENT_TIMING.attemptTimeoutMs, 200);
    assert.deepEqual(waits, Array(MAX_TIMEOUTS).fill(200));
    assert.deepEqual(completion, { type: 'info', error: 'timeout' });
  });

  it('waits what its runtime gives it (the Docker target passes real ms)', () => {
    const { transport, waits } = silent();
    raftClient(transport, ['n1', 'n2', 'n3'], 0, { attemptTimeoutMs: 500 }).invoke(read, () => undefined);
    assert.deepEqual(waits, Array(MAX_TIMEOUTS).fill(500));
  });
});
