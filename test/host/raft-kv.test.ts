import assert from 'node:assert/strict';
import { UsageError } from '../../harness/errors.js';
import type { ExternalNode } from '../../harness/config/cluster-spec.js';
import { externalView } from '../../harness/runtimes/external/view.js';
import { raftKvDocker as raftKv } from '../../targets/raft-kv/docker.js';
import { cas, invoke, read, write } from '../support/client-ops.js';
import { startRaftNodes, type RaftNodes } from '../support/host-servers.js';

/**
 * The raft-kv target on `faultline node raft-kv` processes the user started (here: three on loopback), seen through
 * the external runtime's cluster view with no fault proxy, through the target's external ready check.
 */

const ready = raftKv.external!.ready!;

describe('external: raft-kv on three faultline node processes', function () {
  this.timeout(60_000);
  let raft: RaftNodes | undefined;
  before(async () => {
    raft = await startRaftNodes(3);
  });
  after(() => raft?.stop());

  /** The nodes as the test names them: by default, by their processes' ids. */
  const nodes = (name = (id: string) => id): ExternalNode[] => raft!.nodes.map((n) => ({ name: name(n.id), host: n.host, port: n.port }));

  it('is ready once a leader serves, and its clients write, read and compare-and-set', async () => {
    const v = externalView(raftKv, nodes(), { bug: undefined, options: {} });
    await ready(v, Date.now() + 30_000);
    const session = await raftKv.open(v);
    const clients = [session.client(0), session.client(1)];
    try {
      assert.deepEqual(await invoke(clients[0], write('x', 1)), { type: 'ok', value: 1 });
      assert.deepEqual(await invoke(clients[1], read('x')), { type: 'ok', value: 1 });
      assert.deepEqual(await invoke(clients[1], cas('x', 1, 2)), { type: 'ok', value: [1, 2] });
      assert.equal((await invoke(clients[0], cas('x', 1, 3))).type, 'fail');
      assert.deepEqual(await invoke(clients[0], read('x')), { type: 'ok', value: 2 });
      const leaders = await session.primaries!();
      assert.equal(leaders.length, 1);
      assert.ok(['n1', 'n2', 'n3'].includes(leaders[0]));
    } finally {
      for (const c of clients) c.close();
      await session.close();
    }
  });

  it('nodes not named by their --id: ready says which node accepts connections and never answers', async () => {
    const v = externalView(raftKv, nodes((id) => id.replace('n', 'node')), { bug: undefined, options: {} });
    await assert.rejects(ready(v, Date.now() + 1500), (e: Error) => {
      assert.match(e.message, /^node node1 accepts connections on 127\.0\.0\.1:\d+ but never answers: is it the process started with --id node1\?$/);
      return true;
    });
  });

  it('one node misnamed: the leader another names is none of the nodes, refused in one line', async () => {
    // n3 is called n4: n1 and n2 answer, and name their leader by its id. Unless n3 leads, that is one of n1, n2
    // and the check passes that far; n4 then never answers. Either way the error names the mistake.
    const v = externalView(raftKv, nodes((id) => (id === 'n3' ? 'n4' : id)), { bug: undefined, options: {} });
    await assert.rejects(ready(v, Date.now() + 1500), (e: Error) => {
      assert.match(e.message, /names its leader 'n3', which is none of the nodes \(n1, n2, n4\)|node n4 accepts connections .* --id n4\?$/);
      return true;
    });
  });

  it('a --bug is refused: on a cluster the user runs, the bug is the nodes\' own', async () => {
    const v = externalView(raftKv, nodes(), { bug: 'stale-read', options: {} });
    await assert.rejects(ready(v, Date.now() + 30_000), (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /faultline node raft-kv --bug stale-read/);
      return true;
    });
  });
});
